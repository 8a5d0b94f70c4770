"""`/room/{id}`: the interview room — join once per tab (name and role), then the shared editor and the people."""

import json

from nicegui import ui

from collab import EXTENSIONS, LANGUAGES
from components.collab_editor import CollabEditor
from components.participant_list import ParticipantList
from presence import ROLES, Forbidden, NotFound, ParticipantView, PresenceError

from .editor_session import EditorSession
from .run_panel import RunPanel
from .services import NotAllowed, Services, end_interview, find_interview


def not_found(interview_id: str) -> None:
    # If this browser kept a local copy of a (now deleted) interview's document, forget it.
    ui.run_javascript(f'indexedDB.deleteDatabase({json.dumps("pairpad:" + interview_id[:64])})')
    with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4').props('data-testid=not-found'):
        ui.label('Interview not found').classes('text-2xl font-bold')
        ui.label('This link does not lead to an interview. Check the link, or create a new interview.')
        ui.link('Create an interview', '/')


def register(services: Services) -> None:
    @ui.page('/room/{interview_id}', title='Pairpad interview')
    async def room(interview_id: str) -> None:
        interview = find_interview(services, interview_id)
        if interview is None:
            not_found(interview_id)
            return
        ui.page_title(f'{interview.title} · Pairpad')
        dark = ui.dark_mode()
        with ui.header().classes('items-center gap-4 bg-slate-800'):
            ui.label(interview.title).classes('text-lg font-semibold').props('data-testid=interview-title')
            ui.space()
            theme = ui.button(icon='dark_mode').props('flat round color=white data-testid=theme-toggle') \
                .tooltip('Light or dark theme (remembered in this browser)')
            ui.button('Download code', icon='download', on_click=lambda: _download_code(services, interview)) \
                .props('flat color=white data-testid=export-code')
            ui.button('Copy link', icon='link', on_click=lambda: ui.run_javascript(
                'navigator.clipboard.writeText(location.origin + location.pathname)'
            )).props('flat color=white data-testid=copy-link')
        content = ui.column().classes('w-full h-[calc(100vh-5rem)] gap-2 p-2')
        await ui.context.client.connected()
        _theme(dark, theme, await ui.run_javascript('localStorage.getItem("pairpad:theme")', timeout=5) == 'dark')
        participant = await _resume(services, interview.id)
        with content:
            if participant is not None:
                _room(services, interview.id, participant)
            else:
                _ask_identity(services, interview.id, content)


async def _download_code(services: Services, interview) -> None:
    room = await services.rooms.get(interview.id)
    language = room.language or interview.language
    ui.download.content(room.text.encode(), f'{_slug(interview.title)}.{EXTENSIONS.get(language, "txt")}',
                        'text/plain; charset=utf-8')


def _slug(title: str) -> str:
    slug = ''.join(ch if ch.isalnum() else '-' for ch in title.lower()).strip('-')
    return '-'.join(part for part in slug.split('-') if part)[:60] or 'interview'


def _theme(dark: ui.dark_mode, button: ui.button, is_dark: bool) -> None:
    """UI and editor switch together; the choice is remembered per browser (localStorage)."""
    def apply(value: bool) -> None:
        dark.set_value(value)
        button.props(f'icon={"light_mode" if value else "dark_mode"} data-theme={"dark" if value else "light"}')
        ui.run_javascript(f'localStorage.setItem("pairpad:theme", "{"dark" if value else "light"}"); '
                          f'document.dispatchEvent(new CustomEvent("pairpad-theme", {{detail: "{"vs-dark" if value else "vs"}"}}))')
    button.on_click(lambda: apply(not dark.value))
    apply(is_dark)


def _storage_key(interview_id: str) -> str:
    return json.dumps(f'pairpad:participant:{interview_id}')


async def _resume(services: Services, interview_id: str) -> ParticipantView | None:
    """This tab's participant, from the identity its sessionStorage keeps: a reload (or a server restart) keeps
    the same participant; a second tab has none and joins as a second participant."""
    stored = await ui.run_javascript(f'sessionStorage.getItem({_storage_key(interview_id)})', timeout=5)
    try:
        identity = json.loads(stored) if isinstance(stored, str) else None
        return services.presence.authenticate(interview_id, identity['participantId'], identity['token'])
    except (ValueError, TypeError, KeyError, NotFound, Forbidden):
        return None


def _ask_identity(services: Services, interview_id: str, content: ui.column) -> None:
    with ui.card().classes('mx-auto mt-8 w-96').props('data-testid=join-form') as card:
        ui.label('Join the interview').classes('text-lg font-semibold')
        name_input = ui.input('Your display name').props('data-testid=name-input outlined autofocus maxlength=40') \
            .classes('w-full')
        role = ui.toggle({r: r.capitalize() for r in ROLES}, value='candidate').props('data-testid=role-input')

        def join() -> None:
            try:
                participant, token = services.presence.join(interview_id, name=name_input.value or '',
                                                            role=role.value)
            except PresenceError as e:
                ui.notify(str(e), type='negative')
                return
            identity = json.dumps({'participantId': participant.id, 'token': token})
            ui.run_javascript(f'sessionStorage.setItem({_storage_key(interview_id)}, {json.dumps(identity)})')
            card.delete()
            with content:
                _room(services, interview_id, participant)

        name_input.on('keydown.enter', join)
        ui.button('Join', on_click=join).props('data-testid=join-button')


def _room(services: Services, interview_id: str, participant: ParticipantView) -> None:
    with ui.row().classes('w-full items-center gap-4'):
        language = ui.select(LANGUAGES, label='Language').props('dense outlined data-testid=language-select') \
            .classes('w-48')
        people = ParticipantList(self_id=participant.id)
        ui.space()
        if participant.role == 'interviewer':
            end_button = ui.button('End interview', icon='stop_circle', color='negative').props('data-testid=end-interview')
            reopen_button = ui.button('Reopen', icon='play_circle').props('data-testid=reopen-interview outline')
    for other in services.presence.participants(interview_id):
        people.show(other)
    editor = CollabEditor(interview_id, max_message_bytes=services.settings.max_message_bytes,
                          max_document_bytes=services.settings.max_document_bytes) \
        .classes('w-full grow border rounded').props(f'data-participant-id={participant.id}')
    editor.style('min-height: 400px')
    panel = RunPanel(services.runs.get(interview_id), services.rooms, interview_id, participant)
    editor.on('run', panel.run)
    editor.on_ended(lambda e: panel.set_ended(bool(e.args)))
    language.on_value_change(lambda e: e.value and editor.set_language(e.value))
    editor.on_language(lambda e: language.set_value(e.language))
    if participant.role == 'interviewer':
        async def set_ended(ended: bool) -> None:
            try:
                await end_interview(services, interview_id, participant.role, ended=ended)
            except NotAllowed as e:
                ui.notify(str(e), type='negative')

        end_button.on_click(lambda: set_ended(True))
        reopen_button.on_click(lambda: set_ended(False))
        reopen_button.set_visibility(False)

        def show_ended(e) -> None:
            end_button.set_visibility(not e.args)
            reopen_button.set_visibility(bool(e.args))
        editor.on_ended(show_ended)
    session = EditorSession(editor, services.rooms, services.presence, participant)
    unsubscribe = services.presence.subscribe(interview_id, people.show)
    ui.context.client.on_delete(unsubscribe)
    session.attach()

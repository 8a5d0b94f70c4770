"""`/room/{id}?key=…`: the interview room. The link's key decides the role (interviewer or candidate); a tab joins
once with a display name, then gets the shared editor and the people (pages/workspace.py).

A link without a valid key gets the same polite refusal as an unknown interview id: it tells nothing about whether
the interview exists, not even its title.
"""

import asyncio
import json

from nicegui import ui

from accounts import Workspace
from languages import LANGUAGES, PLAIN_TEXT
from presence import MAX_NAME, Forbidden, NotFound, ParticipantView, PresenceError
from collab.writer import SAVING
from components.collab_editor import CollabEditor
from store import notes_room_id

from .report import download_report
from .services import Services, file_stem, open_interview, room_path
from .signal_hub import SignalHub
from .workspace import workspace

# What the join screen tells everybody the interview records (issue 15 §4): said before anyone joins.
RECORDED = ('This interview records the code as it is written (every edit), each run and test run, pastes into '
            'the editor and time away from this tab. The interviewers see them.')


def refused(interview_id: str) -> None:
    # If this browser kept local copies of a (now deleted) interview's documents, forget them (the editor names
    # its copy `pairpad:<room id>`).
    interview_id = interview_id[:64]
    names = [f'pairpad:{room_id}' for room_id in (interview_id, notes_room_id(interview_id))]
    ui.run_javascript(f'{json.dumps(names)}.forEach(name => indexedDB.deleteDatabase(name))')
    with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4').props('data-testid=link-refused'):
        ui.label('This link does not open an interview').classes('text-2xl font-bold')
        ui.label('It may be incomplete, or the interview may have been deleted. '
                 'Ask the person who invited you for the link again.')
        ui.link('Create an interview of your own', '/')


def register(services: Services, workspace_log: Workspace) -> None:
    """:param workspace_log: the team's activity log, told who downloads a room's report"""
    signals = SignalHub(services.engine, services.relay, is_participant=lambda interview_id, participant_id: any(
        p.id == participant_id for p in services.presence.participants(interview_id)))

    @ui.page('/room/{interview_id}', title='Pairpad interview', language='en-US')
    async def room(interview_id: str, key: str | None = None) -> None:
        opened = open_interview(services, interview_id, key)
        if opened is None:
            refused(interview_id)
            return
        interview, role = opened
        documents = [interview.id] + ([notes_room_id(interview.id)] if role == 'interviewer' else [])
        for room_id in documents:
            services.rooms.warm(room_id)  # loaded while this page is built and its person joins
        ui.page_title(f'{interview.title} · Pairpad')
        dark = ui.dark_mode()
        person: list[str] = []  # this tab's person's name, once joined or resumed
        with ui.header().classes('items-center gap-2 bg-slate-800'):
            ui.label(interview.title).classes('text-lg font-semibold').props('data-testid=interview-title')
            # dark text on amber, white on a dark teal: both at least 4.5:1 (axe color-contrast)
            ui.badge(role.capitalize(), color='amber' if role == 'interviewer' else 'teal-9',
                     text_color='black' if role == 'interviewer' else 'white') \
                .props(f'data-testid=my-role data-role={role}')
            ui.space()
            _save_state(services, documents)
            theme = ui.button(icon='dark_mode').props('flat round color=white data-testid=theme-toggle') \
                .tooltip('Light or dark theme (remembered in this browser)')
            ui.button('Code', icon='download', on_click=lambda: _download_code(services, interview)) \
                .props('flat color=white data-testid=export-code').tooltip('Download the code')
            if role == 'interviewer':
                ui.button('Report', icon='summarize',
                          on_click=lambda: _report(services, workspace_log, interview, person)) \
                    .props('flat color=white data-testid=export-report').tooltip('Download the interview report')
                _copy_button('Candidate link', room_path(interview, 'candidate'), 'copy-candidate-link')
                _copy_button('Interviewer link', room_path(interview, 'interviewer'), 'copy-interviewer-link')
        content = ui.column().classes('w-full h-[calc(100vh-5rem)] gap-2 p-2')
        await ui.context.client.connected()
        # Quasar's loading bar is a progressbar without a name while it shows (axe aria-progressbar-name)
        ui.run_javascript('Quasar.LoadingBar.setDefaults({"aria-label": "Loading"})')
        _theme(dark, theme, await ui.run_javascript('localStorage.getItem("pairpad:theme")', timeout=5) == 'dark')
        participant = await _resume(services, interview.id, role) or await _join_as_member(services, interview, role)
        with content:
            if participant is not None:
                person.append(participant.name)
                workspace(services, interview, participant, signals)
            else:
                CollabEditor.preload()  # while the person types their name
                _ask_identity(services, interview, role, content, signals, person)


def _save_state(services: Services, room_ids: list[str]) -> None:
    """"Saving…" while updates of this interview's documents (the notes too, for an interviewer) wait for the store
    on this instance (it is away: collab/writer.py retries until it answers), "Saved" otherwise. Nothing typed is
    lost meanwhile, so this is the only sign of a store outage a person sees."""
    writer = services.rooms.writer
    label = ui.label().classes('text-xs text-white')

    def show(_state: str | None = None) -> None:
        saving = any(writer.state(room_id) == SAVING for room_id in room_ids)
        label.set_text('Saving…' if saving else 'Saved')
        title = 'Waiting for the database; nothing is lost' if saving else 'Everything is saved'
        label.props(f'data-testid=save-state data-state={"saving" if saving else "saved"} title="{title}"')

    show()
    for room_id in room_ids:
        ui.context.client.on_delete(writer.watch(room_id, show))


async def _report(services: Services, workspace_log: Workspace, interview, person: list[str]) -> None:
    """Send the room's report; the team's activity log says who took it (it holds the candidate's code and the
    scorecards), as it does for a download from the dashboard."""
    await download_report(services, interview.id)
    workspace_log.log(interview.team_id, person[-1] if person else 'an interviewer', 'report downloaded',
                      interview.title, interview.id)


def _copy_button(label: str, path: str, testid: str) -> None:
    ui.button(label, icon='link', on_click=lambda: ui.run_javascript(
        f'navigator.clipboard.writeText(location.origin + {json.dumps(path)})'
    )).props(f'flat color=white data-testid={testid}').tooltip(f'Copy the {label.lower()}')


async def _download_code(services: Services, interview) -> None:
    room = await services.rooms.get(interview.id)
    language = room.language or interview.language
    extension = LANGUAGES.get(language, PLAIN_TEXT).extension
    ui.download.content(room.text.encode(), f'{file_stem(interview.title)}.{extension}',
                        'text/plain; charset=utf-8')


def _theme(dark: ui.dark_mode, button: ui.button, is_dark: bool) -> None:
    """UI and editor switch together; the choice is remembered per browser (localStorage)."""
    def apply(value: bool) -> None:
        dark.set_value(value)
        # an icon-only toggle: its accessible name says what it switches, aria-pressed whether it is on
        button.props(f'icon={"light_mode" if value else "dark_mode"} data-theme={"dark" if value else "light"} '
                     f'aria-label="Dark theme" aria-pressed={"true" if value else "false"}')
        ui.run_javascript(f'localStorage.setItem("pairpad:theme", "{"dark" if value else "light"}"); '
                          f'document.dispatchEvent(new CustomEvent("pairpad-theme", {{detail: "{"vs-dark" if value else "vs"}"}}))')
    button.on_click(lambda: apply(not dark.value))
    apply(is_dark)


def _storage_key(interview_id: str) -> str:
    return json.dumps(f'pairpad:participant:{interview_id}')


async def _resume(services: Services, interview_id: str, role: str) -> ParticipantView | None:
    """This tab's participant, from the identity its sessionStorage keeps: a reload (or a server restart) keeps
    the same participant; a second tab has none and joins as a second participant. An identity of the other
    role (the tab was opened with the other link before) is not reused: the link decides the role."""
    stored = await ui.run_javascript(f'sessionStorage.getItem({_storage_key(interview_id)})', timeout=5)
    try:
        identity = json.loads(stored) if isinstance(stored, str) else None
        participant = services.presence.authenticate(interview_id, identity['participantId'], identity['token'])
    except (ValueError, TypeError, KeyError, NotFound, Forbidden):
        return None
    return participant if participant is not None and participant.role == role else None


async def _join_as_member(services: Services, interview, role: str) -> ParticipantView | None:
    """A signed-in member of the interview's team who opens its interviewer link joins under the account's name,
    with no name form; None for anybody else (or a full room: the form then says why)."""
    if role != 'interviewer' or interview.team_id is None or services.member_of is None:
        return None
    member = await asyncio.to_thread(services.member_of, ui.context.client.request)
    if member is None or member.team_id != interview.team_id:
        return None
    try:
        participant, token = services.presence.join(interview.id, name=member.name, role='interviewer')
    except PresenceError:
        return None
    _remember(interview.id, participant.id, token)
    return participant


def _remember(interview_id: str, participant_id: str, token: str) -> None:
    """The tab keeps its identity (sessionStorage): a reload, or a server restart, is the same participant."""
    identity = json.dumps({'participantId': participant_id, 'token': token})
    ui.run_javascript(f'sessionStorage.setItem({_storage_key(interview_id)}, {json.dumps(identity)})')


def _ask_identity(services: Services, interview, role: str, content: ui.column, signals: SignalHub,
                  person: list[str]) -> None:
    with ui.card().classes('mx-auto mt-8 w-96').props('data-testid=join-form') as card:
        ui.label('Join the interview').classes('text-lg font-semibold')
        ui.label(f'You join as the {role}.' if role == 'candidate' else 'You join as an interviewer.') \
            .classes('text-sm text-gray-600').props(f'data-testid=join-role data-role={role}')
        ui.label(RECORDED).classes('text-sm text-gray-600').props('data-testid=join-recorded')
        name_input = ui.input('Your display name') \
            .props(f'data-testid=name-input outlined autofocus maxlength={MAX_NAME}').classes('w-full')

        def join() -> None:
            try:
                participant, token = services.presence.join(interview.id, name=name_input.value or '', role=role)
            except PresenceError as e:
                ui.notify(str(e), type='negative')
                return
            _remember(interview.id, participant.id, token)
            card.delete()
            person.append(participant.name)
            with content:
                workspace(services, interview, participant, signals)

        name_input.on('keydown.enter', join)
        ui.button('Join', on_click=join).props('data-testid=join-button')

"""`/room/{id}`: the interview room — ask for a display name once per tab, then the shared editor."""

import json

from nicegui import ui

from collab import LANGUAGES
from components.collab_editor import CollabEditor

from .editor_session import EditorSession
from .services import Services, find_interview

MAX_NAME = 40


def clean_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError('Please enter a display name.')
    name = ' '.join(''.join(ch for ch in name if ch.isprintable()).split())
    if not name:
        raise ValueError('Please enter a display name.')
    if len(name) > MAX_NAME:
        raise ValueError(f'A display name has at most {MAX_NAME} characters.')
    return name


def not_found() -> None:
    with ui.column().classes('w-full max-w-xl mx-auto mt-16 gap-4').props('data-testid=not-found'):
        ui.label('Interview not found').classes('text-2xl font-bold')
        ui.label('This link does not lead to an interview. Check the link, or create a new interview.')
        ui.link('Create an interview', '/')


def register(services: Services) -> None:
    @ui.page('/room/{interview_id}', title='Pairpad interview')
    async def room(interview_id: str) -> None:
        interview = find_interview(services, interview_id)
        if interview is None:
            not_found()
            return
        ui.page_title(f'{interview.title} · Pairpad')
        with ui.header().classes('items-center gap-4 bg-slate-800'):
            ui.label(interview.title).classes('text-lg font-semibold').props('data-testid=interview-title')
            ui.space()
            ui.button('Copy link', icon='link', on_click=lambda: ui.run_javascript(
                'navigator.clipboard.writeText(location.origin + location.pathname)'
            )).props('flat color=white data-testid=copy-link')
        content = ui.column().classes('w-full h-[calc(100vh-5rem)] gap-2 p-2')
        await ui.context.client.connected()
        name = await _remembered_name(interview.id)
        with content:
            if name:
                _editor(services, interview.id, name)
            else:
                _ask_name(services, interview.id, content)


def _storage_key(interview_id: str) -> str:
    return json.dumps(f'pairpad:name:{interview_id}')


async def _remembered_name(interview_id: str) -> str | None:
    """The name this tab joined with, from the browser's sessionStorage: it survives reloads and server restarts,
    and a second tab starts without it (a second participant)."""
    stored = await ui.run_javascript(f'sessionStorage.getItem({_storage_key(interview_id)})', timeout=5)
    try:
        return clean_name(stored)
    except ValueError:
        return None


def _remember_name(interview_id: str, name: str) -> None:
    ui.run_javascript(f'sessionStorage.setItem({_storage_key(interview_id)}, {json.dumps(name)})')


def _ask_name(services: Services, interview_id: str, content: ui.column) -> None:
    with ui.card().classes('mx-auto mt-8 w-96').props('data-testid=join-form') as card:
        ui.label('Join the interview').classes('text-lg font-semibold')
        name_input = ui.input('Your display name').props('data-testid=name-input outlined autofocus') \
            .classes('w-full')

        def join() -> None:
            try:
                name = clean_name(name_input.value)
            except ValueError as e:
                ui.notify(str(e), type='negative')
                return
            _remember_name(interview_id, name)
            card.delete()
            with content:
                _editor(services, interview_id, name)

        name_input.on('keydown.enter', join)
        ui.button('Join', on_click=join).props('data-testid=join-button')


def _editor(services: Services, interview_id: str, name: str) -> None:
    with ui.row().classes('w-full items-center gap-4'):
        language = ui.select(LANGUAGES, label='Language').props('dense outlined data-testid=language-select') \
            .classes('w-48')
        ui.label(name).props('data-testid=my-name').classes('text-sm text-gray-600')
    editor = CollabEditor(interview_id, max_message_bytes=services.settings.max_message_bytes) \
        .classes('w-full grow border rounded')
    editor.style('min-height: 400px')
    language.on_value_change(lambda e: e.value and editor.set_language(e.value))
    editor.on_language(lambda e: language.set_value(e.language))
    EditorSession(editor, services.rooms).attach()

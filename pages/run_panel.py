"""The Run button, Stop button, shared console and shared stdin box of a room, wired to the interview's RunHub.

Anybody in the room may run the code (not only the host); everybody sees the same output live. The server runs
what the room's document holds with what its stdin box holds, never what a browser claims either is. When a run
ends, its markers (errors with a line of the code) are shown in every tab's editor, and cleared when the next run
starts; a tab that loads later gets the last run's. The Run button is off, saying why, while the document's
language cannot run on this server (its toolchain is missing), whichever tab or instance changed the language.
"""

import logging

from nicegui import ui

from collab import RoomRegistry
from components.collab_editor import CollabEditor
from components.run_console import RunConsole
from languages import PLAIN_TEXT, select_options
from presence import ParticipantView
from runner import CodeRunner, Outcome, RunHub, RunRecord, RunRefused
from store import new_run, save_run

log = logging.getLogger(__name__)


def keep_run(engine, interview_id: str, record: RunRecord) -> None:
    """Store a finished run for the report and the playback timeline."""
    result = record.result
    save_run(engine, new_run(run_id=record.run_id, interview_id=interview_id, language=record.language,
                             started_by=record.started_by, started_at=record.started_at, output=record.output,
                             duration=result.duration if result else None,
                             exit_code=result.exit_code if result else None,
                             outcome=result.outcome.value if result else 'failed', summary=summary(record)[:300],
                             stdin=record.stdin))


def summary(record: RunRecord) -> str:
    result = record.result
    if result is None:
        return 'The run failed on the server (see its log).'
    if result.outcome is Outcome.COMPILE_ERROR:  # the compiler's own exit code; the limit that stopped it if any
        text = 'compile error' + (f' · exit code {result.exit_code}' if result.exit_code is not None else '')
        text += f' · {result.duration:.2f} s'
        return text if result.exit_code is not None and result.signal is None else f'{text} · {result.reason}'
    code = f'exit code {result.exit_code}' if result.exit_code is not None else f'killed by {result.signal}'
    text = f'{code} · {result.duration:.2f} s'
    if not result.ok:
        text += f' · {result.reason}'
    return text


def language_notes(runner: CodeRunner) -> dict[str, str]:
    """What the language picker says under each language: its toolchain's version on this server ('Java 17.0.13',
    'GCC 12.2.0'), or why it cannot run here ("can't run here: install rustc"); nothing for plain text, nor for
    any language while running is off on this server (the Run button's tooltip says why)."""
    notes = {}
    for language_id, label in select_options().items():
        version = runner.versions.get(language_id)
        refusal = runner.refusal(language_id) if runner.available else None
        if language_id == PLAIN_TEXT.id or (version is None and refusal is None):
            notes[language_id] = ''
        else:  # "Rust can't run here: install rustc" → "can't run here: install rustc"
            notes[language_id] = version if version is not None else refusal.removeprefix(label + ' ')
    return notes


def show_language_notes(select: ui.select, notes: dict[str, str]) -> None:
    """Each option of the language picker as its label with its note below. The option's accessible name stays the
    label ('Rust'). Automation hooks: `data-testid="language-option"` with `data-language-id` on each option,
    `data-testid="language-note"` on its note."""
    # NiceGUI gives the options to Quasar as indices: the template finds a language by its label (unique), in a
    # table written with single-quoted strings only, so it fits in a double-quoted attribute of the template
    table = '{' + ', '.join(f'{_js(label)}: [{_js(language_id)}, {_js(notes.get(language_id, ""))}]'
                            for language_id, label in select_options().items()) + '}'
    select.add_slot('option', f'''
        <q-item v-bind="props.itemProps" :aria-label="props.opt.label" data-testid="language-option"
                :data-language-id="({table})[props.opt.label]?.[0]">
          <q-item-section>
            <q-item-label>{{{{ props.opt.label }}}}</q-item-label>
            <q-item-label caption data-testid="language-note">{{{{ ({table})[props.opt.label]?.[1] }}}}</q-item-label>
          </q-item-section>
        </q-item>''')


def _js(text: str) -> str:
    """`text` as a single-quoted JavaScript string with no quote, backslash or tag character left in it."""
    return "'" + ''.join(c if c.isalnum() or c in ' .-_:,()+#/' else f'\\u{{{ord(c):x}}}' for c in text) + "'"


def marker_data(record: RunRecord | None) -> list[dict]:
    """The markers the editors show for `record`: its result's, once it ended; none while it runs."""
    if record is None or not record.ended or record.result is None:
        return []
    return [marker.to_dict() for marker in record.result.markers]


class RunPanel:
    def __init__(self, hub: RunHub, rooms: RoomRegistry, interview_id: str, participant: ParticipantView,
                 editor: CollabEditor, language: str) -> None:
        """:param editor: the room's code editor: its document holds the stdin box, its model shows the markers
        :param language: the document's language as the page was built (then every change the editor reports)"""
        self.hub = hub
        self.rooms = rooms
        self.interview_id = interview_id
        self.participant = participant
        self.editor = editor
        self.language = language
        self.ended = False
        self._refusal: str | None = None
        with ui.row().classes('items-center gap-2'):
            self.run_button = ui.button('Run', icon='play_arrow', on_click=self.run) \
                .props('data-testid=run-button color=positive')
            self.stop_button = ui.button('Stop', icon='stop', on_click=self.stop) \
                .props('data-testid=stop-button outline')
        with ui.row().classes('w-full no-wrap gap-2 items-start'):
            self.console = RunConsole().classes('grow')
            with ui.column().classes('w-1/3 gap-1'):
                ui.label('stdin (shared: every run reads it)').classes('text-xs text-gray-500')
                editor.stdin_box().classes('w-full').style('height: 10rem')
        self._show(hub.last)
        unsubscribe = hub.subscribe(self._on_event)
        ui.context.client.on_delete(unsubscribe)
        self._update_buttons()

    def set_ended(self, ended: bool) -> None:
        self.ended = ended
        self._update_buttons()

    def set_language(self, language: str) -> None:
        """The document's language changed (in any tab, on any instance): can it run here?"""
        self.language = language
        self._update_buttons()

    async def run(self) -> None:
        if self.ended:
            ui.notify('The interview has ended: running is off.', type='warning')
            return
        room = await self.rooms.get(self.interview_id)
        if room.ended:
            return
        try:
            self.hub.start(room.text, room.language or 'plaintext', started_by=self.participant.name,
                           stdin=room.stdin)
        except RunRefused as e:
            ui.notify(str(e), type='warning')

    def stop(self) -> None:
        self.hub.stop(by=self.participant.name)

    def _show(self, record: RunRecord | None) -> None:
        if record is None:
            return
        self.console.started(record.language, record.started_by, record.stdin)
        for stream, text in record.output:
            self.console.append(stream, text)
        if record.ended:
            self.console.ended(summary(record))
        self.editor.set_markers(marker_data(record))

    def _on_event(self, event: str, record: RunRecord, chunk: tuple[str, str] | None) -> None:
        if event == 'start':
            self.console.started(record.language, record.started_by, record.stdin)
            self.editor.set_markers([])
        elif event == 'output' and chunk is not None:
            self.console.append(*chunk)
        elif event == 'end':
            self.console.ended(summary(record))
            self.editor.set_markers(marker_data(record))
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.hub.current is not None
        refusal = self.hub.runner.refusal(self.language)
        self.run_button.set_enabled(not running and not self.ended and refusal is None)
        self.stop_button.set_enabled(running)
        if refusal != self._refusal:  # the tooltip says why Run is off (automation: data-refusal)
            self._refusal = refusal
            self.run_button.clear()
            if refusal is None:
                self.run_button.props.pop('data-refusal', None)
            else:
                self.run_button.props['data-refusal'] = refusal
                with self.run_button:
                    ui.tooltip(refusal)

"""The Run button, Stop button, shared console and shared stdin box of a room, wired to the interview's RunHub.

Anybody in the room may run the code (not only the host); everybody sees the same output live. The server runs
what the room's document holds with what its stdin box holds, never what a browser claims either is. When a run
ends, its markers (errors with a line of the code) are shown in every tab's editor, and cleared when the next run
starts; a tab that loads later gets the last run's. The Run button is off, saying why, while the document's
language cannot run on this server (its toolchain is missing), whichever tab or instance changed the language.

Run tests (everybody, the candidate too) runs the document against the picked question's cases under the same
one-run lock; each tab's results table is built on the server from what its participant's role may see
(pages/test_runs.role_view), so nothing of a hidden case is ever sent to a candidate's tab.
"""

import logging
from typing import Callable

from nicegui import ui

from components.collab_editor import CollabEditor
from components.run_console import RunConsole
from components.test_results import TestResults
from languages import PLAIN_TEXT, select_options
from presence import ParticipantView
from runner import CodeRunner, Outcome, RunRecord, RunRefused
from runner.hub import TestRecord
from store import RUNNING, new_run, save_run

from .services import Services
from .test_runs import role_view, start_test_run

log = logging.getLogger(__name__)


def keep_run(engine, interview_id: str, record: RunRecord, instance: str | None = None) -> None:
    """Store a run for the report and the playback timeline: when it ends, and already when it starts (RUNNING,
    with the instance that runs it), so that if that process dies first the run stays in the history and
    fail_abandoned (at a start-up, or when another instance sees it go) fails it with the reason."""
    result = record.result
    going = not record.ended
    save_run(engine, new_run(run_id=record.run_id, interview_id=interview_id, language=record.language,
                             started_by=record.started_by, started_at=record.started_at, output=record.output,
                             duration=result.duration if result else None,
                             exit_code=result.exit_code if result else None,
                             outcome=RUNNING if going else result.outcome.value if result else 'failed',
                             summary='Running…' if going else summary(record)[:300],
                             instance=instance if going else None,
                             stdin=record.stdin))


def summary(record: RunRecord) -> str:
    result = record.result
    if result is None:
        return 'The run failed on the server (see its log).'
    if result.outcome is Outcome.COMPILE_ERROR:  # the compiler's own exit code; the limit that stopped it if any
        text = 'compile error' + (f' · exit code {result.exit_code}' if result.exit_code is not None else '')
        text += f' · {result.duration:.2f} s'
        return text if result.exit_code is not None and result.signal is None else f'{text} · {result.reason}'
    if result.exit_code is not None:
        text = f'exit code {result.exit_code} · '
    elif result.signal is not None:
        text = f'killed by {result.signal} · '
    else:  # it never ended on its own: its server stopped, or it failed before starting (the reason says which)
        text = ''
    text += f'{result.duration:.2f} s'
    if not result.ok:
        text += f' · {result.reason}'
    return text


def announcement(event: str, record) -> str:
    """What a screen reader is told of a run's or a test run's start and end: who started it, how it ended (the
    console's status line). Output is never announced: it would talk over everything."""
    if event == 'start':
        return f'Run started by {record.started_by}.'
    if event == 'end':
        return f'Run ended: {summary(record).replace(" · ", ", ")}.'
    if event == 'tests_start':
        return f'Tests started by {record.started_by}.'
    return 'Tests ended: see the results table.' if record.result is not None else 'The tests did not run.'


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
    def __init__(self, services: Services, interview_id: str, participant: ParticipantView,
                 editor: CollabEditor, language: str, *, announce: Callable[[str], None] = lambda _: None) -> None:
        """:param editor: the room's code editor: its document holds the stdin box, its model shows the markers
        :param language: the document's language as the page was built (then every change the editor reports)
        :param announce: tells screen readers that a run or test run started and ended (the page's announcer)"""
        self.services = services
        self.hub = hub = services.runs.get(interview_id)
        self.rooms = services.rooms
        self.interview_id = interview_id
        self.participant = participant
        self.editor = editor
        self.language = language
        self.ended = False
        self.has_tests = False
        self.announce = announce
        self._refusal: str | None = None
        with ui.row().classes('items-center gap-2'):
            self.run_button = ui.button('Run', icon='play_arrow', on_click=self.run) \
                .props('data-testid=run-button color=positive')
            self.stop_button = ui.button('Stop', icon='stop', on_click=self.stop) \
                .props('data-testid=stop-button outline')
            self.tests_button = ui.button('Run tests', icon='checklist', on_click=self.run_tests) \
                .props('data-testid=run-tests outline color=positive')
        with ui.row().classes('w-full no-wrap gap-2 items-start'):
            with ui.column().classes('grow gap-1'):
                self.console = RunConsole()
                # a named region that a keyboard can reach and scroll (axe scrollable-region-focusable); not a live
                # region: output is not read aloud as it comes, the announcer says when a run ends
                self.console.output.props('role=region aria-label="Run output" tabindex=0')
                self.results = TestResults()
            with ui.column().classes('w-1/3 gap-1'):
                ui.label('stdin (shared: every run reads it)').classes('text-xs text-gray-500')
                editor.stdin_box().classes('w-full').style('height: 10rem')
        self._show(hub.last)
        self._show_tests(hub.tests[-1] if hub.tests else None)
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

    def set_has_tests(self, has_tests: bool) -> None:
        """The interview's question (pages/question_panel.py) has test cases, or there is none."""
        self.has_tests = has_tests
        self._update_buttons()

    async def run_tests(self) -> None:
        try:
            await start_test_run(self.services, self.interview_id, self.participant.name)
        except RunRefused as e:
            ui.notify(str(e), type='warning')

    def stop(self) -> None:
        self.hub.stop(by=self.participant.name)

    def _show_tests(self, record: TestRecord | None) -> None:
        if record is None:
            return
        if not record.ended:
            self.results.running(record.started_by)
        elif record.result is None:
            self.results.failed(record.reason or 'the tests did not run')
        else:
            try:
                self.results.show(role_view(record.result, self.participant.role), record.started_by)
            except (KeyError, TypeError, ValueError) as error:  # checked by the hub already: a bug if it happens
                log.warning('test results of %s not shown: %s', record.run_id, error)
                self.results.failed('the results could not be read')

    def _show(self, record: RunRecord | None) -> None:
        if record is None:
            return
        self.console.started(record.language, record.started_by, record.stdin)
        for stream, text in record.output:
            self.console.append(stream, text)
        if record.ended:
            self.console.ended(summary(record))
        self.editor.set_markers(marker_data(record))

    def _on_event(self, event: str, record, chunk: tuple[str, str] | None) -> None:
        if event in ('tests_start', 'tests_end'):
            self._show_tests(record)
        elif event == 'start':
            self.console.started(record.language, record.started_by, record.stdin)
            self.editor.set_markers([])
        elif event == 'output' and chunk is not None:
            self.console.append(*chunk)
        elif event == 'end':
            self.console.ended(summary(record))
            self.editor.set_markers(marker_data(record))
        if event in ('start', 'end', 'tests_start', 'tests_end'):
            self.announce(announcement(event, record))
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.hub.busy  # a run or a Run tests, here or on another instance: Stop stops either
        refusal = self.hub.runner.refusal(self.language)
        self.run_button.set_enabled(not self.hub.busy and not self.ended and refusal is None)
        self.tests_button.set_enabled(not self.hub.busy and not self.ended and refusal is None and self.has_tests)
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

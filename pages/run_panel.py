"""The Run button, Stop button and shared console of a room, wired to the interview's RunHub.

Anybody in the room may run the code (not only the host); everybody sees the same output live. The server runs
what the room's document holds, never what a browser claims the code is.
"""

import logging

from nicegui import ui

from collab import RoomRegistry
from components.run_console import RunConsole
from presence import ParticipantView
from runner import RunHub, RunRecord, RunRefused
from store import new_run, save_run

log = logging.getLogger(__name__)


def keep_run(engine, interview_id: str, record: RunRecord) -> None:
    """Store a finished run for the report and the playback timeline."""
    result = record.result
    save_run(engine, new_run(run_id=record.run_id, interview_id=interview_id, language=record.language,
                             started_by=record.started_by, started_at=record.started_at, output=record.output,
                             duration=result.duration if result else None,
                             exit_code=result.exit_code if result else None,
                             outcome=result.outcome.value if result else 'failed', summary=summary(record)[:300]))


def summary(record: RunRecord) -> str:
    result = record.result
    if result is None:
        return 'The run failed on the server (see its log).'
    code = f'exit code {result.exit_code}' if result.exit_code is not None else f'killed by {result.signal}'
    text = f'{code} · {result.duration:.2f} s'
    if not result.ok:
        text += f' · {result.reason}'
    return text


class RunPanel:
    def __init__(self, hub: RunHub, rooms: RoomRegistry, interview_id: str, participant: ParticipantView) -> None:
        self.hub = hub
        self.rooms = rooms
        self.interview_id = interview_id
        self.participant = participant
        self.ended = False
        with ui.row().classes('items-center gap-2'):
            self.run_button = ui.button('Run', icon='play_arrow', on_click=self.run) \
                .props('data-testid=run-button color=positive')
            self.stop_button = ui.button('Stop', icon='stop', on_click=self.stop) \
                .props('data-testid=stop-button outline')
            refusal = hub.runner.status if hub.runner.mode == 'off' else None
            if refusal:
                self.run_button.disable()
                self.run_button.tooltip(refusal)
        self.console = RunConsole()
        self._show(hub.last)
        unsubscribe = hub.subscribe(self._on_event)
        ui.context.client.on_delete(unsubscribe)
        self._update_buttons()

    def set_ended(self, ended: bool) -> None:
        self.ended = ended
        self._update_buttons()

    async def run(self) -> None:
        if self.ended:
            ui.notify('The interview has ended: running is off.', type='warning')
            return
        room = await self.rooms.get(self.interview_id)
        if room.ended:
            return
        try:
            self.hub.start(room.text, room.language or 'plaintext', started_by=self.participant.name)
        except RunRefused as e:
            ui.notify(str(e), type='warning')

    def stop(self) -> None:
        self.hub.stop(by=self.participant.name)

    def _show(self, record: RunRecord | None) -> None:
        if record is None:
            return
        self.console.started(record.language, record.started_by)
        for stream, text in record.output:
            self.console.append(stream, text)
        if record.ended:
            self.console.ended(summary(record))

    def _on_event(self, event: str, record: RunRecord, chunk: tuple[str, str] | None) -> None:
        if event == 'start':
            self.console.started(record.language, record.started_by)
        elif event == 'output' and chunk is not None:
            self.console.append(*chunk)
        elif event == 'end':
            self.console.ended(summary(record))
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.hub.current is not None
        if self.hub.runner.mode != 'off':
            self.run_button.set_enabled(not running and not self.ended)
        self.stop_button.set_enabled(running)

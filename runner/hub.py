"""RunHub: the run console of one interview, shared by everybody in it.

It owns the room's RoomRunner (one run at a time), keeps the current run's output so a tab that joins or reloads
mid-run sees all of it, keeps the history of runs (for the report and the playback timeline), and tells its
subscribers — the open tabs — about every start, output chunk and end at once. No NiceGUI here.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from .code_runner import CodeRunner
from .outcome import RunResult
from .room import RoomRunner
from .run import Run

log = logging.getLogger(__name__)


@dataclass
class RunRecord:
    """One run as the console and the report show it."""

    run_id: str
    language: str
    started_by: str
    started_at: float  # time.time()
    output: list[tuple[str, str]] = field(default_factory=list)  # (stdout|stderr, text) in order
    result: RunResult | None = None
    ended: bool = False  # with result None: the run itself failed (logged)


Subscriber = Callable[[str, RunRecord, tuple[str, str] | None], None]  # (event, record, chunk)
OnEnd = Callable[[RunRecord], None]


class RunHub:
    def __init__(self, runner: CodeRunner, *, on_end: OnEnd | None = None) -> None:
        self.runner = runner
        self.on_end = on_end  # keeps the finished run somewhere durable (the app: the database)
        self.room_runner = RoomRunner(runner)
        self.history: list[RunRecord] = []
        self._subscribers: list[Subscriber] = []
        self._watchers: set[asyncio.Task] = set()

    @property
    def current(self) -> RunRecord | None:
        return self.history[-1] if self.history and not self.history[-1].ended else None

    @property
    def last(self) -> RunRecord | None:
        return self.history[-1] if self.history else None

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: callback in self._subscribers and self._subscribers.remove(callback)

    def start(self, code: str, language: str, *, started_by: str) -> RunRecord:
        """Start a run of `code`; raises RunRefused (busy, unsupported language, sandbox off) with the reason."""
        record: RunRecord | None = None

        def on_output(stream: str, text: str) -> None:
            if record is not None:
                record.output.append((stream, text))
                self._notify('output', record, (stream, text))

        run = self.room_runner.start(code, language, on_output, started_by=started_by)
        record = RunRecord(run_id=run.id, language=language, started_by=started_by, started_at=time.time())
        self.history.append(record)
        self._notify('start', record, None)
        self._watchers.add(task := asyncio.create_task(self._finish(record, run)))
        task.add_done_callback(self._watchers.discard)
        return record

    def stop(self, by: str) -> bool:
        return self.room_runner.stop(by)

    async def _finish(self, record: RunRecord, run: Run) -> None:
        try:
            record.result = await run.wait()
        except Exception:
            log.exception('run %s failed', record.run_id)
        record.ended = True
        self._notify('end', record, None)
        if self.on_end is not None:
            try:
                self.on_end(record)
            except Exception:
                log.exception('keeping run %s failed', record.run_id)

    def _notify(self, event: str, record: RunRecord, chunk: tuple[str, str] | None) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event, record, chunk)
            except Exception:
                log.exception('run subscriber failed')


class RunHubs:
    """One RunHub per interview, created on first use. `on_end(interview_id, record)` is told of every
    finished run."""

    def __init__(self, runner: CodeRunner, *, on_end: Callable[[str, RunRecord], None] | None = None) -> None:
        self.runner = runner
        self.on_end = on_end
        self._hubs: dict[str, RunHub] = {}

    def get(self, interview_id: str) -> RunHub:
        hub = self._hubs.get(interview_id)
        if hub is None:
            on_end = (lambda record: self.on_end(interview_id, record)) if self.on_end is not None else None
            hub = self._hubs[interview_id] = RunHub(self.runner, on_end=on_end)
        return hub

    async def close(self) -> None:
        await self.runner.stop_all(by='the server')

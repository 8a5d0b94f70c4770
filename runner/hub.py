"""RunHub: the run console of one interview, shared by everybody in it.

It owns the room's RoomRunner (one run at a time), keeps the current run's output so a tab that joins or reloads
mid-run sees all of it, keeps the history of runs (for the report and the playback timeline), and tells its
subscribers — the open tabs — about every start, output chunk and end at once. No NiceGUI here.

With several instances (pages/run_link.py) a room's run is one across all of them: a lock shared through the
database (store.locks) decides who may start, every event goes out through `outbound`, and the other instances'
hubs mirror it (`apply_remote`) so their tabs see the same console; a run whose instance dies ends as failed.
The run's stdin goes with its start and its markers (errors with a line of the document) with its end: another
instance's message is read as untrusted, and a marker that does not validate is dropped, never the run's end.

Run tests (`start_tests`) holds the same lock for the whole set of cases, so a Run and a Run tests exclude each
other on every instance, and Stop stops a set too (its record's Stopper here, or a 'stop' to the instance running
it). The hub does not know questions (they import the runner): it runs the caller's job and keeps what it
returns, the interviewer's view of the results, which only goes server to server; the pages choose what each
tab's role may see of it. A picked question is announced through the hub too (`announce_question`), so
every instance's tabs read the new one from the database.
"""

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Protocol

from .code_runner import CodeRunner
from .errors import RunBusy, RunRefused
from .hub_wire import remote_result, remote_tests, result_data
from .outcome import Outcome, RunResult
from .program import Stopper
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
    instance: str | None = None  # the other instance that runs it (None: this one)
    stdin: str = ''  # what the program was given on its standard input (the room's stdin box at Run)


@dataclass
class TestRecord:
    """One press of Run tests: every case of the interview's question against the document."""

    __test__ = False
    run_id: str
    language: str
    started_by: str
    started_at: float  # time.time()
    result: dict | None = None  # the interviewer's view (questions.TestRun.view('interviewer')); None: no result
    ended: bool = False
    reason: str = ''  # why there is no result (refused, failed on the server, its instance stopped)
    instance: str | None = None  # the other instance that runs it (None: this one)
    # Stops the set (its case going on and the rest) when it runs here: the job gives it to questions.run_tests.
    stopper: Stopper | None = field(default=None, repr=False, compare=False)


# (event, record, chunk): start/output/end with a RunRecord, tests_start/tests_end with a TestRecord, question
# with None
Subscriber = Callable[[str, 'RunRecord | TestRecord | None', tuple[str, str] | None], None]
TestJob = Callable[[TestRecord], Awaitable[dict]]  # runs the cases, returns the interviewer's view
OnRun = Callable[[RunRecord], None]  # told a run's record when it starts, or when it ends (to keep it)


class RunLock(Protocol):
    """One run per room across instances (store.locks.RoomRunLock)."""

    def try_acquire(self, room_id: str) -> bool: ...

    def release(self, room_id: str) -> None: ...


class RunHub:
    def __init__(self, runner: CodeRunner, *, on_end: OnRun | None = None, room_id: str = '',
                 lock: RunLock | None = None, on_start: OnRun | None = None) -> None:
        self.runner = runner
        self.on_end = on_end  # keeps the finished run somewhere durable (the app: the database)
        # keeps a run that starts here as going (the app: a RUNNING row), so that if this process dies the run is
        # not lost from the interview's history: whoever finds the row with its room's lock free fails it
        self.on_start = on_start
        self.room_id = room_id
        self.lock = lock
        self.outbound: Callable[[str, dict], None] | None = None  # (event, data) to the other instances
        self.room_runner = RoomRunner(runner)
        self.history: list[RunRecord] = []
        self.tests: list[TestRecord] = []
        self.question_version = ''  # the last question announced here or by another instance
        self._subscribers: list[Subscriber] = []
        self._watchers: set[asyncio.Task] = set()

    @property
    def current(self) -> RunRecord | None:
        return self.history[-1] if self.history and not self.history[-1].ended else None

    @property
    def last(self) -> RunRecord | None:
        return self.history[-1] if self.history else None

    @property
    def testing(self) -> TestRecord | None:
        """The Run tests going on (here or on another instance), or None."""
        return self.tests[-1] if self.tests and not self.tests[-1].ended else None

    @property
    def busy(self) -> bool:
        return self.current is not None or self.testing is not None

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: callback in self._subscribers and self._subscribers.remove(callback)

    def start(self, code: str, language: str, *, started_by: str, stdin: str = '') -> RunRecord:
        """Start a run of `code` with `stdin` as its standard input; raises RunRefused (busy, unsupported language,
        sandbox off) with the reason."""
        if self.current is not None and self.current.instance is not None:
            raise RunBusy(f'{self.current.started_by} is running the code already; wait for it to end or stop it')
        if self.testing is not None:
            raise RunBusy(f'{self.testing.started_by} is running the tests; wait for them to end')
        if self.lock is not None and not self.lock.try_acquire(self.room_id):
            raise RunBusy('someone is running the code in this room already; wait for it to end or stop it')
        try:
            return self._start(code, language, started_by, stdin)
        except BaseException:
            if self.lock is not None:
                self.lock.release(self.room_id)
            raise

    def _start(self, code: str, language: str, started_by: str, stdin: str) -> RunRecord:
        record: RunRecord | None = None

        def on_output(stream: str, text: str) -> None:
            if record is not None:
                record.output.append((stream, text))
                self._notify('output', record, (stream, text))

        run = self.room_runner.start(code, language, on_output, started_by=started_by, stdin=stdin)
        record = RunRecord(run_id=run.id, language=language, started_by=started_by, started_at=time.time(),
                           stdin=stdin)
        self.history.append(record)
        if self.on_start is not None:
            try:  # before the end can be kept: both are written in this order, on this loop
                self.on_start(record)
            except Exception as error:  # the store is away: the run goes on, and its end is kept when it can be
                log.warning('keeping run %s as started failed: %s', record.run_id, ' '.join(str(error).split())[:300])
        self._notify('start', record, None)
        self._watchers.add(task := asyncio.create_task(self._finish(record, run)))
        task.add_done_callback(self._watchers.discard)
        return record

    def start_tests(self, language: str, job: TestJob, *, started_by: str) -> TestRecord:
        """Run tests: `job(record)` runs every case (questions.run_tests) and returns the interviewer's view of the
        results. It holds the room's run lock until it ends; raises RunBusy while a run or another set goes."""
        if self.busy:
            raise RunBusy('the code or the tests are running in this room already; wait for them to end')
        if self.lock is not None and not self.lock.try_acquire(self.room_id):
            raise RunBusy('someone is running the code in this room already; wait for it to end or stop it')
        record = TestRecord(run_id=secrets.token_urlsafe(9), language=language, started_by=started_by,
                            started_at=time.time(), stopper=Stopper())
        self.tests.append(record)
        self._notify('tests_start', record, None)
        self._watchers.add(task := asyncio.create_task(self._finish_tests(record, job)))
        task.add_done_callback(self._watchers.discard)
        return record

    async def _finish_tests(self, record: TestRecord, job: TestJob) -> None:
        try:
            record.result = await job(record)
        except RunRefused as e:
            record.reason = str(e)
        except Exception:
            log.exception('test run %s failed', record.run_id)
            record.reason = 'the tests failed on the server (see its log)'
        finally:
            record.ended = True
            if self.lock is not None:
                self.lock.release(self.room_id)
        self._notify('tests_end', record, None)

    def announce_question(self, version: str) -> None:
        """A question was picked (stored already): every tab, on every instance, reads it again."""
        self.question_version = version
        if self.outbound is not None:
            self.outbound('question', {'version': version})
        self._tell('question', None, None)

    def stop(self, by: str) -> bool:
        """Stop the run or the Run tests going on, wherever it runs; False if there is nothing to stop here."""
        testing = self.testing
        if testing is not None and testing.instance is None:
            return testing.stopper.stop(by)
        if testing is not None and self.outbound is not None:
            self.outbound('stop', {'run_id': testing.run_id, 'by': by})  # its instance stops it
            return True
        current = self.current
        if current is not None and current.instance is not None and self.outbound is not None:
            self.outbound('stop', {'run_id': current.run_id, 'by': by})  # its instance stops it
            return True
        return self.room_runner.stop(by)

    # -- several instances -------------------------------------------------------------------------------------

    def apply_remote(self, instance: str, event: str, data: dict) -> None:
        """An event of a run on another instance (validated by the caller's JSON reading: ValueError if odd)."""
        if event == 'stop':
            current, testing, by = self.current, self.testing, str(data.get('by', 'someone'))[:80]
            if current is not None and current.instance is None and current.run_id == data.get('run_id'):
                self.room_runner.stop(by)
            elif testing is not None and testing.instance is None and testing.run_id == data.get('run_id'):
                testing.stopper.stop(by)
            return
        if event in ('tests_start', 'tests_end', 'question'):
            self._applyremote_tests(instance, event, data)
            return
        run_id = str(data['run_id'])
        record = next((r for r in reversed(self.history) if r.run_id == run_id), None)
        if event == 'start' and record is None:
            record = RunRecord(run_id=run_id, language=str(data['language']), started_by=str(data['started_by']),
                               started_at=float(data['started_at']), instance=instance,
                               stdin=str(data.get('stdin', '')))
            self.history.append(record)
        elif record is None or record.instance != instance or record.ended:
            return
        elif event == 'output':
            chunk = (str(data['stream']), str(data['text']))
            record.output.append(chunk)
            self._notify('output', record, chunk)
            return
        elif event == 'end':
            record.result = remote_result(data.get('result'), instance)
            record.ended = True
        else:
            return
        self._notify(event, record, None)

    def drop_instance(self, instance: str) -> None:
        """The instance running the current run is gone: the run ended, as a failure with the reason."""
        current = self.current
        if current is None or current.instance != instance:
            return
        current.result = RunResult(run_id=current.run_id, language=current.language, outcome=Outcome.FAILED,
                                   reason='the server that ran it stopped; run it again', exit_code=None,
                                   signal=None, duration=time.time() - current.started_at, output_bytes=0,
                                   truncated=False, timed_out=False, stopped_by=None, unsafe=False,
                                   started_by=current.started_by)
        current.ended = True
        self._notify('end', current, None)
        if self.on_end is not None:
            self.on_end(current)  # kept by a survivor: its instance could not

    def _applyremote_tests(self, instance: str, event: str, data: dict) -> None:
        if event == 'question':
            version = data['version']
            if not isinstance(version, str) or len(version) > 64:
                raise ValueError('a question version must be a short string')
            self.question_version = version
            self._tell('question', None, None)
            return
        run_id = data['run_id']
        if not isinstance(run_id, str) or len(run_id) > 32:
            raise ValueError('a test run id must be a short string')
        record = next((r for r in reversed(self.tests) if r.run_id == run_id), None)
        if event == 'tests_start':
            if record is not None:
                return
            record = TestRecord(run_id=run_id, language=str(data['language'])[:32],
                                started_by=str(data['started_by'])[:80], started_at=float(data['started_at']),
                                instance=instance)
            self.tests.append(record)
        elif record is None or record.instance != instance or record.ended:
            return
        else:  # tests_end
            record.result = remote_tests(data.get('result'))
            record.reason = str(data.get('reason', ''))[:300]
            record.ended = True
        self._tell(event, record, None)

    def drop_testing(self, instance: str) -> None:
        """The instance running the current Run tests is gone: the set ended with no result, saying why."""
        testing = self.testing
        if testing is not None and testing.instance == instance:
            testing.reason, testing.ended = 'the server that ran the tests stopped; run them again', True
            self._tell('tests_end', testing, None)

    async def _finish(self, record: RunRecord, run: Run) -> None:
        try:
            record.result = await run.wait()
        except Exception:
            log.exception('run %s failed', record.run_id)
        record.ended = True
        if self.lock is not None:
            self.lock.release(self.room_id)
        self._notify('end', record, None)
        if self.on_end is not None:
            try:
                self.on_end(record)
            except Exception:
                log.exception('keeping run %s failed', record.run_id)

    def _notify(self, event: str, record: RunRecord | TestRecord, chunk: tuple[str, str] | None) -> None:
        if record.instance is None and self.outbound is not None:
            data: dict = {'run_id': record.run_id}
            if event == 'tests_start':
                data.update(language=record.language, started_by=record.started_by, started_at=record.started_at)
            elif event == 'tests_end':
                data.update(result=record.result, reason=record.reason)
            elif event == 'start':
                data.update(language=record.language, started_by=record.started_by, started_at=record.started_at,
                            stdin=record.stdin)
            elif event == 'output' and chunk is not None:
                data.update(stream=chunk[0], text=chunk[1])
            elif event == 'end':
                data['result'] = result_data(record.result) if record.result else None
            self.outbound(event, data)
        self._tell(event, record, chunk)

    def _tell(self, event: str, record: RunRecord | TestRecord | None, chunk: tuple[str, str] | None) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event, record, chunk)
            except Exception:
                log.exception('run subscriber failed')


class RunHubs:
    """One RunHub per interview, created on first use. `on_end(interview_id, record)` is told of every
    finished run, `on_start(interview_id, record)` of every run that starts on this instance."""

    def __init__(self, runner: CodeRunner, *, on_end: Callable[[str, RunRecord], None] | None = None,
                 lock: RunLock | None = None, on_start: Callable[[str, RunRecord], None] | None = None) -> None:
        self.runner = runner
        self.on_end = on_end
        self.on_start = on_start
        self.lock = lock
        self.on_hub: Callable[[str, RunHub], None] = lambda interview_id, hub: None  # a hub was made
        self._hubs: dict[str, RunHub] = {}

    def get(self, interview_id: str) -> RunHub:
        hub = self._hubs.get(interview_id)
        if hub is None:
            on_end = (lambda record: self.on_end(interview_id, record)) if self.on_end is not None else None
            on_start = (lambda record: self.on_start(interview_id, record)) if self.on_start is not None else None
            hub = self._hubs[interview_id] = RunHub(self.runner, on_end=on_end, room_id=interview_id, lock=self.lock,
                                                    on_start=on_start)
            self.on_hub(interview_id, hub)
        return hub

    def hubs(self) -> list[RunHub]:
        return list(self._hubs.values())

    async def close(self) -> None:
        for hub in self.hubs():  # a set's next case must not start once its current one is stopped
            if hub.testing is not None and hub.testing.stopper is not None:
                hub.testing.stopper.stop('the server')
        await self.runner.stop_all(by='the server')

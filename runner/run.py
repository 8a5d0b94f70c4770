"""One execution of a program: start it, stream its output, enforce the wall clock and the output cap, stop it.

Everything here is asyncio (subprocess pipes, timers), so a run never blocks the event loop the rooms share. The
kernel enforces CPU, memory and process limits inside the sandbox; this class enforces what only the server can
see: time passing while the program sleeps, bytes reaching the console, and someone pressing Stop.
"""

import asyncio
import codecs
import inspect
import json
import logging
import os
import secrets
import shutil
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from . import phases
from .diagnostics import markers
from .languages import Runtime
from .launch import Launch
from .limits import RunLimits
from .outcome import Outcome, RunResult, classify, classify_compile

log = logging.getLogger(__name__)

SETPRIV = shutil.which('setpriv') or '/usr/bin/setpriv'  # util-linux, on every Debian

# on_output(stream, text): stream is 'stdout' or 'stderr'; text is decoded UTF-8 (invalid bytes replaced). It may
# be a coroutine function. Calls come in output order, at most one per stream switch every COALESCE_SECONDS.
OutputCallback = Callable[[str, str], Awaitable[None] | None]

CHUNK = 4096
STDERR_TAIL = 4096      # characters of stderr kept (first and last) to recognise an out-of-memory message
DRAIN_SECONDS = 1.0     # after the program ends, how long its pipes may take to reach end-of-file
# Output gathered this long before on_output is called: an unbuffered Python traceback arrives as ~100 writes of a
# few bytes, which would otherwise be ~100 messages to every peer of the room. 30 ms still reads as live.
COALESCE_SECONDS = 0.03
KILL_GRACE = 2.0        # after killing the sandbox's pid 1, how long bwrap may take to exit


class Launcher(Protocol):
    sandboxed: bool

    def launch(self, code: str, runtime: Runtime, limits: RunLimits, run_id: str,
               stdin: str = ''): ...  # context manager -> Launch


class Run:
    """A program running (or finished). Created by CodeRunner.start; `await run.wait()` gives its RunResult."""

    def __init__(self, *, launcher: Launcher, code: str, runtime: Runtime, limits: RunLimits,
                 on_output: OutputCallback | None = None, started_by: str | None = None, stdin: str = '') -> None:
        self.id = secrets.token_hex(6)
        self.language = runtime.id
        self.limits = limits
        self.started_by = started_by
        self.started_at = time.time()
        self._launcher = launcher
        self._code = code
        self._stdin = stdin
        self._runtime = runtime
        self._on_output = on_output
        self._end_requested = asyncio.Event()   # set by stop() and by the output cap
        self._stopped_by: str | None = None
        self._truncated = False
        self._timed_out = False
        self._bytes = 0
        self._stderr_tail = ''
        self._stderr_head = ''
        self._pending: list[tuple[str, str]] = []   # output not yet given to on_output, in order
        self._flusher: asyncio.Task | None = None
        self._pid: int | None = None
        self._output: list[str] = []                # all output, up to the cap: the markers are read from it
        self._compiling = runtime.compiled           # until the compile step says 'run'
        self._compile_status: int | None = None      # what a failed compile step reported
        self.first_output_at: float | None = None    # time.monotonic() of the first output byte (benchmarks)
        self._task = asyncio.get_running_loop().create_task(self._execute(), name=f'pairpad-run-{self.id}')

    @property
    def done(self) -> bool:
        return self._task.done()

    @property
    def pid(self) -> int | None:
        """The pid of the process the server started (bwrap, or the launcher when unsafe), once started."""
        return self._pid

    def stop(self, by: str = 'someone') -> bool:
        """Kill the program; its result will say 'stopped by <by>'. False if it already ended or is ending."""
        if self.done or self._end_requested.is_set():
            return False
        log.info('run %s: stop requested by %s', self.id, by)
        self._stopped_by = by
        self._end_requested.set()
        return True

    async def wait(self) -> RunResult:
        """The result once the program has ended and its output has been delivered."""
        return await asyncio.shield(self._task)

    @property
    def result(self) -> RunResult | None:
        """The result once the run has ended (None before, or if the run itself failed)."""
        if not self._task.done() or self._task.cancelled() or self._task.exception() is not None:
            return None
        return self._task.result()

    def add_done_callback(self, callback: Callable[['Run'], None]) -> None:
        self._task.add_done_callback(lambda _: callback(self))

    async def _execute(self) -> RunResult:
        try:
            with self._launcher.launch(self._code, self._runtime, self.limits, self.id, self._stdin) as launch:
                return await self._supervise(launch)
        except OSError as e:
            log.warning('run %s could not start: %s', self.id, e)
            return self._result(Outcome.FAILED, f'could not start: {e}', None, None, 0.0,
                                sandboxed=self._launcher.sandboxed)

    async def _supervise(self, launch: Launch) -> RunResult:
        transport, protocol, proc = await _spawn(launch)
        launch.on_spawned()
        started = time.monotonic()
        self._pid = proc.pid
        log.info('run %s: %s started (pid %d, %s)', self.id, self.language, proc.pid,
                 'sandboxed' if launch.sandboxed else 'UNSAFE, no sandbox')
        pumps = [asyncio.create_task(self._pump(proc.stdout, 'stdout')),
                 asyncio.create_task(self._pump(proc.stderr, 'stderr'))]
        exited = asyncio.create_task(protocol.exited.wait())
        end_requested = asyncio.create_task(self._end_requested.wait())
        sandbox_init = asyncio.create_task(_read_child_pid(launch.info_fd)) if launch.info_fd is not None else None
        status = await _pipe_reader(launch.status_fd) if launch.status_fd is not None else None
        try:
            done = await self._watch(started, exited, end_requested, status)
            if exited not in done:
                self._timed_out = not done
                await _end(proc, exited, sandbox_init)
            elif not launch.sandboxed:
                _kill_group(proc)  # unsafe: children left in the process group (a sandbox's die with its namespace)
            duration = time.monotonic() - started
            await _drain(pumps)
            if self._flusher is not None:
                await self._flusher
            await self._flush()
        finally:
            for task in (exited, end_requested, sandbox_init, self._flusher, *pumps):
                if task is not None:
                    task.cancel()
            if proc.returncode is None:  # cancelled (server shutting down): never leave the program behind
                _kill_group(proc)
            transport.close()
            if status is not None:
                status[1].close()
        if self._compiling:
            outcome, reason, code, sig = classify_compile(
                self._compile_status, limits=self.limits, compile_seconds=self.limits.compile_seconds,
                memory_bytes=self._runtime.compile_memory, stopped_by=self._stopped_by, truncated=self._truncated,
                timed_out=self._timed_out, stderr_tail=self._stderr_head + '\n' + self._stderr_tail)
        else:
            outcome, reason, code, sig = classify(
                proc.returncode, sandboxed=launch.sandboxed, limits=self.limits, stopped_by=self._stopped_by,
                truncated=self._truncated, timed_out=self._timed_out,
                stderr_tail=self._stderr_head + '\n' + self._stderr_tail)
        result = self._result(outcome, reason, code, sig, duration, sandboxed=launch.sandboxed)
        log.info('run %s: %s after %.2f s (%s)', self.id, outcome.value, duration, reason)
        return result

    async def _watch(self, started: float, exited: asyncio.Task, end_requested: asyncio.Task,
                     status: tuple[asyncio.StreamReader, asyncio.BaseTransport] | None) -> set:
        """Wait for the end, a stop or the wall clock: the compile limit while compiling, then the run's own limit
        from the moment the compile step reports success. Returns the tasks done (none: the clock ran out)."""
        deadline = started + (self.limits.compile_seconds if self._compiling else self.limits.wall_seconds)
        report = asyncio.create_task(status[0].readline()) if status is not None else None
        try:
            while True:
                waiting = {exited, end_requested} | ({report} if report is not None else set())
                done, _ = await asyncio.wait(waiting, timeout=max(0.0, deadline - time.monotonic()),
                                             return_when=asyncio.FIRST_COMPLETED)
                if report is not None and (report in done or exited in done):
                    if exited in done and not report.done():  # written before the script ended: read it
                        await asyncio.wait({report}, timeout=DRAIN_SECONDS)
                    if report.done() and self._reported(report.result()):
                        deadline = time.monotonic() + self.limits.wall_seconds
                    report = None
                    if exited not in done and end_requested not in done:
                        continue
                return done
        finally:
            if report is not None:
                report.cancel()

    def _reported(self, line: bytes) -> bool:
        """Take the compile step's one report; True if the program has started."""
        parsed = phases.parse_status(line.decode(errors='replace'))
        if parsed is None:
            return False
        if parsed[0] == phases.COMPILED:
            self._compiling = False
            return True
        self._compile_status = parsed[1]
        return False

    def _result(self, outcome: Outcome, reason: str, code: int | None, sig: str | None, duration: float, *,
                sandboxed: bool) -> RunResult:
        return RunResult(run_id=self.id, language=self.language, outcome=outcome, reason=reason, exit_code=code,
                         signal=sig, duration=duration, output_bytes=self._bytes, truncated=self._truncated,
                         timed_out=self._timed_out, stopped_by=self._stopped_by, unsafe=not sandboxed,
                         started_by=self.started_by, markers=markers(self.language, ''.join(self._output)))

    async def _pump(self, stream: asyncio.StreamReader, name: str) -> None:
        decoder = codecs.getincrementaldecoder('utf-8')(errors='replace')
        while not self._truncated:
            data = await stream.read(CHUNK)
            if not data:
                await self._emit(name, decoder.decode(b'', final=True))
                return
            room = self.limits.output_bytes - self._bytes
            if len(data) > room:
                data = data[:room]
                self._truncated = True
                self._end_requested.set()
            self._bytes += len(data)
            await self._emit(name, decoder.decode(data))

    async def _emit(self, name: str, text: str) -> None:
        if not text:
            return
        if self.first_output_at is None:
            self.first_output_at = time.monotonic()
        self._output.append(text)
        if name == 'stderr':  # head and tail: Go's out-of-memory line comes before pages of goroutine dumps
            if len(self._stderr_head) < STDERR_TAIL:
                self._stderr_head += text[:STDERR_TAIL - len(self._stderr_head)]
            self._stderr_tail = (self._stderr_tail + text)[-STDERR_TAIL:]
        if self._on_output is None:
            return
        if self._pending and self._pending[-1][0] == name:
            self._pending[-1] = (name, self._pending[-1][1] + text)
        else:
            self._pending.append((name, text))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(COALESCE_SECONDS)
        await self._flush()

    async def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for name, text in pending:
            try:
                maybe = self._on_output(name, text)
                if inspect.isawaitable(maybe):
                    await maybe
            except Exception:  # a broken console must not break the run
                log.warning('run %s: output callback failed', self.id, exc_info=True)


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's own protocol plus an event set when the process exits. Process.wait() also waits for the pipes to
    close, which a process escaped from the run (unsafe mode) can hold open for ever."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=2 ** 16, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


async def _spawn(launch: Launch) -> tuple[asyncio.SubprocessTransport, _Protocol, asyncio.subprocess.Process]:
    """asyncio.create_subprocess_exec, keeping the transport (to close it) and the protocol (for `exited`)."""
    loop = asyncio.get_running_loop()
    popen = dict(launch.popen)
    argv = list(launch.argv)
    if 'user' in popen:
        # Drop to the sandbox uid with setpriv rather than Popen's user=/group=: the app's event loop is uvloop
        # (under uvicorn), whose subprocess_exec does not take those arguments.
        uid, gid = popen.pop('user'), popen.pop('group')
        popen.pop('extra_groups', None)
        argv = [SETPRIV, f'--reuid={uid}', f'--regid={gid}', '--clear-groups', '--', *argv]
    transport, protocol = await loop.subprocess_exec(
        lambda: _Protocol(loop), *argv,
        stdin=launch.stdin if launch.stdin is not None else asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, start_new_session=True, **popen)
    return transport, protocol, asyncio.subprocess.Process(transport, protocol, loop)


async def _end(proc: asyncio.subprocess.Process, exited: asyncio.Task, sandbox_init: asyncio.Task | None) -> None:
    """Kill the program and wait until the process the server started has exited.

    In the sandbox, SIGKILL goes to the sandbox's pid 1: that ends its whole pid namespace at once, and bwrap, still
    alive, reaps it and exits. Killing bwrap instead would orphan pid 1, a zombie for the host's init to reap (which
    some container inits never do). If the pid is unknown or bwrap lingers, the process group goes too.
    """
    if sandbox_init is not None and not sandbox_init.done():  # stopped at once: bwrap is about to tell the pid
        await asyncio.wait({sandbox_init, exited}, timeout=KILL_GRACE, return_when=asyncio.FIRST_COMPLETED)
    pid1 = sandbox_init.result() if sandbox_init is not None and sandbox_init.done() else None
    if pid1 is not None:
        try:
            os.kill(pid1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        done, _ = await asyncio.wait({exited}, timeout=KILL_GRACE)
        if done:
            return
    _kill_group(proc)
    await exited


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the process group the server started (bwrap, or the unsafe launcher's program and its children).
    bwrap's death kills the sandbox's pid 1 (--die-with-parent), and with it the sandbox's pid namespace."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


async def _pipe_reader(fd: int) -> tuple[asyncio.StreamReader, asyncio.BaseTransport]:
    """An asyncio reader of a pipe's read end (a dup of `fd`: the launch closes its own)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                os.fdopen(os.dup(fd), 'rb', buffering=0))
    return reader, transport


async def _read_child_pid(fd: int) -> int | None:
    """The host pid of the sandbox's pid 1, from bwrap's --info-fd JSON ({"child-pid": N, ...})."""
    reader, transport = await _pipe_reader(fd)
    try:
        return int(json.loads(await reader.readuntil(b'}'))['child-pid'])
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, KeyError, TypeError):
        return None
    finally:
        transport.close()


async def _drain(pumps: list[asyncio.Task]) -> None:
    """Let the readers reach end-of-file; give up on pipes an escaped process still holds (unsafe mode)."""
    _, pending = await asyncio.wait(pumps, timeout=DRAIN_SECONDS)
    for pump in pending:
        pump.cancel()

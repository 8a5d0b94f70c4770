"""The code runner: Python and JavaScript run in a bubblewrap sandbox, output streams as it comes, and every hostile
program of docs/sandbox.md is contained while the event loop stays responsive.

Limits are small here (1 s of CPU, 16 processes, 128 MB) so the suite stays fast; wall-clock limits are generous
because a loaded 2-core CI machine runs a niced sandbox slowly.
"""

import asyncio
import os
import sqlite3
import time
from pathlib import Path

import psutil
import pytest

from config import Settings
from languages import LANGUAGES
from runner import (CodeRunner, Outcome, RoomRunner, RunBusy, RunLimits, RunnerSettings, RunnerUnavailable,
                    TooManyRuns, UnsupportedLanguage, sandbox_available)
from runner.languages import find_runtimes
from tests.sandbox import sandboxed_runner

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = RunnerSettings(max_concurrent=8)
FAST = RunLimits(cpu_seconds=1, wall_seconds=10, memory_bytes=128 * 1024 * 1024, max_processes=16)


@pytest.fixture(scope='module')
def runner() -> CodeRunner:
    return sandboxed_runner(SETTINGS, FAST)


class Console:
    """An on_output callback that records (stream, text) and lets a test wait for some text."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, str]] = []
        self._changed = asyncio.Event()

    def __call__(self, stream: str, text: str) -> None:
        self.chunks.append((stream, text))
        self._changed.set()

    def text(self, stream: str | None = None) -> str:
        return ''.join(t for s, t in self.chunks if stream is None or s == stream)

    async def wait_for(self, needle: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())


class LoopLag:
    """The longest single step of the event loop (one callback, or one step of a task) while the block runs: what
    every room of the server would have waited behind. Timed inside the step, not between the ticks of a timer: a
    loaded machine that does not schedule an idle process delays the next tick with nothing blocking the loop (a
    10 ms ticker saw 0.28 s beside 4 CPU hogs and 0.58 s in a clean-clone run, during the C fork bomb). `ticks` is
    that ticker's worst lateness, kept for the failure message."""

    def __init__(self) -> None:
        self.worst = 0.0  # the longest step, in seconds
        self.ticks = 0.0
        self._task: asyncio.Task | None = None
        self._run = asyncio.Handle._run

    async def _tick(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            self.ticks = max(self.ticks, time.monotonic() - before - 0.01)

    async def __aenter__(self) -> 'LoopLag':
        run, lag = self._run, self

        def timed(handle: asyncio.Handle) -> None:
            began = time.monotonic()
            try:
                run(handle)
            finally:
                lag.worst = max(lag.worst, time.monotonic() - began)

        asyncio.Handle._run = timed  # TimerHandle inherits it: call_soon and call_later steps alike
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.sleep(0)  # ends the step that ran the block's last statement, so that it is timed too
        asyncio.Handle._run = self._run
        self._task.cancel()

    def __str__(self) -> str:
        return f'the event loop was held {self.worst:.2f} s by one step (the 10 ms ticker was {self.ticks:.2f} s late)'


async def test_the_loop_probe_sees_a_step_that_blocks_and_not_an_idle_loop():
    """LoopLag, which the fork-bomb tests trust, can fail: a step that blocks 0.3 s is seen, a sleeping loop is not."""
    async with LoopLag() as idle:
        await asyncio.sleep(0.1)
    async with LoopLag() as blocked:
        await asyncio.sleep(0.02)
        time.sleep(0.3)  # what a blocking call in the runner would do to every room
    assert idle.worst < 0.1, idle
    assert blocked.worst >= 0.3, blocked


def leftovers(run_id: str, since: float) -> list[str]:
    """Processes of a run still on the machine: those whose environment has its PAIRPAD_RUN_ID (the program and
    everything it forked) and, when the tests run as root (so the sandbox runs as SETTINGS.sandbox_uid), zombies of
    that uid born since the run began under this test process (a zombie's environment cannot be read; another
    pytest worker's runs are not this one's)."""
    found = []
    for p in psutil.process_iter(['pid', 'name', 'uids', 'create_time', 'status']):
        try:
            mine = p.environ().get('PAIRPAD_RUN_ID') == run_id
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            mine = False
        if os.geteuid() == 0 and p.info['status'] == psutil.STATUS_ZOMBIE and p.info['uids'] is not None:
            mine = mine or (p.info['uids'].real == SETTINGS.sandbox_uid and p.info['create_time'] >= since - 1
                            and _descends_from_this_process(p))
        if mine:
            found.append(f'{p.info["pid"]} {p.info["name"]} ({p.info["status"]})')
    return found


def _descends_from_this_process(process: psutil.Process) -> bool:
    try:
        return any(parent.pid == os.getpid() for parent in process.parents())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


async def assert_nothing_left(run_id: str, since: float, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := leftovers(run_id, since)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not left, f'processes of run {run_id} outlived it: {left}'


async def run(runner: CodeRunner, code: str, language: str = 'python', limits: RunLimits = FAST):
    console = Console()
    since = time.time()
    result = await runner.run(code, language, console, limits=limits)
    await assert_nothing_left(result.run_id, since)
    return result, console


# --- ordinary programs -------------------------------------------------------------------------------------------

async def test_python_prints_42_on_stdout_and_exits_0(runner):
    result, console = await run(runner, 'print(6*7)')
    # the output streams as it comes: on a loaded machine '42' and '\n' may be two reads, so compare the streams
    assert console.text('stdout') == '42\n' and console.text('stderr') == ''
    assert result.ok and result.exit_code == 0 and result.outcome is Outcome.EXITED and not result.unsafe
    assert result.reason == 'exited with code 0' and result.duration > 0


def test_runs_under_uvloop_like_the_app(runner):
    """The app's event loop is uvloop (uvicorn's): its subprocess API takes no user=/group= arguments."""
    import uvloop

    async def main():
        console = Console()
        return await runner.run('print(6*7)', 'python', console, limits=FAST), console

    result, console = uvloop.run(main())
    assert result.ok and console.text('stdout') == '42\n' and console.text('stderr') == ''


async def test_stderr_is_told_apart_from_stdout_and_the_exit_code_is_kept(runner):
    result, console = await run(runner, 'import sys\nprint("out")\nprint("err", file=sys.stderr)\nsys.exit(3)')
    assert console.text('stdout') == 'out\n' and console.text('stderr') == 'err\n'
    assert result.exit_code == 3 and result.outcome is Outcome.EXITED and result.reason == 'exited with code 3'


async def test_javascript_runs_in_node_with_stdout_and_stderr(runner):
    result, console = await run(runner, 'console.log(6*7); console.error("bad")', 'javascript')
    assert console.text('stdout') == '42\n' and console.text('stderr') == 'bad\n'
    assert result.ok and result.language == 'javascript'


async def test_output_streams_while_the_program_is_still_running(runner):
    console = Console()
    current = runner.start('import time\nprint("first")\ntime.sleep(30)\nprint("never")', 'python', console)
    await console.wait_for('first\n')
    assert not current.done
    current.stop('the test')
    result = await current.wait()
    assert console.text() == 'first\n' and result.outcome is Outcome.STOPPED


async def test_a_language_that_cannot_run_is_refused_with_a_clear_message(runner):
    with pytest.raises(UnsupportedLanguage, match='Plain text is not a program'):
        runner.start('hello', 'plaintext')
    with pytest.raises(UnsupportedLanguage, match="'cobol' is not a language this server knows"):
        runner.start('DISPLAY "HI".', 'cobol')
    assert runner.refusal('python') is None and runner.refusal('plaintext').startswith('Plain text is not a program')
    assert {'python', 'javascript'} <= set(runner.languages)
    assert runner.versions['python'].startswith('Python 3') and runner.versions['javascript'].startswith('Node.js ')


# --- hostile programs (docs/sandbox.md lists each with its outcome) ------------------------------------------------

@pytest.mark.parametrize('language,code', [('python', 'while True: pass'), ('javascript', 'for (;;) {}')])
async def test_infinite_loop_is_ended_by_the_cpu_limit(runner, language, code):
    result, _ = await run(runner, code, language)
    assert result.outcome is Outcome.CPU_LIMIT and result.signal == 'SIGXCPU'
    assert result.reason == 'CPU time limit of 1 s exceeded'


async def test_fork_bomb_is_contained_and_the_server_stays_responsive(runner):
    bomb = '''
import os, time
start, me, ok, refused, error, told = time.time(), os.getpid(), 0, 0, None, False
while True:  # every process forks for ever
    try:
        os.fork()
        ok += 1
    except OSError as e:
        refused, error = refused + 1, e
    if os.getpid() == me and not told and time.time() - start > 1:
        print(f"forks: {ok} ok, {refused} refused: {error}", flush=True)
        told = True
'''
    limits = RunLimits(cpu_seconds=5, wall_seconds=3, max_processes=16)
    console, since, most = Console(), time.time(), 0
    async with LoopLag() as lag:
        bombing = runner.start(bomb, 'python', console, limits=limits)
        while not bombing.done:  # count the sandbox's processes on the host while it runs
            # in a thread: psutil reading every process of a busy machine would stall this loop, not the runner
            most = max(most, len(await asyncio.to_thread(leftovers, bombing.id, since)))
            await asyncio.sleep(0.05)
        result = await bombing.wait()
    await assert_nothing_left(result.run_id, since)
    assert result.outcome is Outcome.TIMED_OUT and result.reason == 'wall-clock limit of 3 s exceeded'
    assert 'refused: [Errno 11] Resource temporarily unavailable' in console.text('stdout')
    # `most` also counts the sandbox's own processes on the host (bwrap, which is not the program's uid and not
    # under its limit): a loaded run saw 17 with a limit of 16. A fork bomb that escaped would be in the hundreds.
    assert 0 < most <= limits.max_processes + 2, most
    assert lag.worst < 0.5, f'during the fork bomb {lag}'
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec('true')
    assert await proc.wait() == 0 and time.monotonic() - started < 1.0  # the machine still starts processes


@pytest.mark.parametrize('language,code', [
    ('python', 'chunks = []\nwhile True: chunks.append(bytearray(10**7))'),
    ('javascript', 'const a = []; while (true) a.push(new Array(1e6).fill(1.5));'),
    ('python', 'import mmap\nm = mmap.mmap(-1, 2 * 10**9)  # shared memory, outside RLIMIT_DATA'),
], ids=['python', 'javascript', 'python-shared-mmap'])
async def test_memory_hog_is_stopped_by_the_memory_limit(runner, language, code):
    result, console = await run(runner, code, language)
    assert result.outcome is Outcome.MEMORY_LIMIT, (result, console.text()[-500:])
    assert result.reason == 'memory limit of 128 MB exceeded'


async def test_endless_output_is_cut_at_the_cap_and_the_program_killed(runner):
    limits = RunLimits(output_bytes=64 * 1024, wall_seconds=10)
    result, console = await run(runner, 'while True: print("x" * 99)', limits=limits)
    assert result.outcome is Outcome.TRUNCATED and result.truncated and result.reason == 'output cap of 64 KB reached'
    assert len(console.text().encode()) == result.output_bytes == 64 * 1024
    assert result.duration < 5


async def test_etc_shadow_cannot_be_read(runner):
    result, console = await run(runner, 'print(open("/etc/shadow").read())')
    assert "FileNotFoundError: [Errno 2] No such file or directory: '/etc/shadow'" in console.text('stderr')
    assert result.exit_code == 1


async def test_the_apps_database_and_sources_cannot_be_read(runner, tmp_path):
    database = tmp_path / 'pairpad.db'
    with sqlite3.connect(database) as db:
        db.execute('CREATE TABLE secret (x)')
        db.execute("INSERT INTO secret VALUES ('interview notes')")
    paths = [str(database), str(ROOT / 'data' / 'pairpad.db'), str(ROOT / 'config.py')]
    code = f'''
import sqlite3
for path in {paths!r}:
    try:
        print("READ", path, open(path, "rb").read(16))
    except OSError as e:
        print("refused", path, type(e).__name__)
try:
    print("READ", sqlite3.connect("file:{database}?mode=ro", uri=True).execute("SELECT * FROM secret").fetchall())
except sqlite3.Error as e:
    print("sqlite refused:", e)
'''
    result, console = await run(runner, code)
    out = console.text('stdout')
    assert 'READ' not in out and 'interview notes' not in out, out
    assert out.count('refused') == len(paths) + 1 and 'unable to open database file' in out


async def test_sockets_reach_neither_the_host_nor_the_internet(runner):
    accepted = []
    server = await asyncio.start_server(lambda r, w: accepted.append(w), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    code = f'''
import socket
for host, port in [("127.0.0.1", {port}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection((host, port), timeout=3)
        print("CONNECTED", host)
    except OSError as e:
        print(host, e)
try:
    socket.getaddrinfo("example.com", 80)
    print("RESOLVED")
except OSError as e:
    print("dns", e)
'''
    try:
        result, console = await run(runner, code)
        js, js_console = await run(runner, f'''
require("net").connect({port}, "127.0.0.1")
  .on("connect", () => console.log("CONNECTED"))
  .on("error", e => console.log(e.code))''', 'javascript')
    finally:
        server.close()
    out = console.text('stdout')
    assert '127.0.0.1 [Errno 111] Connection refused' in out
    assert '1.1.1.1 [Errno 101] Network is unreachable' in out
    assert 'CONNECTED' not in out and 'RESOLVED' not in out
    assert js_console.text('stdout') == 'ECONNREFUSED\n'
    assert accepted == []


async def test_the_server_process_and_its_environment_are_out_of_sight(runner, monkeypatch):
    monkeypatch.setenv('DATABASE_URL', 'sqlite:////secret/place.db')
    code = f'''
import os
print(sorted(os.environ))
print([p for p in os.listdir("/proc") if p.isdigit()])
try:
    os.kill({os.getpid()}, 9)
except OSError as e:
    print("kill", type(e).__name__)
'''
    result, console = await run(runner, code)
    env, pids, kill = console.text('stdout').splitlines()
    assert env == "['HOME', 'LANG', 'PAIRPAD_RUN_ID', 'PATH', 'PWD', 'TMPDIR']"
    assert pids == "['1', '2']"  # the sandbox's own init and the program
    assert kill == 'kill ProcessLookupError'


async def test_the_system_is_read_only_and_temporary_space_is_bounded(runner):
    code = '''
for path in ["/usr/bin/evil", "/evil", "/etc/evil", "/tmp/ok", "main2.py"]:
    try:
        open(path, "w").write("x")
        print("wrote", path)
    except OSError as e:
        print(path, e.strerror)
try:
    open("/tmp/big", "wb").write(b"x" * 10**8)
except OSError as e:
    print("big", e.strerror)
'''
    result, console = await run(runner, code)
    *writes, big = console.text('stdout').splitlines()
    assert writes == ['/usr/bin/evil Read-only file system', '/evil Read-only file system',
                      '/etc/evil Read-only file system', 'wrote /tmp/ok', 'wrote main2.py']
    assert big in ('big File too large', 'big No space left on device')  # RLIMIT_FSIZE or the 16 MB tmpfs


async def test_a_background_process_does_not_outlive_the_run(runner):
    code = 'import os, time\nif os.fork() == 0:\n    time.sleep(60)\nelse:\n    print("parent done")'
    result, console = await run(runner, code)  # run() also checks that nothing of the run is left
    assert result.ok and console.text() == 'parent done\n' and result.duration < 5


async def test_a_sleeping_program_is_ended_by_the_wall_clock_limit(runner):
    result, _ = await run(runner, 'import time\ntime.sleep(60)', limits=RunLimits(wall_seconds=1))
    assert result.outcome is Outcome.TIMED_OUT and result.timed_out
    assert result.reason == 'wall-clock limit of 1 s exceeded' and result.duration < 3


# --- stop, rooms, modes ------------------------------------------------------------------------------------------

async def test_stop_ends_a_run_promptly_and_says_who(runner):
    console = Console()
    since = time.time()
    current = runner.start('import time\nprint("go", flush=True)\nwhile True: time.sleep(1)', 'python', console)
    await console.wait_for('go')
    assert leftovers(current.id, since)  # the check used after each run does see a running sandbox
    asked = time.monotonic()
    assert current.stop('Alice')
    result = await current.wait()
    assert time.monotonic() - asked < 1.0
    assert result.outcome is Outcome.STOPPED and result.reason == 'stopped by Alice' and result.stopped_by == 'Alice'
    assert not current.stop('Bob')  # already over
    await assert_nothing_left(result.run_id, since)


async def test_a_run_stopped_the_moment_it_starts_leaves_nothing(runner):
    since = time.time()
    current = runner.start('while True: pass', 'python')
    assert current.stop('Alice')
    result = await current.wait()
    assert result.outcome is Outcome.STOPPED and result.duration < 3
    await assert_nothing_left(result.run_id, since)


async def test_one_run_at_a_time_per_room(runner):
    room, other_room = RoomRunner(runner), RoomRunner(runner)
    console = Console()
    first = room.start('import time\nprint("on", flush=True)\ntime.sleep(60)', 'python', console, started_by='Alice')
    await console.wait_for('on')
    with pytest.raises(RunBusy, match='Alice is already running the code in this room'):
        room.start('print(1)', 'python', started_by='Bob')
    assert (await other_room.start('print(2)', 'python', started_by='Carol').wait()).ok  # rooms are independent
    assert room.current is first and room.stop('Bob')
    assert (await first.wait()).stopped_by == 'Bob'
    assert room.current is None
    assert (await room.start('print(3)', 'python', started_by='Bob').wait()).ok


async def test_runs_over_all_rooms_are_capped(runner):
    capped = CodeRunner(RunnerSettings(max_concurrent=1), FAST)
    console = Console()
    first = capped.start('import time\nprint("on", flush=True)\ntime.sleep(60)', 'python', console)
    await console.wait_for('on')
    with pytest.raises(TooManyRuns, match='try again'):
        capped.start('print(1)', 'python')
    await capped.stop_all()
    assert (await first.wait()).outcome is Outcome.STOPPED and capped.active == 0


async def test_a_failing_output_callback_does_not_break_the_run(runner, caplog):
    def broken(stream, text):
        raise RuntimeError('console gone')
    result = await runner.run('print(1)', 'python', broken)
    assert result.ok and 'output callback failed' in caplog.text


async def test_without_bubblewrap_running_is_off_unless_unsafe_is_set():
    off = CodeRunner(RunnerSettings(bwrap='/nonexistent/bwrap'), FAST)
    assert off.mode == 'off' and not off.available and off.languages == []
    assert 'bubblewrap' in off.status and 'PAIRPAD_UNSAFE_RUN=1' in off.status
    with pytest.raises(RunnerUnavailable, match='Running code is off'):
        off.start('print(1)', 'python')
    assert off.refusal('python') == off.status

    unsafe = CodeRunner(RunnerSettings(bwrap='/nonexistent/bwrap', unsafe=True), FAST)
    assert unsafe.mode == 'unsafe' and unsafe.unsafe and unsafe.status.startswith('UNSAFE')
    console = Console()
    result = await unsafe.run('print(6*7)', 'python', console)
    assert result.ok and result.unsafe and console.text() == '42\n'
    result = await unsafe.run('while True: pass', 'python')
    assert result.outcome is Outcome.CPU_LIMIT  # rlimits still apply


def test_sandbox_available_reports_why_not():
    assert sandbox_available(RunnerSettings(bwrap='/nonexistent/bwrap')) == (
        False, 'bubblewrap (/nonexistent/bwrap) is not installed on this server (Debian/Ubuntu: apt-get install '
               'bubblewrap).')


def test_turned_off_by_the_operator():
    runner = CodeRunner(RunnerSettings(enabled=False))
    assert runner.mode == 'off' and 'PAIRPAD_RUN=0' in runner.status


def test_limits_and_settings_come_from_the_one_settings_object():
    env = {'PAIRPAD_RUN_CPU_SECONDS': '5', 'PAIRPAD_RUN_WALL_SECONDS': '7.5', 'PAIRPAD_RUN_MEMORY_MB': '512',
           'PAIRPAD_RUN_MAX_PROCESSES': '32', 'PAIRPAD_RUN_OUTPUT_KB': '128', 'PAIRPAD_RUN_DISK_MB': '4',
           'PAIRPAD_UNSAFE_RUN': '1', 'PAIRPAD_RUN_MAX_CONCURRENT': '2', 'PAIRPAD_RUN_UID': '1234',
           'PAIRPAD_RUN_OPEN_FILES': '', 'PAIRPAD_BWRAP': '/opt/bwrap'}
    settings = Settings.from_env(env)
    assert RunLimits.from_settings(settings) == RunLimits(cpu_seconds=5, wall_seconds=7.5,
                                                          memory_bytes=512 * 1024 * 1024, max_processes=32,
                                                          output_bytes=128 * 1024, disk_bytes=4 * 1024 * 1024)
    assert RunLimits.from_settings(Settings.from_env({})) == RunLimits()
    runner_settings = RunnerSettings.from_settings(settings)
    assert runner_settings.unsafe and runner_settings.max_concurrent == 2 and runner_settings.sandbox_uid == 1234
    assert runner_settings.enabled and runner_settings.bwrap == '/opt/bwrap'
    assert RunnerSettings.from_settings(Settings.from_env({})) == RunnerSettings()
    assert not RunnerSettings.from_settings(Settings.from_env({'PAIRPAD_RUN': '0'})).enabled
    with pytest.raises(ValueError, match='PAIRPAD_RUN_CPU_SECONDS'):
        Settings.from_env({'PAIRPAD_RUN_CPU_SECONDS': 'ten'})
    with pytest.raises(ValueError, match='must be positive'):
        RunLimits(memory_bytes=0)


def test_the_runnable_languages_and_their_commands_come_from_the_languages_table():
    found, refused = find_runtimes(which=lambda name: f'/usr/bin/{name}' if name == 'node' else None)
    assert set(found) == {'python', 'javascript'}  # python3 is the system's or the server's own
    node = found['javascript']
    assert node.command(RunLimits(memory_bytes=256 * 1024 * 1024)) == [
        '/usr/bin/node', '--max-old-space-size=192', 'main.js']
    assert found['python'].command(RunLimits())[1:] == ['-u', '-B', 'main.py']
    assert refused['go'] == ("Go can't run here: install golang-go on the server (apt-get install golang-go); "
                             'go was not found.')
    assert refused['plaintext'].startswith('Plain text is not a program')
    _, refused = find_runtimes(which=lambda name: None)
    assert refused['javascript'].startswith("JavaScript can't run here: install nodejs")
    assert set(refused) == set(LANGUAGES) - {'python'}

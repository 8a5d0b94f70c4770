"""The parts of the local cluster, each a process the rig started and can kill, stop and start again on the same
port: redis-server, the app instances, haproxy (all `Process`), and PostgreSQL (`Postgres`, through
tools/postgres.py, which runs pg_ctl as an unprivileged user when we are root).

Every process gets a session of its own (Ctrl+C in the terminal reaches only the rig, which then stops the parts
one by one), its output in <state-dir>/<name>.log, and the variable PAIRPAD_CLUSTER=<state-dir>, by which a later
run recognises the leftovers of one that was killed (`Process.reap`)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tools.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
MARK = 'PAIRPAD_CLUSTER'


class PartFailed(RuntimeError):
    """A part exited or did not answer in time during start-up; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def executable(name: str, *fallbacks: str) -> str:
    """`name` on PATH, else the first existing fallback (haproxy lives in /usr/sbin, not on a user's PATH)."""
    found = shutil.which(name) or next((path for path in fallbacks if Path(path).exists()), None)
    if not found:
        raise PartFailed(f'{name} is not installed (make cluster installs the Debian packages)')
    return found


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f'({path} is empty)'
    return '\n'.join(path.read_text(errors='replace').splitlines()[-lines:])


class Process:
    """One child process: `start()` spawns it and waits until `ready()`; `kill()` is SIGKILL, `stop()` SIGTERM (then
    SIGKILL after `grace` seconds). `on_change` is called whenever the pid changes (the rig keeps pids.json)."""

    def __init__(self, name: str, state_dir: Path, port: int, on_change: Callable[[], None] = lambda: None) -> None:
        self.name = name
        self.state_dir = state_dir
        self.port = port
        self.on_change = on_change
        self.log_path = state_dir / f'{name}.log'
        self.process: subprocess.Popen | None = None

    # -- what each kind of part defines
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return {}

    def ready(self) -> bool:
        raise NotImplementedError

    # -- the life cycle
    @property
    def pid(self) -> int | None:
        return self.process.pid if self.alive else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(self) -> None:
        """Start the process without waiting for it (see `wait_ready`)."""
        if self.alive:
            raise RuntimeError(f'{self.name} is already running (pid {self.process.pid})')
        env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
        env.update({MARK: str(self.state_dir), **self.environment()})
        with open(self.log_path, 'ab') as log:
            log.write(f'---- {time.strftime("%Y-%m-%d %H:%M:%S")} starting: {" ".join(self.command())}\n'.encode())
            log.flush()
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.on_change()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                code = self.process.returncode if self.process else None
                raise PartFailed(f'{self.name} exited with {code} during start-up; {self.log_path}:\n'
                                 f'{tail(self.log_path)}')
            try:
                if self.ready():
                    return
            except (OSError, httpx.HTTPError):
                pass
            if time.monotonic() > deadline:
                raise PartFailed(f'{self.name} did not answer within {timeout:g} s; {self.log_path}:\n'
                                 f'{tail(self.log_path)}')
            time.sleep(0.1)

    def start(self, timeout: float = 60.0) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def kill(self) -> None:
        """kill -9: no shutdown handlers, nothing flushed."""
        self._signal(signal.SIGKILL, grace=10)

    def stop(self, grace: float = 10.0) -> None:
        self._signal(signal.SIGTERM, grace)

    def _signal(self, signum: int, grace: float) -> None:
        if self.alive:
            self.process.send_signal(signum)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.on_change()

    @staticmethod
    def reap(pid: int, state_dir: Path) -> bool:
        """Kill a process left by an earlier run of the rig in `state_dir` (it crashed or was killed -9): only if the
        process carries our PAIRPAD_CLUSTER mark, so a recycled pid is never touched. True if one was killed."""
        proc = Path(f'/proc/{pid}')
        try:
            marked = f'{MARK}={state_dir}'.encode() in (proc / 'environ').read_bytes().split(b'\0')
            # redis-server writes its title over its environment; it runs in the state directory (--dir)
            marked = marked or ((proc / 'comm').read_text().startswith('redis-server')
                                and os.readlink(proc / 'cwd') == str(state_dir))
        except OSError:
            return False
        if not marked:
            return False
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True


class Redis(Process):
    def __init__(self, state_dir: Path, port: int, on_change: Callable[[], None] = lambda: None) -> None:
        super().__init__('redis', state_dir, port, on_change)
        self.url = f'redis://127.0.0.1:{port}/0'

    def command(self) -> list[str]:
        # no persistence: the relay's messages are transient, the store is PostgreSQL
        return [executable('redis-server', '/usr/bin/redis-server'), '--port', str(self.port), '--bind', '127.0.0.1',
                '--save', '', '--appendonly', 'no', '--dir', str(self.state_dir)]

    def ready(self) -> bool:
        with socket.create_connection(('127.0.0.1', self.port), timeout=1) as s:
            s.sendall(b'PING\r\n')
            return s.recv(16).startswith(b'+PONG')


class Instance(Process):
    """`python main.py` on its own port, named `id` (PAIRPAD_INSTANCE_ID) in /healthz and the X-Pairpad-Instance
    header; its NiceGUI storage in <state-dir>/<id>-storage (the default, ./.nicegui, would be shared)."""

    def __init__(self, instance_id: str, state_dir: Path, port: int, env: dict[str, str],
                 on_change: Callable[[], None] = lambda: None) -> None:
        super().__init__(instance_id, state_dir, port, on_change)
        self.id = instance_id
        self.url = f'http://127.0.0.1:{port}'
        self.env = env

    def command(self) -> list[str]:
        return [sys.executable, str(ROOT / 'main.py')]

    def environment(self) -> dict[str, str]:
        return {'PAIRPAD_HOST': '127.0.0.1', 'PAIRPAD_PORT': str(self.port), 'PAIRPAD_INSTANCE_ID': self.id,
                'NICEGUI_STORAGE_PATH': str(self.state_dir / f'{self.id}-storage'), **self.env}

    def ready(self) -> bool:
        return httpx.get(f'{self.url}/healthz', timeout=2).status_code == 200


class Proxy(Process):
    TEMPLATE = Path(__file__).with_name('haproxy.cfg')

    def __init__(self, state_dir: Path, port: int, instances: list[Instance],
                 on_change: Callable[[], None] = lambda: None) -> None:
        super().__init__('haproxy', state_dir, port, on_change)
        self.url = f'http://127.0.0.1:{port}'
        self.instances = instances
        self.config_path = state_dir / 'haproxy.cfg'

    def config(self) -> str:
        servers = '\n'.join(f'    server {i.id} 127.0.0.1:{i.port} cookie {i.id} check' for i in self.instances)
        return self.TEMPLATE.read_text().replace('@PORT@', str(self.port)).replace('\n@SERVERS@\n', f'\n{servers}\n')

    def command(self) -> list[str]:
        return [executable('haproxy', '/usr/sbin/haproxy'), '-db', '-f', str(self.config_path)]  # -db: foreground

    def spawn(self) -> None:
        self.config_path.write_text(self.config())
        super().spawn()

    def ready(self) -> bool:
        return httpx.get(f'{self.url}/healthz', timeout=2).status_code == 200


class Postgres:
    """The private PostgreSQL cluster in <state-dir>/postgres (tools/postgres.py does initdb and pg_ctl), with the
    database `pairpad`. Its server log is <state-dir>/postgres/server.log, linked as <state-dir>/postgres.log."""

    name = 'postgres'
    DATABASE = 'pairpad'

    def __init__(self, state_dir: Path, port: int, *, durable: bool = True) -> None:
        self.state_dir = state_dir
        self.port = port
        self.cluster = PostgresCluster(state_dir / 'postgres', port, durable=durable)
        self.url = self.cluster.url(self.DATABASE)
        self.log_path = state_dir / 'postgres.log'

    @property
    def pid(self) -> int | None:
        """The postmaster's pid (pg_ctl starts it in a session of its own)."""
        try:
            pid = int((self.cluster.data_dir / 'postmaster.pid').read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    @property
    def alive(self) -> bool:
        return self.pid is not None

    def start(self, timeout: float = 60.0) -> None:
        try:
            self.cluster.start()
        except RuntimeError as error:
            raise PartFailed(f'postgres did not start: {error}') from None
        if not self.log_path.is_symlink():
            self.log_path.symlink_to(self.cluster.log_file)
        self._create_database()

    def _create_database(self) -> None:
        import psycopg
        with psycopg.connect(host='127.0.0.1', port=self.port, user='postgres', dbname='postgres') as connection:
            exists = connection.execute('SELECT 1 FROM pg_database WHERE datname = %s', (self.DATABASE,)).fetchone()
        if not exists:  # a state directory kept from an earlier run already has it
            self.cluster.create_database(self.DATABASE)

    def stop(self) -> None:
        """pg_ctl stop -m fast: sessions ended, a checkpoint, a clean shutdown."""
        if pid := self.pid:
            self.cluster.stop()
            _wait_gone(pid)

    def stop_immediate(self) -> None:
        """pg_ctl stop -m immediate: every process quits at once, no checkpoint; the next start runs crash recovery.
        What a crash of the database server does to the app, without orphaned backends left behind."""
        if pid := self.pid:
            self.cluster.stop('immediate')
            _wait_gone(pid)

    kill = stop_immediate


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    """pg_ctl returns once the pid file is gone; the postmaster (not our child) exits a moment later."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f'/proc/{pid}/stat').read_text().split(') ')[-1].startswith('Z'):
                return  # exited; its parent (init) has yet to reap it
        except OSError:
            return
        time.sleep(0.05)

"""The servers a benchmark runs against, each a subprocess on a free loopback port, with its pid for psutil:
the app itself, pycrdt-websocket's server, the y-websocket Node server and the bare-event floor app."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from tools.app_server import AppServer, free_port

ROOT = Path(__file__).resolve().parents[2]  # the repository
NODE_DIR = Path(__file__).resolve().parent / 'node'
NODE_SERVER = NODE_DIR / 'node_modules' / '@y' / 'websocket-server' / 'src' / 'server.js'

# Limits the app enforces per room and per tab are raised for the benchmarks: they are bounds against abuse,
# and a fan-out run deliberately puts hundreds of authors into one room.
APP_BENCH_ENV = {'PAIRPAD_MAX_CONNECTIONS': '2000', 'PAIRPAD_MAX_PARTICIPANTS': '2000',
                 'PAIRPAD_MESSAGE_RATE': '100000', 'PAIRPAD_MESSAGE_BURST': '100000',
                 'PAIRPAD_UNLOAD_AFTER': '3600'}


def wait_port(port: int, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'server exited with {process.returncode}:\n{log.read_text(errors="replace")[-3000:]}')
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f'server did not listen on {port} within {timeout} s')


class Subprocess:
    """A server subprocess on a free loopback port; `ws_url` is where y-websocket peers connect."""

    name = 'server'

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / f'{self.name}.log'

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        raise NotImplementedError

    def start(self, timeout: float = 120.0) -> 'Subprocess':
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command, env, cwd = self.command()
        with open(self.log_path, 'ab') as log:
            base = {k: v for k, v in os.environ.items()
                    if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
            self.process = subprocess.Popen(command, cwd=cwd, env={**base, **env}, stdout=log,
                                            stderr=subprocess.STDOUT)
        try:
            wait_port(self.port, self.process, timeout, self.log_path)
        except RuntimeError:
            self.stop()  # never left behind: a caller whose start failed has nothing to stop
            raise
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()


class PycrdtWebsocketServer(Subprocess):
    name = 'pycrdt-websocket'

    @property
    def ws_url(self) -> str:
        return f'ws://127.0.0.1:{self.port}'

    def command(self):
        return ([sys.executable, '-m', 'tools.bench.pycrdt_server', str(self.port), str(self.data_dir / 'ystore.db')],
                {}, ROOT)


def ensure_node_server() -> None:
    """Install the pinned y-websocket server from tools/bench/node's lock file when it is missing."""
    if NODE_SERVER.exists():
        return
    if shutil.which('npm') is None and shutil.which('apt-get') and os.geteuid() == 0:
        # Debian's nodejs comes without npm; a clean CI machine gets it here, once
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run(['apt-get', 'update', '-q'], check=False, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(['apt-get', 'install', '-y', '-q', 'npm'], check=False, stdout=subprocess.DEVNULL, env=env)
    if shutil.which('npm') is None:
        raise RuntimeError('npm is needed for the y-websocket peer (apt-get install -y nodejs npm)')
    subprocess.run(['npm', 'ci', '--no-audit', '--no-fund', '--ignore-scripts'], cwd=NODE_DIR, check=True,
                   stdout=subprocess.DEVNULL)


class NodeWebsocketServer(Subprocess):
    name = 'y-websocket'

    @property
    def ws_url(self) -> str:
        return f'ws://127.0.0.1:{self.port}'

    def command(self):
        ensure_node_server()
        return (['node', str(NODE_SERVER)], {'HOST': '127.0.0.1', 'PORT': str(self.port)}, NODE_DIR)


class FloorServer(Subprocess):
    """bench/floor_app.py: relays bare NiceGUI events between two browsers, no CRDT, no database; it also serves
    the static page through which browsers reach the y-websocket peers."""
    name = 'floor'

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def command(self):
        return ([sys.executable, '-m', 'tools.bench.floor_app', str(self.port)], {}, ROOT)

    def start(self, timeout: float = 120.0) -> 'FloorServer':
        super().start(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f'{self.url}/floor', timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError('floor app did not answer')


def checkout(rev: str, into: Path) -> Path:
    """The repository's files at a git revision (`git archive`: the index and work tree stay untouched), to run
    that version of the app beside this one for before/after figures measured in the same run. The editor bundle
    (components/collab_editor/dist) is committed, so the tree runs as it is."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(['git', 'archive', '--format=tar', rev], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(['tar', '-x', '-C', str(into)], input=archive.stdout, check=True)
    return into


class TreeAppServer(AppServer):
    """The app from another source tree (a `checkout`), with this venv: its main.py's directory comes first on
    sys.path, so its own collab/, pages/, store/ ... are the ones imported."""

    def __init__(self, data_dir: Path, root: Path, **kwargs) -> None:
        super().__init__(data_dir, **kwargs)
        self.root = root

    def start(self, timeout: float = 30.0) -> 'TreeAppServer':
        env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
        env.update({'PAIRPAD_HOST': '127.0.0.1', 'PAIRPAD_PORT': str(self.port),
                    'DATABASE_URL': f'sqlite:///{self.data_dir / "pairpad.db"}', **self.extra_env})
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen([sys.executable, str(self.root / 'main.py')], cwd=self.root, env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'server exited with {self.process.returncode}:\n{self.log()}')
            try:
                if httpx.get(f'{self.url}/docs', timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f'server did not start within {timeout} s:\n{self.log()}')


def start_app(data_dir: Path, *, root: Path | None = None, **env: str) -> AppServer:
    data_dir.mkdir(parents=True, exist_ok=True)
    if root is not None:
        return TreeAppServer(data_dir, root, env={**APP_BENCH_ENV, **env}).start()
    return AppServer(data_dir, env={**APP_BENCH_ENV, **env}).start()


class Usage:
    """CPU seconds and resident memory of a process (and its children), sampled with psutil."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss(self) -> int:
        total = 0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

"""Runs the real app as a subprocess on a free loopback port with its own database, for e2e tests and benches.

The `PYTEST*` variables are removed from its environment: with them, ui.run would take its port from
NICEGUI_SCREEN_TEST_PORT instead of ours.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


ADMIN_EMAIL = 'admin@pairpad.test'
ADMIN_PASSWORD = 'admin password 1'


class AppServer:
    def __init__(self, data_dir: Path, *, port: int | None = None, env: dict[str, str] | None = None,
                 admin: bool = False) -> None:
        """`admin=True`: a CLAIMED server. Its first account (ADMIN_EMAIL, ADMIN_PASSWORD, an administrator) is
        made with `pairpad users create` before the start, and create_interview sends that account's API token (a
        claimed server refuses to create interviews without one). Default: unclaimed, as before accounts."""
        self.data_dir = data_dir
        self.admin = admin
        self.token: str | None = None  # the admin's API token, when admin=True
        self.port = port or free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.created: dict[str, dict] = {}  # interview id -> what POST /api/interviews answered (links and keys)
        self.log_path = data_dir / 'server.log'

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
        env.update({'PAIRPAD_HOST': '127.0.0.1', 'PAIRPAD_PORT': str(self.port),
                    'DATABASE_URL': f'sqlite:///{self.data_dir / "pairpad.db"}', **self.extra_env})
        return env

    def users(self, *args: str, stdin: str = '') -> dict:
        """Run `pairpad users …` on this server's database; its --json answer."""
        done = subprocess.run([sys.executable, str(ROOT / 'main.py'), 'users', *args, '--json'], cwd=ROOT,
                              env=self._env(), input=stdin, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f'pairpad users {" ".join(args)} failed: {done.stderr}')
        return json.loads(done.stdout)

    def start(self, timeout: float = 120.0) -> 'AppServer':
        if self.admin and self.token is None:
            self.token = self.users('create', '--email', ADMIN_EMAIL, '--name', 'Admin', '--admin', '--token',
                                    stdin=ADMIN_PASSWORD + '\n')['token']
        env = self._env()
        log = open(self.log_path, 'ab')
        self.process = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=env,
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
        self.kill()  # never left behind: a caller whose start failed has nothing to stop
        raise RuntimeError(f'server did not start within {timeout} s:\n{self.log()}')

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no final flush."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors='replace') if self.log_path.exists() else ''

    def create_interview(self, title: str = 'Test interview', language: str = 'python') -> dict:
        response = httpx.post(f'{self.url}/api/interviews', json={'title': title, 'language': language}, timeout=10,
                              headers={'Authorization': f'Bearer {self.token}'} if self.token else {})
        response.raise_for_status()
        created = response.json()
        self.created[created['id']] = created
        return created

    def key(self, interview_id: str, role: str = 'interviewer') -> str | None:
        """The key of `role`'s private link; None for a build from before private links (bench baselines)."""
        return self.created[interview_id].get(f'{role}_key')

    def room_url(self, interview_id: str, role: str = 'candidate') -> str:
        """The private link of `role` (the link decides the role)."""
        key = self.key(interview_id, role)
        return f'{self.url}/room/{interview_id}' + (f'?key={key}' if key else '')

    def headers(self, interview_id: str, role: str = 'interviewer') -> dict[str, str]:
        key = self.key(interview_id, role) if interview_id in self.created else None
        return {'X-Pairpad-Key': key} if key else {}

    def wait_code(self, interview_id: str, expected: str, timeout: float = 10.0) -> None:
        """Poll the REST API until the server's document holds `expected`."""
        deadline = time.monotonic() + timeout
        code = None
        while time.monotonic() < deadline:
            code = self.interview(interview_id)['code']
            if code == expected:
                return
            time.sleep(0.05)
        raise AssertionError(f'server code never became the expected text; last {code!r:.200}')

    def participants(self, interview_id: str) -> dict[str, dict]:
        response = httpx.get(f'{self.url}/api/interviews/{interview_id}/participants',
                             headers=self.headers(interview_id), timeout=10)
        response.raise_for_status()
        return {p['id']: p for p in response.json()}

    def interview(self, interview_id: str) -> dict:
        response = httpx.get(f'{self.url}/api/interviews/{interview_id}', headers=self.headers(interview_id),
                             timeout=10)
        response.raise_for_status()
        return response.json()

"""A private PostgreSQL cluster from Debian's binaries, for the tests and the cluster rig: initdb into a directory of
our own, a server on 127.0.0.1:<port> whose unix socket also lives in that directory, trust authentication for the
`postgres` superuser, stopped with `pg_ctl stop -m fast` (or `-m immediate`, a crash).

    cluster = PostgresCluster(Path('/tmp/pg'), port=free_port())
    cluster.start()                       # initdb on first use, then pg_ctl start -w
    url = cluster.create_database('pairpad')   # postgresql+psycopg://postgres@127.0.0.1:<port>/pairpad
    ...
    cluster.stop()

initdb and postgres refuse to run as root. As root the binaries run as an unprivileged user instead
(PAIRPAD_POSTGRES_USER, default `nobody`) through `runuser -u <user> --`, and the state directory is handed to that
user; the directory must then be reachable by it (a fresh directory under /tmp is: pytest's own tmp_path under
/tmp/pytest-of-root is not). Binaries are looked up in PAIRPAD_POSTGRES_BIN, then /usr/lib/postgresql/<version>/bin
(Debian's postgresql-15 package), then PATH.
"""

import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

DEBIAN_BIN = Path('/usr/lib/postgresql')


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def find_binaries() -> Path:
    """The directory holding initdb, pg_ctl and postgres; PostgresUnavailable naming where it looked."""
    candidates = [Path(os.environ['PAIRPAD_POSTGRES_BIN'])] if os.environ.get('PAIRPAD_POSTGRES_BIN') else []
    candidates += sorted(DEBIAN_BIN.glob('*/bin'), key=lambda p: _version(p.parent.name), reverse=True)
    on_path = shutil.which('initdb')
    candidates += [Path(on_path).parent] if on_path else []
    for directory in candidates:
        if all((directory / name).exists() for name in ('initdb', 'pg_ctl', 'postgres')):
            return directory
    raise PostgresUnavailable('no PostgreSQL binaries (initdb, pg_ctl, postgres) in PAIRPAD_POSTGRES_BIN, '
                              f'{DEBIAN_BIN}/<version>/bin or PATH; on Debian: apt-get install postgresql-15')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class PostgresCluster:
    """One cluster in `state_dir` (data/ and the socket directory sock/ inside it), listening on 127.0.0.1:`port`.

    `settings` are extra server settings (`-c name=value`); `durable=False` turns fsync and full_page_writes off
    (the tests: nothing needs to survive a crash of the machine). synchronous_commit stays on: a commit is in the
    WAL before it is acknowledged, so a crash of the server (`stop('immediate')`) loses nothing acknowledged."""

    def __init__(self, state_dir: Path, port: int, *, settings: dict[str, str] | None = None,
                 durable: bool = True, user: str | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.port = port
        self.bin = find_binaries()
        self.settings = {'listen_addresses': '127.0.0.1', 'port': str(port),
                         'unix_socket_directories': str(self.socket_dir), 'max_connections': '100',
                         **({} if durable else {'fsync': 'off', 'full_page_writes': 'off'}),
                         **(settings or {})}
        # initdb and postgres refuse root: run them as an unprivileged user
        self.user = user or (os.environ.get('PAIRPAD_POSTGRES_USER', 'nobody') if os.geteuid() == 0 else None)

    @property
    def data_dir(self) -> Path:
        return self.state_dir / 'data'

    @property
    def socket_dir(self) -> Path:
        return self.state_dir / 'sock'

    @property
    def log_file(self) -> Path:
        return self.state_dir / 'server.log'

    def url(self, database: str = 'postgres') -> str:
        """The SQLAlchemy URL of one database of the cluster (psycopg 3 over TCP)."""
        return f'postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}'

    def start(self) -> None:
        """initdb if the data directory is new, then start the server and wait until it accepts connections."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.state_dir, self.socket_dir, *([self.data_dir] if self.data_dir.exists() else [])):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        if not (self.data_dir / 'PG_VERSION').exists():
            self._run('initdb', '-D', str(self.data_dir), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8',
                      '--no-locale', '--no-sync')
        options = ' '.join(f'-c {name}={value}' for name, value in self.settings.items())
        self._run('pg_ctl', 'start', '-w', '-t', '60', '-D', str(self.data_dir), '-l', str(self.log_file),
                  '-o', options)

    def stop(self, mode: str = 'fast') -> None:
        """Stop the server; nothing if it is not running. `fast`: open sessions are ended, then a clean shutdown;
        `immediate`: every process quits at once, as in a crash (the next start runs crash recovery)."""
        if mode not in ('smart', 'fast', 'immediate'):
            raise ValueError(f'not a pg_ctl stop mode: {mode!r}')
        if (self.data_dir / 'postmaster.pid').exists():
            self._run('pg_ctl', 'stop', '-w', '-m', mode, '-D', str(self.data_dir))

    def create_database(self, name: str) -> str:
        """Create database `name` (identifier characters only) and return its URL."""
        if not name.replace('_', '').isalnum():
            raise ValueError(f'not a plain database name: {name!r}')
        import psycopg  # the product's dependency; imported here so find_binaries works without it
        with psycopg.connect(host='127.0.0.1', port=self.port, user='postgres', dbname='postgres',
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.user is not None:
            command = ['runuser', '-u', self.user, '--', *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.state_dir)
        if done.returncode != 0:
            log_tail = self.log_file.read_text(errors='replace')[-2000:] if self.log_file.exists() else ''
            raise RuntimeError(f'{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}'
                               + (f'\nserver log:\n{log_tail}' if log_tail else ''))


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split('.') if part.isdigit())

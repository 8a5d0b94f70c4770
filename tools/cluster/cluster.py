"""The local multi-instance rig as a Python object, for `python -m tools.cluster` and for tests that kill its parts.

    cluster = Cluster(Path('/tmp/c'), instances=3)        # port=None: a free port for the proxy
    urls = cluster.start()   # {'proxy': ..., 'instances': [...], 'redis': ..., 'database': ...} once all answer
    cluster.instance(0).kill()          # SIGKILL instance i1; .start() brings it back on the same port
    cluster.redis.kill(); cluster.redis.start()
    cluster.postgres.stop_immediate(); cluster.postgres.start()
    cluster.stop()                      # haproxy, the instances, redis, postgres, one by one

It is also a context manager (stop() on exit). Pids are kept in <state-dir>/pids.json, logs in <state-dir>/<part>.log.
"""

import json
import time
from pathlib import Path

from .parts import Instance, PartFailed, Postgres, Process, Proxy, Redis, free_port


class Cluster:
    def __init__(self, state_dir: Path, instances: int = 3, port: int | None = None, *, durable: bool = True,
                 env: dict[str, str] | None = None) -> None:
        """`durable=False` runs PostgreSQL without fsync (tests); `env` is added to every instance's environment."""
        if instances < 1:
            raise ValueError('a cluster needs at least one instance')
        self.state_dir = Path(state_dir).resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # As root, PostgreSQL runs as an unprivileged user (tools/postgres.py) that must reach <state-dir>/postgres.
        self.state_dir.chmod(self.state_dir.stat().st_mode | 0o711)
        self.pids_path = self.state_dir / 'pids.json'
        self.redis = Redis(self.state_dir, free_port(), self._save_pids)
        self.postgres = Postgres(self.state_dir, free_port(), durable=durable)
        self.instances = [Instance(f'i{n}', self.state_dir, free_port(),
                                   {'DATABASE_URL': self.postgres.url, 'PAIRPAD_REDIS_URL': self.redis.url,
                                    **(env or {})}, self._save_pids)
                          for n in range(1, instances + 1)]
        self.proxy = Proxy(self.state_dir, port or free_port(), self.instances, self._save_pids)

    @property
    def urls(self) -> dict:
        return {'proxy': self.proxy.url, 'instances': [i.url for i in self.instances], 'redis': self.redis.url,
                'database': self.postgres.url}

    def instance(self, index: int) -> Instance:
        """The instance at `index`, counted from 0: instance(0) is the one named i1."""
        return self.instances[index]

    def parts(self) -> list:
        """In the order they start; stop() goes the other way."""
        return [self.postgres, self.redis, *self.instances, self.proxy]

    def start(self, timeout: float = 90.0) -> dict:
        """Start every part and wait until each answers; on a failure stop what started and raise PartFailed."""
        self._reap_leftovers()
        deadline = time.monotonic() + timeout
        remaining = lambda: max(1.0, deadline - time.monotonic())  # noqa: E731
        try:
            self.redis.spawn()  # starts while PostgreSQL runs initdb
            self.postgres.start()
            self._save_pids()
            self.redis.wait_ready(remaining())
            # The first instance alone creates the schema; the others then start together.
            first, *others = self.instances
            first.start(remaining())
            for instance in others:
                instance.spawn()
            for instance in others:
                instance.wait_ready(remaining())
            self.proxy.start(remaining())
        except BaseException:
            self.stop()
            raise
        return self.urls

    def stop(self) -> None:
        """Stop every part, one at a time, each by its pid: haproxy, the instances, redis, postgres."""
        for part in reversed(self.parts()):
            try:
                part.stop()
            except Exception as error:  # keep stopping the others
                print(f'stopping {part.name} failed: {error}', flush=True)
        self._save_pids()

    def __enter__(self) -> 'Cluster':
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def pids(self) -> dict[str, int | None]:
        return {part.name: part.pid for part in self.parts()}

    def _save_pids(self) -> None:
        self.pids_path.write_text(json.dumps(self.pids(), indent=1) + '\n')

    def _reap_leftovers(self) -> None:
        """An earlier run in this state directory that was killed left its parts running: end them first (only
        processes that carry this directory's mark; PostgreSQL through pg_ctl)."""
        if self.pids_path.exists():
            try:
                old = json.loads(self.pids_path.read_text())
            except ValueError:
                old = {}
            for name, pid in old.items():
                if isinstance(pid, int) and name != 'postgres' and Process.reap(pid, self.state_dir):
                    print(f'killed {name} (pid {pid}) left by an earlier run', flush=True)
        if self.postgres.alive:
            self.postgres.stop()


__all__ = ['Cluster', 'PartFailed']

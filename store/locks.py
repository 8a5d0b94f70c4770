"""Locks shared by every instance on one database.

- `transaction_lock(connection, name)`: held until the connection's transaction ends. On PostgreSQL a
  transaction-level advisory lock (`pg_advisory_xact_lock`); on SQLite the database's write lock taken at once
  (`BEGIN IMMEDIATE`), so a read-modify-write transaction is never interleaved with another writer's. Compaction
  and the schema upgrade use it.
- `RoomRunLock`: one run at a time per room across instances, held for as long as the run goes. On PostgreSQL
  (`PostgresRunLock`) a session-level `pg_try_advisory_lock` on a connection of its own, kept open for the run:
  released by closing that connection, and by the server when the holder dies (its socket closes; the session's
  TCP keepalives find a vanished host in about 25 s). On SQLite (`LocalRunLock`) the lock is in memory: SQLite
  means one instance. `room_run_lock(engine)` gives the one that fits the engine.

    lock = room_run_lock(engine)
    if not lock.try_acquire(interview_id):
        raise RunBusy('someone is already running the code in this room')
    try:
        ...  # the run
    finally:
        lock.release(interview_id)

Both calls block on the database (a connect, one query): from async code, run them in a thread.
"""

import hashlib
import logging
import threading
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# A dead peer of a lock's session is noticed by the server after idle + interval * count seconds of silence.
_KEEPALIVE = 'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3'


def lock_key(*parts: str) -> int:
    """The advisory lock key of a name (e.g. 'compact', room_id): a signed 64-bit integer, the same in every
    process (Python's hash() is not)."""
    digest = hashlib.blake2b('\0'.join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, 'big', signed=True)


def transaction_lock(connection: Connection, *name: str) -> None:
    """Take the lock `name` for the rest of `connection`'s transaction; call it first in the transaction, before
    anything is read. Waits while another transaction holds it."""
    if connection.dialect.name == 'postgresql':
        connection.execute(text('SELECT pg_advisory_xact_lock(:key)'), {'key': lock_key(*name)})
    elif connection.dialect.name == 'sqlite':
        # with pysqlite, SQLAlchemy's transaction is only a marker until a write: make it the database's write
        # transaction now, before the first read
        connection.exec_driver_sql('BEGIN IMMEDIATE')
    else:
        raise NotImplementedError(f'no lock for {connection.dialect.name}')


class RoomRunLock(Protocol):
    def try_acquire(self, room_id: str) -> bool:
        """Take the room's run lock if nobody (this instance included) holds it; False if somebody does."""

    def release(self, room_id: str) -> None:
        """Give the room's run lock back; nothing if this instance does not hold it."""

    def close(self) -> None:
        """Release every lock this instance holds."""


class LocalRunLock:
    """The in-memory run lock of a single instance (SQLite, unit tests)."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._guard = threading.Lock()

    def try_acquire(self, room_id: str) -> bool:
        with self._guard:
            if room_id in self._held:
                return False
            self._held.add(room_id)
            return True

    def release(self, room_id: str) -> None:
        with self._guard:
            self._held.discard(room_id)

    def close(self) -> None:
        with self._guard:
            self._held.clear()


class PostgresRunLock:
    """The run lock shared by every instance on one PostgreSQL database: one open connection per held room.

    The connections come from an engine without a pool: closing one really closes it, so a lock is never left
    behind in a pooled connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = create_engine(engine.url, poolclass=NullPool)
        self._held: dict[str, Connection] = {}
        self._guard = threading.Lock()

    def try_acquire(self, room_id: str) -> bool:
        with self._guard:
            if room_id in self._held:
                return False
        connection = self.engine.connect()
        try:
            connection.exec_driver_sql(_KEEPALIVE)
            taken = connection.execute(text('SELECT pg_try_advisory_lock(:key)'),
                                       {'key': lock_key('run', room_id)}).scalar_one()
            connection.commit()  # the lock is the session's: it outlives the transaction
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        with self._guard:
            self._held[room_id] = connection
        return True

    def release(self, room_id: str) -> None:
        with self._guard:
            connection = self._held.pop(room_id, None)
        if connection is None:
            return
        try:
            # Unlocked before the connection closes: a closed session's locks go only when its backend has finished
            # ending, a moment later, and another instance asking at once would be told a run still goes.
            connection.execute(text('SELECT pg_advisory_unlock(:key)'), {'key': lock_key('run', room_id)})
            connection.commit()
        except Exception:
            log.warning('unlocking the run lock of %s failed; closing its session frees it', room_id, exc_info=True)
        finally:
            try:
                connection.close()  # the session ends, and any lock it still held with it
            except Exception:
                log.warning('closing the run lock connection of %s failed; the server ends the session anyway',
                            room_id, exc_info=True)

    def close(self) -> None:
        for room_id in list(self._held):
            self.release(room_id)
        self.engine.dispose()


def room_run_lock(engine: Engine) -> RoomRunLock:
    """The run lock for the engine's database: shared by the instances on PostgreSQL, in memory on SQLite."""
    return PostgresRunLock(engine) if engine.dialect.name == 'postgresql' else LocalRunLock()

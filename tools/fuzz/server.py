"""The server side of a schedule: the real Room, a real persistence, and the group commit modelled as a queue.

The app's GroupCommitWriter queues every update a room reports and writes the queue in one transaction per
window. Here the queue is committed only when the schedule says so, which makes "the server died inside the
window" a scheduled event: `restart()` throws the queue away and boots a fresh Room from what was committed, as
a new process would. The peers that hold the lost updates must give them back on their next handshake.
"""

import logging
import tempfile
from contextlib import contextmanager
from dataclasses import fields, replace
from typing import Callable, Iterator

from collab import Limits, MemoryPersistence, PendingUpdate, Persistence, Room
from collab.room import OnUpdate

log = logging.getLogger(__name__)

RoomFactory = Callable[..., Room]  # called as factory(room_id, limits=..., on_update=...), like Room itself
UNLIMITED_RATE = 1e12  # messages per second


def simulation_limits() -> Limits:
    """The room's default limits, minus its per-connection message rate.

    A schedule has no clock: it delivers a whole session's messages in milliseconds of wall time, which a
    rate limit on `time.monotonic()` would turn into refusals that differ from run to run. Every other limit
    (message and document size, peers, awareness) applies as in the app.
    """
    names = {field.name for field in fields(Limits)}
    return replace(Limits(), **{name: UNLIMITED_RATE for name in ('message_rate', 'message_burst') if name in names})


class Server:
    def __init__(self, room_id: str, persistence: Persistence, *, room_factory: RoomFactory = Room) -> None:
        self.room_id = room_id
        self.persistence = persistence
        self._room_factory = room_factory
        self.limits = simulation_limits()
        self.pending: list[tuple[str, bytes]] = []
        self.room = self.boot()

    def boot(self, on_update: OnUpdate | None = None) -> Room:
        """A fresh Room holding exactly what the store holds (what `RoomRegistry` does on a join)."""
        room = self._room_factory(self.room_id, limits=self.limits, on_update=on_update or self._enqueue)
        room.load(self.persistence.load(self.room_id))
        return room

    def _enqueue(self, room_id: str, update: bytes, author: str | None = None) -> None:
        self.pending.append(PendingUpdate(room_id, update, author))

    def commit(self) -> int:
        batch, self.pending = self.pending, []
        if batch:
            self.persistence.append(batch)
        return len(batch)

    def compact(self) -> None:
        self.persistence.compact(self.room_id)

    def restart(self) -> int:
        """The process dies and comes back: the uncommitted window is lost. Returns how many updates that was."""
        lost = len(self.pending)
        self.pending = []
        self.room = self.boot()
        log.debug('room %s restarted, %d uncommitted updates lost', self.room_id, lost)
        return lost


@contextmanager
def memory_store(initial: bytes) -> Iterator[tuple[Persistence, str]]:
    """A MemoryPersistence holding the interview's first update, as `create_interview` writes it."""
    persistence = MemoryPersistence()
    room_id = 'fuzz'
    persistence.append([PendingUpdate(room_id, initial)])
    yield persistence, room_id


@contextmanager
def sqlite_store(initial: bytes) -> Iterator[tuple[Persistence, str]]:
    """The real SQLModel store on a throw-away SQLite file; the interview row exists first (foreign key)."""
    from store import SqlUpdateLog, create_db, create_interview  # SQLAlchemy only for the schedules that use it

    with tempfile.TemporaryDirectory(prefix='pairpad-fuzz-') as directory:
        engine = create_db(f'sqlite:///{directory}/store.db')
        try:
            interview = create_interview(engine, title='fuzz', language='plaintext', initial_update=initial)
            yield SqlUpdateLog(engine), interview.id
        finally:
            engine.dispose()

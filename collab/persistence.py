"""The durable side of a room, as a small interface (load, append, compact) so rooms run on the SQLModel store
in the app and on memory in tests. Calls are synchronous; the room's GroupCommitWriter runs them off the
event loop."""

from typing import NamedTuple, Protocol

from pycrdt import merge_updates


class PendingUpdate(NamedTuple):
    """An update on its way to the store, with who made it and when (the playback timeline shows both)."""

    room_id: str
    data: bytes
    author: str | None = None  # participant id; None for the server's own changes
    at: float = 0.0  # time.time() when the room applied it


class Persistence(Protocol):
    def load(self, room_id: str) -> list[bytes]:
        """All stored updates of the room (snapshot first), in order; empty for a room never written."""

    def append(self, batch: list[PendingUpdate]) -> None:
        """Store the updates in one transaction: all of them or none."""

    def append_unless_stored(self, batch: list[PendingUpdate]) -> None:
        """`append` again after an append of these same rows failed: those of them already stored (the failed
        append may have committed before its connection broke) are not stored twice. Optional: a store without it
        is retried with `append`."""

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        """Merge the room's stored updates into one snapshot without losing content (a load then reads the
        snapshot, not the updates; the updates themselves may be kept as history).

        :param base: the room's own document as one update (`Room.encoded_state`), when the room is in memory: it
            is merged first, and `merge_updates` keeps the first update's blocks, so the snapshot stays the
            squashed document a `Doc` encodes instead of one block per keystroke, several times smaller and much
            faster to load (docs/benchmarks.md, cold join)"""


class MemoryPersistence:
    """Persistence in a dict, for tests and for running the engine without a database."""

    def __init__(self) -> None:
        self.updates: dict[str, list[bytes]] = {}
        self.commits = 0

    def load(self, room_id: str) -> list[bytes]:
        return list(self.updates.get(room_id, []))

    def append(self, batch: list[PendingUpdate]) -> None:
        for item in batch:
            self.updates.setdefault(item.room_id, []).append(item.data)
        self.commits += 1

    def append_unless_stored(self, batch: list[PendingUpdate]) -> None:
        self.append([item for item in batch if item.data not in self.updates.get(item.room_id, [])])

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        stored = self.updates.get(room_id)
        if stored and (len(stored) > 1 or base is not None):
            self.updates[room_id] = [merge_updates(*([base] if base is not None else []), *stored)]

"""Finds, loads and evicts rooms. One registry per server (no module-global state), so tests can run several.

Concurrent joins of a room that is not in memory share one load. A room with no peers for `unload_after`
seconds is flushed, compacted and dropped from memory; the next join reloads it from the store.
"""

import asyncio
import logging
import time

from .limits import Limits
from .persistence import Persistence
from .room import Room
from .writer import GroupCommitWriter

log = logging.getLogger(__name__)


class RoomRegistry:
    def __init__(self, persistence: Persistence, *, limits: Limits | None = None, commit_window: float = 0.025,
                 compact_every: int = 500, compact_after_idle: float = 10.0, unload_after: float = 60.0) -> None:
        self.persistence = persistence
        self.limits = limits or Limits()
        self.unload_after = unload_after
        self.writer = GroupCommitWriter(persistence, window=commit_window, compact_every=compact_every,
                                        compact_after_idle=compact_after_idle)
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Future[Room]] = {}
        self._sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        self.writer.start()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name='pairpad-room-sweeper')

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        await self.writer.stop()

    def loaded(self, room_id: str) -> Room | None:
        return self._rooms.get(room_id)

    @property
    def room_ids(self) -> list[str]:
        return list(self._rooms)

    async def get(self, room_id: str) -> Room:
        """The room in memory, loading it from the store if needed (one load however many ask at once)."""
        room = self._rooms.get(room_id)
        if room is not None:
            return room
        pending = self._loading.get(room_id)
        if pending is None:
            pending = asyncio.ensure_future(self._load(room_id))
            self._loading[room_id] = pending
            pending.add_done_callback(lambda _: self._loading.pop(room_id, None))
        return await asyncio.shield(pending)

    async def _load(self, room_id: str) -> Room:
        updates = await asyncio.to_thread(self.persistence.load, room_id)
        room = Room(room_id, limits=self.limits, on_update=self.writer.enqueue)
        room.load(updates)
        self._rooms[room_id] = room
        log.info('loaded room %s from %d stored updates', room_id, len(updates))
        return room

    def forget(self, room_id: str, reason: str) -> None:
        """Close a room whose interview was deleted: its peers are told, its queued writes dropped."""
        self.writer.discard(room_id)
        room = self._rooms.pop(room_id, None)
        if room is not None:
            room.close(reason)

    async def unload(self, room_id: str) -> None:
        """Persist and drop a room that has no peers; its next join reloads it."""
        room = self._rooms.get(room_id)
        if room is None or room.peer_ids:
            return
        await self.writer.flush()
        await self.writer.compact(room_id)
        if not room.peer_ids and self._rooms.get(room_id) is room:
            del self._rooms[room_id]
            log.info('unloaded idle room %s', room_id)

    async def sweep(self) -> None:
        now = time.monotonic()
        for room_id, room in list(self._rooms.items()):
            if not room.peer_ids and now - room.last_active >= self.unload_after:
                await self.unload(room_id)
        await self.writer.compact_idle()

    async def _sweep_forever(self) -> None:
        interval = max(0.05, min(1.0, self.unload_after / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:
                log.exception('room sweep failed')

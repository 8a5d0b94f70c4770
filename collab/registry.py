"""Finds, loads, hibernates and evicts rooms. One registry per server (no module-global state), so tests can run
several.

Concurrent joins of a room that is not in memory share one load. A room whose last peer left `hibernate_after`
seconds ago keeps only its encoded document (`Room.encoded_state()`, about the size a join downloads) instead of a
live pycrdt Doc (whose blocks cost about 9 times that: docs/benchmarks.md, memory); the next join rebuilds the
Room from those bytes without touching the store. A room with no peers for `unload_after` seconds, live or
hibernating, is flushed, compacted and dropped from memory; the next join reloads it from the store.
"""

import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from config import Settings

from .channel import Channel
from .limits import Limits
from .persistence import Persistence
from .relay import Kind as RelayKind
from .relay import Relay
from .relay_link import RelayLink
from .room import Room
from .writer import GroupCommitWriter

log = logging.getLogger(__name__)

RELAY_ANNOUNCE_EVERY = 10.0  # seconds between the STATE of a room with tabs: heals what the relay lost silently
SWITCH_INTERVAL = 0.0005  # seconds a thread may hold the GIL while another waits (Python's default: 0.005)


@dataclass
class Hibernating:
    """What stays of an idle room: its document as one update, and who wants to hear that it closed."""

    state: bytes
    last_active: float
    close_callbacks: list[Callable[[str], None]] = field(default_factory=list)


class RoomRegistry:
    def __init__(self, persistence: Persistence, *, limits: Limits | None = None,
                 commit_window: float = Settings.commit_window, compact_every: int = Settings.compact_every,
                 compact_after_idle: float = Settings.compact_after_idle, unload_after: float = Settings.unload_after,
                 hibernate_after: float = Settings.hibernate_after,
                 channel_factory: Callable[[str], Channel] | None = None, relay: Relay | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """:param clock: monotonic seconds, the rooms' too: when a room was last active, so when it sleeps or goes
            (a test moves it by hand)
        :param channel_factory: makes each room's Channel, how the tabs of this process are reached
            (collab.fanout.Fanout over the element's Socket.IO transport, in the server); none: peers are reached
            by their own `send` only (tests, tools)
        :param relay: joins this instance's rooms to the same rooms of other instances (collab/relay.py)"""
        self.persistence = persistence
        self.relay = relay
        self._links: dict[str, RelayLink] = {}
        self._announced_at = 0.0
        self.channel_factory = channel_factory
        self.clock = clock
        self.limits = limits or Limits()
        self.unload_after = unload_after
        self.hibernate_after = hibernate_after
        self.writer = GroupCommitWriter(persistence, window=commit_window, compact_every=compact_every,
                                        compact_after_idle=compact_after_idle)
        self.writer.document_of = self._document_of
        self._rooms: dict[str, Room] = {}
        self._hibernating: dict[str, Hibernating] = {}
        self._loading: dict[str, asyncio.Future[Room]] = {}
        self._sweeper: asyncio.Task | None = None

    async def start(self) -> None:
        # The store runs in threads (group commit, compaction, the presence writer) that hold the GIL while they
        # run Python (SQLAlchemy) or Rust (merge_updates). With the default 5 ms switch interval the event loop
        # then waits up to 5 ms each time it gives the GIL up for a socket call ("convoy"), and a keystroke that
        # needs a dozen of them waits that many times (docs/benchmarks.md has the figures).
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self.writer.start()
        if self.relay is not None:
            await self.relay.start(on_reconnect=self._announce_all)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name='pairpad-room-sweeper')

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for room_id in list(self._links):
            self._unlink(room_id)
        if self.relay is not None:
            await self.relay.stop()
        await self.writer.stop()

    def loaded(self, room_id: str) -> Room | None:
        """The live room, or None (not in memory, or hibernating)."""
        return self._rooms.get(room_id)

    @property
    def room_ids(self) -> list[str]:
        """Rooms with a live document."""
        return list(self._rooms)

    @property
    def hibernating_ids(self) -> list[str]:
        return list(self._hibernating)

    async def get(self, room_id: str) -> Room:
        """The room in memory, waking it or loading it from the store if needed (one load however many ask)."""
        room = self._rooms.get(room_id)
        if room is not None:
            return room
        if room_id in self._hibernating:
            return self._wake(room_id)
        return await asyncio.shield(self._start_load(room_id))

    def warm(self, room_id: str) -> None:
        """Start loading a room that a tab is about to join, without waiting for it: the store read and the
        document's rebuild then happen while the page is built and the editor mounts (or while the person types
        their name), not after the editor asked for the document (docs/benchmarks.md, cold join). A room that
        nobody joins after all goes as any room with no peers does (`unload_after`). A load that fails is only
        logged here: the join's own `get` tries again and reports it."""
        if room_id in self._rooms or room_id in self._hibernating or room_id in self._loading:
            return
        def report(load: asyncio.Future[Room]) -> None:
            if not load.cancelled() and load.exception() is not None:  # retrieved, so asyncio logs no error
                log.warning('loading room %s ahead of its join failed: %r', room_id, load.exception())
        self._start_load(room_id).add_done_callback(report)

    def _start_load(self, room_id: str) -> asyncio.Future[Room]:
        """One load of a room however many ask for it."""
        pending = self._loading.get(room_id)
        if pending is None:
            pending = asyncio.ensure_future(self._load(room_id))
            self._loading[room_id] = pending
            pending.add_done_callback(lambda _: self._loading.pop(room_id, None))
        return pending

    def _new_room(self, room_id: str) -> Room:
        channel = self.channel_factory(room_id) if self.channel_factory is not None else None
        return Room(room_id, limits=self.limits, on_update=self.writer.enqueue, channel=channel, clock=self.clock)

    async def _load(self, room_id: str) -> Room:
        updates = await asyncio.to_thread(self.persistence.load, room_id)
        if room_id in self._rooms:  # defensive: never two live Rooms for one id
            return self._rooms[room_id]
        room = self._new_room(room_id)
        room.load(updates)
        self._rooms[room_id] = room
        self._link(room)
        log.info('loaded room %s from %d stored updates', room_id, len(updates))
        return room

    def _wake(self, room_id: str) -> Room:
        """Rebuild a hibernating room from its bytes: synchronous, so no second load can start meanwhile."""
        sleeping = self._hibernating.pop(room_id)
        room = self._new_room(room_id)
        room.load([sleeping.state])
        room.last_active = sleeping.last_active
        for callback in sleeping.close_callbacks:
            room.on_close(callback)
        self._rooms[room_id] = room
        self._link(room)
        return room

    def _link(self, room: Room) -> None:
        if self.relay is not None:
            self._links[room.id] = RelayLink(room, self.relay,
                                             on_close=lambda reason: self.forget(room.id, reason, tell_others=False))

    def _unlink(self, room_id: str) -> None:
        if (link := self._links.pop(room_id, None)) is not None:
            link.close()

    def _announce_all(self) -> None:
        """After a relay reconnect: messages may have been lost meanwhile, both ways."""
        for link in self._links.values():
            link.announce()

    def _relay_round(self, now: float) -> None:
        """Cursors of instances that are gone go; what only they had unsaved is stored by us; rooms with tabs
        announce their state every RELAY_ANNOUNCE_EVERY."""
        if self.relay is None:
            return
        alive = self.relay.alive()
        for room_id, link in list(self._links.items()):
            if alive is not None and link.drop_gone(alive):
                # Its instance may have died inside a commit window: the changes it had not stored yet are in
                # this room (relayed), so this room's whole state is stored once (a duplicate row is harmless).
                self.writer.enqueue(room_id, link.room.encoded_state(), None)
        if now - self._announced_at >= RELAY_ANNOUNCE_EVERY:
            self._announced_at = now
            for link in self._links.values():
                if link.room.peer_ids:
                    link.announce()

    def _document_of(self, room_id: str) -> bytes | None:
        """The room's document as one squashed update, if it is in memory (what compaction merges first)."""
        if (room := self._rooms.get(room_id)) is not None:
            return room.encoded_state()
        sleeping = self._hibernating.get(room_id)
        return sleeping.state if sleeping is not None else None

    def hibernate(self, room_id: str) -> bool:
        """Keep only the encoded document of a room without peers; False if it has peers or is not live.

        Nothing is written: the group commit holds whatever the room changed (it queues by room id, not by Room
        object), and the bytes are the same document, pending content included (Room.encoded_state)."""
        room = self._rooms.get(room_id)
        if room is None or room.peer_ids or room.closed:
            return False
        self._hibernating[room_id] = Hibernating(room.encoded_state(), room.last_active, room.close_callbacks)
        del self._rooms[room_id]
        self._unlink(room_id)
        room.dispose()
        log.info('room %s hibernates (%d bytes)', room_id, len(self._hibernating[room_id].state))
        return True

    def forget(self, room_id: str, reason: str, *, tell_others: bool = True) -> None:
        """Close a room whose interview was deleted: its peers are told, its queued writes dropped, and the other
        instances close it too."""
        if tell_others and self.relay is not None:
            self.relay.publish(room_id, RelayKind.CLOSE, reason.encode())
        self.writer.discard(room_id)
        room = self._rooms.pop(room_id, None)
        self._unlink(room_id)
        if room is not None:
            room.close(reason)
        sleeping = self._hibernating.pop(room_id, None)
        if sleeping is not None:
            for callback in sleeping.close_callbacks:
                try:
                    callback(reason)
                except Exception:
                    log.exception('room %s: close callback failed', room_id)

    async def unload(self, room_id: str) -> None:
        """Persist and drop a room that has no peers (live or hibernating); its next join reloads it."""
        room = self._rooms.get(room_id)
        sleeping = self._hibernating.get(room_id)
        if (room is None and sleeping is None) or (room is not None and room.peer_ids):
            return
        await self.writer.flush()  # while the store is away this waits for it: the room stays meanwhile
        try:
            await self.writer.compact(room_id)
        except Exception as error:  # the store went away again: the room stays in memory, unloaded at a later sweep
            log.warning('room %s stays loaded: its compaction failed (%s)', room_id, ' '.join(str(error).split())[:200])
            return
        if room is not None and not room.peer_ids and self._rooms.get(room_id) is room:
            del self._rooms[room_id]
            self._unlink(room_id)
            room.dispose()
            log.info('unloaded idle room %s', room_id)
        elif sleeping is not None and self._hibernating.get(room_id) is sleeping:
            del self._hibernating[room_id]
            log.info('unloaded hibernating room %s', room_id)

    async def sweep(self) -> None:
        now = self.clock()
        self._relay_round(now)
        for room_id, room in list(self._rooms.items()):
            if room.peer_ids:
                continue
            if now - room.last_active >= self.unload_after:
                await self.unload(room_id)
            elif now - room.last_active >= self.hibernate_after:
                self.hibernate(room_id)
        for room_id, sleeping in list(self._hibernating.items()):
            if now - sleeping.last_active >= self.unload_after:
                await self.unload(room_id)
        await self.writer.compact_idle()

    async def _sweep_forever(self) -> None:
        interval = max(0.05, min(1.0, self.unload_after / 4, self.hibernate_after / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:
                log.exception('room sweep failed')

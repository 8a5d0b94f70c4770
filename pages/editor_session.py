"""Joins one browser tab's CollabEditor to its Room as one peer, and its presence to the PresenceService.

Every socket connect (the first and each reconnect) adds the peer and runs the sync handshake both ways;
every drop removes it, and its cursors with it, and turns the participant offline.

What the room sends to one tab (its handshake) goes out within the event-loop tick as one `run_method` call.
What the room broadcasts goes through the room's `RoomChannel`: to each tab at once after a quiet spell, then at
most one message per `FANOUT_INTERVAL`, the document updates of that interval merged into one, encoded once and
sent to all the tabs due at the same moment as one Socket.IO event (docs/benchmarks.md: fan-out).
"""

import asyncio
import logging
import time
import weakref
from typing import Callable, NamedTuple

from pycrdt import merge_updates

from nicegui import ui

from collab import ProtocolError, RateLimited, Room, RoomRegistry, protocol
from components.collab_editor import (
    CollabEditor, CollabMessagesEventArguments, CursorEventArguments, PresenceEventArguments,
)
from presence import NotFound, ParticipantView, PresenceError, PresenceService

log = logging.getLogger(__name__)

FANOUT_INTERVAL = 0.025  # seconds: at most one broadcast message per room per interval while updates keep coming
FANOUT_FRAMES_PER_S = 2000  # and at most this many socket frames a second per room: past 50 tabs the interval grows


def _weak_callback(method: Callable[[str], None]) -> Callable[[str], None]:
    """Call a bound method without keeping its object alive. A room outlives the tabs that register on it: a
    strong reference kept every EditorSession (and with it its NiceGUI client and elements) of every page load
    since the room was loaded, reconnections included."""
    ref = weakref.WeakMethod(method)

    def call(reason: str) -> None:
        if (bound := ref()) is not None:
            bound(reason)
    return call


def awareness_user(participant: ParticipantView) -> dict:
    """The awareness `user` this tab shows on its cursor; the room refuses any other from this peer."""
    return {'participantId': participant.id, 'name': participant.name, 'color': participant.color,
            'role': participant.role}


class _Entry(NamedTuple):
    seq: int
    message: bytes
    update: bytes | None
    members: tuple[str, ...]
    exclude: str | None


class RoomChannel:
    """The room's broadcasts to the tabs of this process (collab.room.Channel), gathered in time per tab.

    Each tab gets at most one socket message per interval: what is addressed to a tab that got one less than an
    interval ago waits, and goes with whatever else arrives meanwhile. So a keystroke after a quiet spell goes
    out at once (call_soon: the messages of one event-loop tick travel together), a reply from another tab (its
    cursor, moved by that keystroke) goes back at once too, and N typing authors cost each tab one message per
    interval instead of one per update. The interval is FANOUT_INTERVAL, or longer in a room of more than
    FANOUT_FRAMES_PER_S × FANOUT_INTERVAL tabs, so that the room costs at most FANOUT_FRAMES_PER_S socket frames a
    second (each frame is framed and written by pure-Python engineio/wsproto code: docs/benchmarks.md).

    The tabs of a round that are to get the same messages get them as one Socket.IO event (CollabEditor.broadcast:
    encoded once). Each update skips its sender; when that splits a round into more than a few different sets
    of messages (many authors in one interval), every tab of the round gets all of them instead, one set: an
    update a tab already has changes nothing there. The document updates of a send are merged
    (`pycrdt.merge_updates` keeps every insert and delete) and go first, the awareness messages after them."""

    EXACT_GROUPS = 4  # more different message sets than this in one round: send everybody the same one

    def __init__(self, room: Room, interval: float = FANOUT_INTERVAL, frames_per_s: float = FANOUT_FRAMES_PER_S) -> None:
        self.room_id = room.id
        self.interval = interval
        self.frames_per_s = frames_per_s
        self.sessions: dict[str, 'EditorSession'] = {}
        self._entries: list[_Entry] = []  # not yet sent to every tab they are for; seq increases by one
        self._seq = 0
        self._members: tuple[str, ...] | None = None  # the room's tabs as of the last broadcast
        self._cursor: dict[str, int] = {}  # tab → seq of the first entry it was not sent yet
        self._next_at: dict[str, float] = {}  # tab → earliest time of its next message
        self._handle: asyncio.Handle | None = None

    def deliver(self, message: bytes, members: tuple[str, ...], *, exclude: str | None = None,
                update: bytes | None = None) -> None:
        if members is not self._members:  # somebody joined or left (the room makes a new tuple then)
            present = set(members)
            for peer_id in [p for p in self._cursor if p not in present]:
                del self._cursor[peer_id]
                self._next_at.pop(peer_id, None)
            for peer_id in members:
                self._cursor.setdefault(peer_id, self._seq)  # a newcomer starts with this entry
            self._members = members
        self._entries.append(_Entry(self._seq, message, update, members, exclude))
        self._seq += 1
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_soon(self._round)

    def _round(self) -> None:
        """Send every tab whose interval is over what it was not sent yet. Tabs that were sent the same entries
        so far form a cohort and are due at the same moment (a tab due a quarter interval later joins in), so
        under load a round is one send to everybody, not one per tab."""
        self._handle = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        soon = now + self.interval / 4
        base = self._entries[0].seq if self._entries else self._seq
        gap = max(self.interval, len(self._cursor) / self.frames_per_s)
        cohorts: dict[int, list[str]] = {}
        for peer_id, cursor in self._cursor.items():
            if cursor < self._seq:
                cohorts.setdefault(cursor, []).append(peer_id)
        wake: float | None = None
        for cursor, peer_ids in cohorts.items():
            entries = self._entries[cursor - base:]
            ready = [p for p in peer_ids if self._next_at.get(p, now) <= soon]
            if len(ready) < len(peer_ids):
                later = min(self._next_at[p] for p in peer_ids if self._next_at.get(p, now) > soon)
                wake = later if wake is None else min(wake, later)
            if not ready:
                continue
            senders = {e.exclude for e in entries} & set(ready)  # tabs that must not get all of `entries`
            if len(senders) >= self.EXACT_GROUPS:  # many authors: everybody gets everything, own updates echoed
                senders = set()
            common = [p for p in ready if p not in senders]
            if common:
                self._send(entries, common)
            for peer_id in senders:
                own = [e for e in entries if e.exclude != peer_id]
                if own:
                    self._send(own, [peer_id])
                else:
                    ready.remove(peer_id)  # nothing was due to it: its interval does not start again
                    self._cursor[peer_id] = self._seq
            for peer_id in ready:
                self._cursor[peer_id] = self._seq
                self._next_at[peer_id] = now + gap
        oldest = min(self._cursor.values(), default=self._seq)
        self._entries = self._entries[max(0, oldest - base):]
        if wake is not None:
            self._handle = loop.call_later(max(0.0, wake - self.interval / 4 - now), self._round)

    def _send(self, entries: list[_Entry], peer_ids: list[str]) -> None:
        updates = [e.update for e in entries if e.update is not None]
        messages = [e.message for e in entries if e.update is None]
        if len(updates) > 1:
            messages.insert(0, protocol.update(merge_updates(*updates)))
        elif updates:
            messages.insert(0, next(e.message for e in entries if e.update is not None))
        editors = [session.editor for peer_id in peer_ids
                   if (session := self.sessions.get(peer_id)) is not None and not session.client.is_deleted]
        CollabEditor.broadcast(editors, self.room_id, messages)


_channels: 'weakref.WeakKeyDictionary[Room, RoomChannel]' = weakref.WeakKeyDictionary()


def channel_of(room: Room) -> RoomChannel:
    channel = _channels.get(room)
    if channel is None:
        channel = _channels[room] = RoomChannel(room)
    return channel


class EditorSession:
    def __init__(self, editor: CollabEditor, rooms: RoomRegistry, presence: PresenceService,
                 participant: ParticipantView, *, tracks_presence: bool = True) -> None:
        """`tracks_presence=False` for a second document of the same tab (the interviewers' notes): its cursor
        and heartbeats are the code editor's business, not this one's."""
        self.editor = editor
        self.rooms = rooms
        self.presence = presence
        self.participant_id = participant.id
        self.user = awareness_user(participant)
        self.room_id = editor.room_id
        self.client = editor.client
        self.peer_id = f'{self.client.id}/{editor.id}'
        self.room: Room | None = None
        self._outbox: list[bytes] = []
        self._attaching: asyncio.Task | None = None
        self._last_rate_notice = 0.0
        editor.on_messages(self._on_messages)
        editor.on_error(lambda e: self._reject(e.message))
        self.tracks_presence = tracks_presence
        self._unsubscribe = lambda: None
        if tracks_presence:
            editor.on_cursor(self._on_cursor)
            editor.on_presence(self._on_presence)
            self._unsubscribe = presence.subscribe(self.room_id, self._on_participant)
        self.client.on_connect(self.attach)
        self.client.on_disconnect(self.detach)
        self.client.on_delete(self.close)

    @property
    def attached(self) -> bool:
        return self.room is not None and self.peer_id in self.room.peer_ids

    def attach(self) -> asyncio.Task:
        """Join the room (loading it if it was unloaded meanwhile) and ask the browser for its state."""
        if self._attaching is None or self._attaching.done():
            self._attaching = asyncio.create_task(self._attach())
        return self._attaching

    async def _attach(self) -> None:
        room = await self.rooms.get(self.room_id)
        if self.client.is_deleted or not self.client.has_socket_connection:
            return
        if self.room is not room:
            room.on_close(_weak_callback(self._on_room_closed))  # the room must not keep closed tabs alive
        self.room = room
        channel = channel_of(room)
        try:
            room.connect(self.peer_id, self._send, identity=self.user, author=self.participant_id, channel=channel)
        except ProtocolError as error:
            self._reject(str(error))
            return
        channel.sessions[self.peer_id] = self
        self.editor.set_user(self.user)
        self.editor.resync()
        self._update_presence(status='online')

    def detach(self) -> None:
        if self.room is not None:
            self.room.disconnect(self.peer_id)
            if (channel := _channels.get(self.room)) is not None:
                channel.sessions.pop(self.peer_id, None)
        self._outbox.clear()
        self._update_presence(status='offline')

    def close(self) -> None:
        self.detach()
        self._unsubscribe()

    def _on_room_closed(self, reason: str) -> None:
        """The interview was deleted: show the not-found page, which also clears this tab's local copy."""
        log.info('room %s closed for %s: %s', self.room_id, self.peer_id, reason)
        if not self.client.is_deleted:
            self.client.run_javascript('location.reload()')

    # -- document --------------------------------------------------------------------------------------------

    def _on_messages(self, e: CollabMessagesEventArguments) -> None:
        if e.room != self.room_id:
            self._reject(f'message addressed to room {e.room[:40]!r}, which this tab did not join')
            return
        if not self.attached:
            # Sent before this connection joined the room (a transport replaying what it held): not applied — the
            # sync handshake that attach() opens brings the same content both ways.
            self.attach()
            return
        self._receive(e.messages)

    def _receive(self, messages: list[bytes]) -> None:
        assert self.room is not None
        for message in messages:
            try:
                self.room.receive(self.peer_id, message)
            except RateLimited as error:
                self._slow_down(str(error))
            except ProtocolError as error:
                self._reject(str(error))

    def _reject(self, reason: str) -> None:
        log.warning('rejected a message from %s in room %s: %s', self.peer_id, self.room_id, reason)
        with self.editor:
            ui.notify(f'Your last change could not be applied: {reason}', type='negative', multi_line=True)

    def _slow_down(self, reason: str) -> None:
        """Dropped for rate: said once every few seconds, not once per dropped message (that would be a flood too)."""
        now = time.monotonic()
        if now - self._last_rate_notice < 5:
            return
        self._last_rate_notice = now
        log.warning('rate-limited %s in room %s: %s', self.peer_id, self.room_id, reason)
        with self.editor:
            ui.notify(f'You are sending changes too fast ({reason}); they will sync when you slow down.',
                      type='warning')

    def _send(self, message: bytes) -> None:
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(message)

    def _flush(self) -> None:
        messages, self._outbox = self._outbox, []
        if messages and not self.client.is_deleted:
            self.editor.send(messages)

    # -- presence --------------------------------------------------------------------------------------------

    def _on_cursor(self, e: CursorEventArguments) -> None:
        try:
            self.presence.update_participant(self.room_id, self.participant_id, cursor={'line': e.line,
                                                                                        'column': e.column})
        except PresenceError as error:
            # A caret can briefly point past the server's text when someone else deleted meanwhile: not the
            # user's fault, so it is logged, not shown; the next cursor event corrects it.
            log.info('ignored cursor of %s: %s', self.participant_id, error)

    def _on_presence(self, e: PresenceEventArguments) -> None:
        if e.status is None and e.is_typing is None:
            self._reject('presence message without status or is_typing')
            return
        try:
            self._update_presence(status=e.status, is_typing=e.is_typing)
        except PresenceError as error:
            self._reject(str(error))
        if e.status in ('online', 'away') and not self.attached and self.client.has_socket_connection:
            self.attach()  # heartbeats resumed after the server had given this tab up: sync again

    def _update_presence(self, **changes) -> None:
        if not self.tracks_presence:
            return
        try:
            self.presence.update_participant(self.room_id, self.participant_id, **changes)
        except NotFound:
            log.warning('participant %s of %s vanished', self.participant_id, self.room_id)

    def _on_participant(self, participant: ParticipantView) -> None:
        # The presence sweeper gave this tab up (no heartbeat): drop its peer so its cursor disappears for others.
        if participant.id == self.participant_id and participant.status == 'offline' and self.attached:
            assert self.room is not None
            self.room.disconnect(self.peer_id)

"""Joins one browser tab's CollabEditor to its Room as one peer, and its presence to the PresenceService.

Every socket connect (the first and each reconnect) adds the peer and runs the sync handshake both ways;
every drop removes it, and its cursors with it, and turns the participant offline.

Everything the room sends the tab goes one way: through the room's channel (collab.fanout.Fanout, paced and
merged per tab) to the element's SocketTransport, one Socket.IO event for all the tabs due at the same moment.
"""

import asyncio
import logging
import time
import weakref
from typing import Callable

from nicegui import ui

from collab import ProtocolError, RateLimited, Room, RoomRegistry
from collab.errors import Ended
from collab.fanout import Fanout
from components.collab_editor import (
    CheckEventArguments, CollabEditor, CollabMessagesEventArguments, CursorEventArguments, PresenceEventArguments, SocketTransport,
)
from presence import NotFound, ParticipantView, PresenceError, PresenceService

log = logging.getLogger(__name__)


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
        self._attaching: asyncio.Task | None = None
        self._last_rate_notice = 0.0
        self._attach_callbacks: list[Callable[[Room], None]] = []
        editor.on_messages(self._on_messages)
        editor.on_check(self._on_check)
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

    def on_attach(self, callback: Callable[[Room], None]) -> None:
        """Call `callback(room)` each time this tab joins its room (a reloaded room is a new Room object)."""
        self._attach_callbacks.append(callback)

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
        self._transport(room).add(self.peer_id, self.editor)
        try:
            room.connect(self.peer_id, identity=self.user, author=self.participant_id, channel=room.channel)
        except ProtocolError as error:
            self._reject(str(error))
            return
        for callback in self._attach_callbacks:
            callback(room)
        self.editor.set_user(self.user)
        self.editor.resync()
        self._update_presence(status='online')

    @staticmethod
    def _transport(room: Room) -> SocketTransport:
        """The room's channel is a Fanout over the element's SocketTransport (main.py makes every room's so)."""
        if not isinstance(room.channel, Fanout) or not isinstance(room.channel.transport, SocketTransport):
            raise RuntimeError(f'room {room.id} has no Fanout over a SocketTransport: see main.py')
        return room.channel.transport

    def detach(self) -> None:
        if self.room is not None:
            self.room.disconnect(self.peer_id)
            if self.room.channel is not None:
                self._transport(self.room).remove(self.peer_id)
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
        if self.tracks_presence:
            self.presence.heard(self.room_id, self.participant_id)  # an edit is a heartbeat: typing sends none
        self._receive(e.messages)

    def _on_check(self, e: CheckEventArguments) -> None:
        """The browser's idle check (anti-entropy): the room answers only if the documents differ."""
        if e.room != self.room_id:
            self._reject(f'check for room {e.room[:40]!r}, which this tab did not join')
            return
        if not self.attached:
            self.attach()  # the handshake of the attach exchanges everything anyway
            return
        assert self.room is not None
        try:
            self.room.check(self.peer_id, e.state_vector, e.deleted_digest)
        except RateLimited as error:
            self._slow_down(str(error))
        except ProtocolError as error:
            self._reject(str(error))

    def _receive(self, messages: list[bytes]) -> None:
        assert self.room is not None
        for message in messages:
            try:
                self.room.receive(self.peer_id, message)
            except RateLimited as error:
                self._slow_down(str(error))
            except Ended as error:
                self._reject(str(error))
                self.editor.discard_local()  # what it typed after the end must not come back on reopening
                return
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

    # -- presence --------------------------------------------------------------------------------------------

    def _on_cursor(self, e: CursorEventArguments) -> None:
        try:
            self.presence.update_participant(self.room_id, self.participant_id, cursor={'line': e.line,
                                                                                        'column': e.column})
        except PresenceError as error:
            # A caret can briefly point past the server's text when someone else deleted meanwhile: not the
            # user's fault, so it is logged, not shown; the next cursor event corrects it.
            log.info('ignored cursor of %s: %s', self.participant_id, error)
        except NotFound:  # the interview was deleted (or its participant erased) while this tab still moved
            log.warning('participant %s of %s vanished', self.participant_id, self.room_id)

    def _on_presence(self, e: PresenceEventArguments) -> None:
        if e.status is None and e.is_typing is None:
            self._refuse_presence('presence message without status or is_typing')
            return
        try:
            self._update_presence(status=e.status, is_typing=e.is_typing)
        except PresenceError as error:
            self._refuse_presence(str(error))
        if e.status in ('online', 'away') and not self.attached and self.client.has_socket_connection:
            self.attach()  # heartbeats resumed after the server had given this tab up: sync again

    def _refuse_presence(self, reason: str) -> None:
        """About this tab's status, not about anything typed: said so, not as a change that was lost."""
        log.warning('refused a presence update from %s in room %s: %s', self.peer_id, self.room_id, reason)
        with self.editor:
            ui.notify(f'Your status could not be updated: {reason}', type='warning', multi_line=True)

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

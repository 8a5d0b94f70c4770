"""One room's side of the relay between instances (collab/relay.py): what the room observed goes out, what other
instances observed comes in, and the gaps of an at-most-once channel heal.

Out: every change the room's own peers or the server made (not what came from the store or the relay), and
every awareness update of its own peers after the room validated it. In: changes are applied with the RELAY
origin and reach this instance's tabs, never stored or relayed again; cursors are owned by `relay:<instance>`, so
they vanish at once when that instance's liveness key expires. STATE messages (sent on load, after a relay
reconnect, when a relayed change lacks what it depends on, and every few seconds while the room has tabs) are
answered with what the asker lacks, and with our own cursors so that an instance that just came shows them.
"""

import logging
from typing import Callable

from .anti_entropy import compare, digest_of
from .errors import ProtocolError
from .relay import Kind, Relay, RelayMessage, encode_state, read_state
from .room import Room

log = logging.getLogger(__name__)


class RelayLink:
    def __init__(self, room: Room, relay: Relay, on_close: Callable[[str], None] = lambda reason: None) -> None:
        """:param on_close: the room's interview was deleted on another instance (with the reason)"""
        self.room = room
        self.relay = relay
        self.on_close = on_close
        self.instances: set[str] = set()  # other instances whose cursors this room shows
        self._asked_at: bytes | None = None
        room.outbound = self._publish
        relay.subscribe(room.id, self.receive, on_ready=self.announce)  # on load: ask who holds more

    def close(self) -> None:
        self.relay.unsubscribe(self.room.id)
        self.room.outbound = None

    def announce(self) -> None:
        """Publish our state vector and deletion digest: whoever holds more answers with it."""
        doc = self.room.doc
        self._publish(Kind.STATE, encode_state(doc.get_state(), digest_of(doc)))

    def drop_gone(self, alive: set[str]) -> bool:
        """Remove the cursors of instances that are gone; True if there were any."""
        gone = self.instances - alive
        for instance in gone:
            log.info('room %s: instance %s is gone, its cursors with it', self.room.id, instance)
            self.room.release_owner(f'relay:{instance}')
        self.instances -= gone
        return bool(gone)

    def receive(self, message: RelayMessage) -> None:
        """A message from another instance; a bad one is dropped with a log line, the room unharmed."""
        try:
            if message.kind is Kind.UPDATE:
                if not self.room.apply_relayed(message.payload):
                    self._ask()
            elif message.kind is Kind.AWARENESS:
                self.room.apply_relayed_awareness(f'relay:{message.instance}', message.payload)
                self.instances.add(message.instance)
            elif message.kind is Kind.STATE:
                self._answer(*read_state(message.payload))
            elif message.kind is Kind.CLOSE:
                self.on_close(message.payload.decode(errors='replace')[:200] or 'this interview was deleted')
            else:
                raise ProtocolError(f'a {message.kind.name} message on a document channel')
        except ProtocolError as error:
            log.warning('room %s: dropped a relay message from %s: %s', self.room.id, message.instance, error)

    def _answer(self, state_vector: bytes, deleted_digest: str) -> None:
        difference = compare(self.room.doc, state_vector, deleted_digest)
        if difference.give is not None:
            self._publish(Kind.UPDATE, difference.give)
        if difference.ask:
            self.announce()
        if (cursors := self.room.local_awareness()) is not None:
            self._publish(Kind.AWARENESS, cursors)

    def _ask(self) -> None:
        """Once per state of ours: an update that cannot integrate yet means we missed what it depends on."""
        state = self.room.doc.get_state()
        if state != self._asked_at:
            self._asked_at = state
            self.announce()

    def _publish(self, kind: Kind, payload: bytes) -> None:
        # what another instance lacks when it comes is what our answer to its STATE gives it
        self.relay.publish(self.room.id, kind, payload, healed=kind in (Kind.UPDATE, Kind.AWARENESS))

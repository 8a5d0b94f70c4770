"""The relay between instances that hold the same room: what one instance's tabs change reaches the tabs of the
others. Redis pub/sub carries it in production (collab/redis_relay.py); MemoryHub joins instances inside one
process for tests, and can lose messages on purpose, because pub/sub is at-most-once.

A relay message names its sender instance and says one of three things about one room:
- UPDATE: a document change the sender's room observed (from its tabs or the server itself). Receivers apply it
  with the RELAY origin, fan it out to their tabs, and neither republish nor store it: the sender stored it.
- AWARENESS: an awareness update the sender already validated (cursors, selections, names of its tabs).
- STATE: the sender's state vector and the digest of its deletions; every holder of the room answers with an
  UPDATE of what the sender lacks (and its own STATE if it lacks something of the sender's). Sent when a room is
  loaded, after a reconnect of the relay, when an update arrives whose dependencies are missing, and every few
  seconds for a room with tabs: the gaps of an at-most-once channel heal.
"""

import logging
from dataclasses import dataclass
from enum import IntEnum
from typing import Callable, Protocol

from .errors import ProtocolError
from .protocol import read_var_uint

log = logging.getLogger(__name__)

MAX_INSTANCE_ID = 64


class Kind(IntEnum):
    UPDATE = 1
    AWARENESS = 2
    STATE = 3
    PRESENCE = 4  # JSON: a participant's status, typing and caret, or {"ask": true} (pages/presence_link.py)
    CLOSE = 5  # the room's interview was deleted (the reason, UTF-8): every instance closes it
    RUN = 6  # JSON: an event of the interview's run (start, output, end, stop) (pages/run_link.py)


@dataclass(frozen=True)
class RelayMessage:
    instance: str
    kind: Kind
    payload: bytes

    def encode(self) -> bytes:
        name = self.instance.encode()
        return bytes((self.kind, len(name))) + name + self.payload

    @classmethod
    def decode(cls, data: bytes) -> 'RelayMessage':
        """Read a relay message or raise ProtocolError (a foreign or broken message on the channel)."""
        if len(data) < 2:
            raise ProtocolError('relay message too short')
        try:
            kind = Kind(data[0])
        except ValueError:
            raise ProtocolError(f'unknown relay message kind {data[0]}') from None
        size = data[1]
        if not 0 < size <= MAX_INSTANCE_ID or len(data) < 2 + size:
            raise ProtocolError('relay message with a bad instance name')
        try:
            instance = data[2:2 + size].decode()
        except UnicodeDecodeError:
            raise ProtocolError('relay message with a bad instance name') from None
        payload = bytes(data[2 + size:])
        if kind is Kind.STATE:
            read_state(payload)
        return cls(instance, kind, payload)


def encode_state(state_vector: bytes, deleted_digest: str) -> bytes:
    """A STATE payload: the state vector, then the digest of the delete set (protocol.delete_set_digest)."""
    size, prefix = len(state_vector), bytearray()
    while size > 0x7F:
        prefix.append(0x80 | (size & 0x7F))
        size >>= 7
    prefix.append(size)
    return bytes(prefix) + state_vector + deleted_digest.encode()


def read_state(payload: bytes) -> tuple[bytes, str]:
    """(state vector, digest) of a STATE payload, or ProtocolError."""
    try:
        size, i = read_var_uint(payload, 0)
        state_vector = payload[i:i + size]
        count, j = read_var_uint(state_vector, 0)
        for _ in range(2 * count):
            _, j = read_var_uint(state_vector, j)
    except IndexError:
        raise ProtocolError('relay message with a truncated state vector') from None
    if len(state_vector) != size or j != size:
        raise ProtocolError('relay message with a malformed state vector')
    try:
        digest = payload[i + size:].decode('ascii')
    except UnicodeDecodeError:
        raise ProtocolError('relay message with a malformed digest') from None
    if len(digest) > 16:
        raise ProtocolError('relay message with a malformed digest')
    return bytes(state_vector), digest


OnMessage = Callable[[RelayMessage], None]


class Relay(Protocol):
    """What the registry needs of a relay. `publish` never blocks and never raises: a message that cannot be sent
    now is lost like any pub/sub message, and the STATE exchanges heal it."""

    instance_id: str

    async def start(self, on_reconnect: Callable[[], None]) -> None:
        """Connect; `on_reconnect()` is called after every reconnection (messages may have been lost meanwhile)."""

    async def stop(self) -> None: ...

    def subscribe(self, room_id: str, on_message: OnMessage, on_ready: Callable[[], None] = lambda: None) -> None:
        """Receive the relay messages of a room from the other instances (never our own); `on_ready()` once the
        subscription holds (and again after each reconnect), when asking the others makes sense."""

    def unsubscribe(self, room_id: str) -> None: ...

    def publish(self, room_id: str, kind: Kind, payload: bytes, *, healed: bool = False) -> None:
        """`healed`: the channel's own protocol brings this message to an instance that starts listening later (a
        document's STATE exchange, presence's ask), so a relay may leave it out while no other instance listens
        on the channel (RedisRelay does)."""

    def alive(self) -> set[str] | None:
        """The instances whose liveness key is current (ours included); None when that cannot be told now."""

    async def ping(self) -> None:
        """Raise if the relay's server does not answer (the health check)."""


class MemoryHub:
    """Joins MemoryRelays in one process (tests): delivery is synchronous, in order, unless `lose` says drop."""

    def __init__(self) -> None:
        self.relays: dict[str, 'MemoryRelay'] = {}
        self.lose: Callable[[str, str, RelayMessage], bool] = lambda room_id, to, message: False
        self.published: list[tuple[str, RelayMessage]] = []

    def relay(self, instance_id: str) -> 'MemoryRelay':
        self.relays[instance_id] = MemoryRelay(self, instance_id)
        return self.relays[instance_id]

    def deliver(self, room_id: str, message: RelayMessage) -> None:
        self.published.append((room_id, message))
        data = message.encode()
        for instance_id, relay in list(self.relays.items()):
            if instance_id == message.instance or relay.stopped or self.lose(room_id, instance_id, message):
                continue
            callback = relay.rooms.get(room_id)
            if callback is not None:
                callback(RelayMessage.decode(data))


class MemoryRelay:
    def __init__(self, hub: MemoryHub, instance_id: str) -> None:
        self.hub = hub
        self.instance_id = instance_id
        self.rooms: dict[str, OnMessage] = {}
        self.stopped = False
        self.on_reconnect: Callable[[], None] = lambda: None

    async def start(self, on_reconnect: Callable[[], None]) -> None:
        self.on_reconnect = on_reconnect

    async def stop(self) -> None:
        self.stopped = True
        self.hub.relays.pop(self.instance_id, None)

    def subscribe(self, room_id: str, on_message: OnMessage, on_ready: Callable[[], None] = lambda: None) -> None:
        self.rooms[room_id] = on_message
        on_ready()

    def unsubscribe(self, room_id: str) -> None:
        self.rooms.pop(room_id, None)

    def publish(self, room_id: str, kind: Kind, payload: bytes, *, healed: bool = False) -> None:
        if not self.stopped:
            self.hub.deliver(room_id, RelayMessage(self.instance_id, kind, payload))

    def alive(self) -> set[str] | None:
        return set(self.hub.relays)

    async def ping(self) -> None:
        if self.stopped:
            raise ConnectionError('relay stopped')

"""The simulated network: one connection per online peer, two channels per connection, nothing delivered until
the schedule says so.

What it models, and why that way:
- Delay and interleaving. A message waits in its channel until a delivery step picks that channel; steps pick
  uniformly among the non-empty channels, so deliveries across connections interleave arbitrarily.
- Order within a channel. Socket.IO runs over TCP: on a live connection messages of one direction arrive in the
  order sent. With `reorder` a delivery takes any message of the channel instead (Yjs keeps updates whose
  dependencies are missing pending, so this is tolerated; the schedule then ends with a full handshake).
- Duplication. A delivered message may be replayed later on the same channel: Yjs updates are idempotent.
- Loss. A live socket does not lose single messages; loss happens when the connection drops, and then
  everything in flight both ways is gone. `drop()` is that event.
"""

import random
from collections import deque
from dataclasses import dataclass, field
from enum import Enum


class Direction(Enum):
    UP = 'up'      # peer → server
    DOWN = 'down'  # server → peer


@dataclass
class Connection:
    """One peer's socket. Sends into a closed connection vanish, as they do into a dead socket."""

    peer: str
    up: deque[bytes] = field(default_factory=deque)
    down: deque[bytes] = field(default_factory=deque)
    open: bool = True

    def send_up(self, data: bytes) -> None:
        if self.open:
            self.up.append(data)

    def send_down(self, data: bytes) -> None:
        if self.open:
            self.down.append(data)


@dataclass(frozen=True)
class Delivery:
    peer: str
    direction: Direction
    data: bytes


class Network:
    def __init__(self, rng: random.Random, *, duplicate: float = 0.0, reorder: bool = False) -> None:
        self._rng = rng
        self.duplicate = duplicate
        self.reorder = reorder
        self._connections: dict[str, Connection] = {}
        self.delivered = 0
        self.duplicated = 0
        self.lost = 0

    def connect(self, peer: str) -> Connection:
        if peer in self._connections:
            raise RuntimeError(f'{peer} is already connected')
        connection = Connection(peer)
        self._connections[peer] = connection
        return connection

    def connection(self, peer: str) -> Connection | None:
        return self._connections.get(peer)

    def drop(self, peer: str) -> int:
        """The connection breaks: what was in flight either way is lost. Returns how many messages that was."""
        connection = self._connections.pop(peer)
        connection.open = False
        lost = len(connection.up) + len(connection.down)
        connection.up.clear()
        connection.down.clear()
        self.lost += lost
        return lost

    @property
    def in_flight(self) -> int:
        return sum(len(c.up) + len(c.down) for c in self._connections.values())

    def step(self) -> Delivery | None:
        """Take one message off a randomly chosen non-empty channel; None when nothing is in flight."""
        channels = [(c.peer, Direction.UP, c.up) for c in self._connections.values() if c.up] + \
                   [(c.peer, Direction.DOWN, c.down) for c in self._connections.values() if c.down]
        if not channels:
            return None
        peer, direction, channel = self._rng.choice(channels)
        if self.reorder and len(channel) > 1:
            index = self._rng.randrange(len(channel))
            data = channel[index]
            del channel[index]
        else:
            data = channel.popleft()
        if self.duplicate and self._rng.random() < self.duplicate:
            channel.append(data)  # replayed after whatever was sent meanwhile
            self.duplicated += 1
        self.delivered += 1
        return Delivery(peer, direction, data)

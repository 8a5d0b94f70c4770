"""An in-memory wire between ProtocolClients and a Room: every message waits in a queue until delivered,
so a test decides the interleaving (and with a seeded Random, reorders deliveries between queues)."""

import random
from collections import deque

from collab import Room
from collab.client import ProtocolClient


class Wire:
    def __init__(self, room: Room) -> None:
        self.room = room
        self.clients: dict[str, ProtocolClient] = {}
        self.up: dict[str, deque[bytes]] = {}    # client → room
        self.down: dict[str, deque[bytes]] = {}  # room → client

    def add(self, name: str, *, client_id: int | None = None) -> ProtocolClient:
        self.up[name], self.down[name] = deque(), deque()
        client = ProtocolClient(self.up[name].append, client_id=client_id)
        self.clients[name] = client
        return client

    def connect(self, name: str) -> None:
        """Join and open the handshake first, as a browser does; what the client sent while not connected is
        not delivered (the handshake carries it)."""
        self.up[name].clear()
        self.room.connect(name, self.down[name].append)
        self.clients[name].handshake()

    def disconnect(self, name: str) -> None:
        """Like a dropped socket: what was in flight either way is lost; the next handshake repairs it."""
        self.room.disconnect(name)
        self.up[name].clear()
        self.down[name].clear()

    def step(self, rng: random.Random) -> bool:
        """Deliver one message from a randomly chosen non-empty queue; False when all are empty."""
        queues = [(name, q, True) for name, q in self.up.items() if q] + \
                 [(name, q, False) for name, q in self.down.items() if q]
        if not queues:
            return False
        name, queue, upward = rng.choice(queues)
        message = queue.popleft()
        if upward:
            if name in self.room.peer_ids:
                self.room.receive(name, message)
        else:
            self.clients[name].receive(message)
        return True

    def settle(self, rng: random.Random | None = None) -> None:
        rng = rng or random.Random(0)
        while self.step(rng):
            pass

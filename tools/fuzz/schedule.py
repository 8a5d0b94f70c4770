"""One schedule: K peers and one server, a seeded mix of operations, then the invariants.

Operations: a peer types fresh characters or deletes some at a place of its own view of the text, sets the
language or its cursor; the network delivers some messages; a connection drops (its in-flight messages are
lost) and later reconnects with the sync handshake; the group commit writes its queue; the store compacts; the
server restarts from the store, losing the uncommitted window.

Invariants (invariants.py), checked once everything in flight is delivered and every peer has run a final
handshake: every peer and the server hold the same text; each character typed is there exactly once unless a
peer deleted it; the store reloads to the same text. Nothing is checked before the final handshakes: a peer may
hold someone else's update only as "pending" (it arrived before what it depends on), and the sync protocol gives
such an update back only on the next handshake.
"""

import random
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Callable

from pycrdt import Doc, Map, Text

from collab import LANGUAGES, NotSynced, Persistence, Room, protocol
from collab.client import ProtocolClient
from collab.document import CODE, META

from .alphabet import Typist
from .invariants import check_characters, check_converged, check_local_edit, check_store
from .network import Connection, Direction, Network
from .server import RoomFactory, Server, memory_store, sqlite_store

SERVER_CLIENT_ID = 1  # the client id of the starting document; peers draw theirs from the seed
WrapPersistence = Callable[[Persistence], Persistence]


@dataclass
class Peer:
    name: str
    client: ProtocolClient
    connection: Connection | None = None
    # While offline: None loses what the peer sends; a list holds it and sends it on reconnect (the Socket.IO
    # client buffers emits while disconnected). Either way the handshake must make the server whole.
    held: list[bytes] | None = None


@dataclass(frozen=True)
class Plan:
    """The knobs of one schedule, drawn from its seed so that schedules differ in kind, not only in detail."""

    operations: int
    weights: dict[str, int]
    sql: bool
    reorder: bool
    duplicate: float

    @classmethod
    def draw(cls, rng: random.Random, *, sql_fraction: float) -> 'Plan':
        weights = {
            'type': 30,
            'delete': rng.choice((0, 8, 16)),
            'deliver': 30,
            'drop': rng.choice((0, 3, 8)),
            'reconnect': 8,
            'commit': rng.choice((2, 6, 12)),
            'restart': rng.choice((0, 2, 5)),
            'compact': 1,
            'language': 1,
            'awareness': 3,
        }
        return cls(operations=rng.randint(20, 60), weights=weights, sql=rng.random() < sql_fraction,
                   reorder=rng.random() < 0.2, duplicate=rng.choice((0.0, 0.05, 0.2)))


@dataclass
class Result:
    seed: int
    peers: int
    plan: Plan
    text: str
    stats: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        store = 'sqlite' if self.plan.sql else 'memory'
        order = 'reordering' if self.plan.reorder else 'ordered'
        return f'{self.peers} peers, {store} store, {order} channels'


def plan_for(seed: int, *, sql_fraction: float) -> Plan:
    """The plan a seed's schedule runs, without running it: the plan is the first thing drawn from the seed."""
    return Plan.draw(random.Random(seed), sql_fraction=sql_fraction)


def describe_plan(seed: int, peers: int, *, sql_fraction: float) -> str:
    return Result(seed, peers, plan_for(seed, sql_fraction=sql_fraction), '').describe()


def run_schedule(seed: int, peers: int, *, sql_fraction: float = 0.05, room_factory: RoomFactory = Room,
                 wrap_persistence: WrapPersistence | None = None, trace: list[str] | None = None) -> Result:
    """Run one schedule; raise InvariantViolation (or whatever the engine raised) if it goes wrong.

    `room_factory` and `wrap_persistence` let tests plant a bug; `trace`, when given, receives one line per
    event (replays use it: the same seed makes the same events).
    """
    if peers < 1:
        raise ValueError('a schedule needs at least one peer')
    rng = random.Random(seed)
    plan = Plan.draw(rng, sql_fraction=sql_fraction)
    typist = Typist(rng)
    initial_text = typist.take(rng.randint(0, 12))
    opened: AbstractContextManager = (sqlite_store if plan.sql else memory_store)(_starting_update(initial_text))
    with opened as (persistence, room_id):
        if wrap_persistence is not None:
            persistence = wrap_persistence(persistence)
        schedule = Schedule(rng, plan, peers, Server(room_id, persistence, room_factory=room_factory),
                            typist, initial_text, trace)
        schedule.run()
        schedule.finish()
    schedule.stats['schedules'] += 1
    schedule.stats['sqlite schedules'] += plan.sql
    schedule.stats['reordering schedules'] += plan.reorder
    return Result(seed, peers, plan, schedule.server.room.text, schedule.stats)


def _starting_update(text: str) -> bytes:
    """What `collab.initial_update` writes, but from a fixed client id: a random one would make concurrent
    language changes resolve differently from run to run, and a seed would no longer replay."""
    doc = Doc(client_id=SERVER_CLIENT_ID)
    with doc.transaction(origin='server'):
        doc.get(META, type=Map)['language'] = 'plaintext'
        doc.get(CODE, type=Text).insert(0, text)
    return doc.get_update()


class Schedule:
    def __init__(self, rng: random.Random, plan: Plan, peers: int, server: Server, typist: Typist,
                 initial_text: str, trace: list[str] | None) -> None:
        self.rng = rng
        self.plan = plan
        self.server = server
        self.typist = typist
        self.network = Network(rng, duplicate=plan.duplicate, reorder=plan.reorder)
        self.stats: Counter = Counter()
        self._trace = trace
        self._present = set(initial_text)  # every character that ever was in the text
        self._deleted: set[str] = set()    # every character some peer deleted from its own view
        self._operations = list(plan.weights)
        self._weights = list(plan.weights.values())
        client_ids = rng.sample(range(SERVER_CLIENT_ID + 1, 2 ** 31), peers)
        self.peers: dict[str, Peer] = {}
        for i, client_id in enumerate(client_ids):
            name = f'p{i}'
            self.peers[name] = Peer(name, ProtocolClient(self._sender(name), client_id=client_id))
        self._log(f'start: {plan}, text {initial_text!r}')
        for peer in self.peers.values():
            if rng.random() < 0.85:  # the others type offline first and join later
                self._connect(peer)

    # -- the schedule ----------------------------------------------------------------------------------------

    def run(self) -> None:
        for _ in range(self.plan.operations):
            operation = self.rng.choices(self._operations, self._weights)[0]
            getattr(self, f'_{operation}')()
            self.stats[operation] += 1

    def finish(self) -> None:
        """Deliver everything, then a full handshake for every peer, deliver again, and check the invariants."""
        self.network.duplicate = 0.0  # replays could otherwise keep the network busy a while longer
        self._settle()
        # The final handshakes run over ordered channels even in a reordering schedule: what they must repair
        # is what the schedule did, not a reordering of the repair itself.
        self.network.reorder = False
        self._log('final handshakes')
        for peer in self.peers.values():
            if peer.connection is None:
                self._connect(peer)
            else:  # the same socket: the server's SyncStep1 and the peer's, both ways, as on a reconnect
                self.server.room.connect(peer.name, peer.connection.send_down)
                peer.client.handshake()
        self._settle()
        check_converged(self.server.room, ((peer.name, peer.client) for peer in self.peers.values()))
        check_characters(self.server.room.text, self._present, self._deleted)
        check_store(self.server)
        self.stats['delivered'] = self.network.delivered
        self.stats['duplicated'] = self.network.duplicated
        self.stats['lost'] = self.network.lost

    # -- operations ------------------------------------------------------------------------------------------

    def _type(self) -> None:
        peer = self._pick(self.peers.values())
        before = peer.client.text
        index = self.rng.randint(0, len(before))
        chunk = self.typist.take(self.rng.randint(1, 4))
        self._log(f'{peer.name} types {chunk!r} at {index}')
        peer.client.insert(index, chunk)
        self._present.update(chunk)
        check_local_edit(peer.name, peer.client, before[:index] + chunk + before[index:])

    def _delete(self) -> None:
        peer = self._pick(self.peers.values())
        before = peer.client.text
        if not before:
            return
        start = self.rng.randrange(len(before))
        length = self.rng.randint(1, min(4, len(before) - start))
        removed = before[start:start + length]
        self._log(f'{peer.name} deletes {removed!r} at {start}')
        peer.client.delete(start, length)
        self._deleted.update(removed)
        check_local_edit(peer.name, peer.client, before[:start] + before[start + length:])

    def _deliver(self) -> None:
        for _ in range(self.rng.randint(1, 8)):
            if not self._deliver_one():
                return

    def _drop(self) -> None:
        online = [peer for peer in self.peers.values() if peer.connection is not None]
        if online:
            peer = self._pick(online)
            self._disconnect(peer)
            self.server.room.disconnect(peer.name)

    def _reconnect(self) -> None:
        offline = [peer for peer in self.peers.values() if peer.connection is None]
        if offline:
            self._connect(self._pick(offline))

    def _commit(self) -> None:
        self._log(f'commit of {self.server.commit()} updates')

    def _compact(self) -> None:
        self._log('compact')
        self.server.compact()

    def _restart(self) -> None:
        for peer in self.peers.values():
            if peer.connection is not None:
                self._disconnect(peer)
        lost = self.server.restart()
        self._log(f'server restart: {lost} uncommitted updates lost')

    def _language(self) -> None:
        peer = self._pick(self.peers.values())
        language = self.rng.choice(tuple(LANGUAGES))
        self._log(f'{peer.name} sets language {language}')
        peer.client.set_language(language)

    def _awareness(self) -> None:
        peer = self._pick(self.peers.values())
        state = None if self.rng.random() < 0.1 else {'name': peer.name, 'cursor': len(peer.client.text)}
        self._log(f'{peer.name} sets awareness {state}')
        peer.client.set_awareness(state)

    # -- wiring ----------------------------------------------------------------------------------------------

    def _sender(self, name: str) -> Callable[[bytes], None]:
        def send(data: bytes) -> None:
            peer = self.peers[name]
            if peer.connection is not None:
                peer.connection.send_up(data)
            elif peer.held is not None:
                peer.held.append(data)
        return send

    def _connect(self, peer: Peer) -> None:
        """A (re)connect as the app does it: the room adds the peer and sends its SyncStep1, the peer sends
        its own; what the socket client held while offline goes out before or after, either may happen."""
        held, peer.held = peer.held or [], None
        peer.connection = self.network.connect(peer.name)
        self._log(f'{peer.name} connects ({len(held)} held messages)')
        self.server.room.connect(peer.name, peer.connection.send_down)
        held_first = self.rng.random() < 0.5
        if held_first:
            for data in held:
                peer.connection.send_up(data)
        peer.client.handshake()
        if not held_first:
            for data in held:
                peer.connection.send_up(data)

    def _disconnect(self, peer: Peer) -> None:
        lost = self.network.drop(peer.name)
        peer.connection = None
        peer.held = [] if self.rng.random() < 0.5 else None
        self._log(f'{peer.name} drops, {lost} messages in flight lost, offline sends '
                  f'{"held" if peer.held is not None else "lost"}')

    def _deliver_one(self) -> bool:
        delivery = self.network.step()
        if delivery is None:
            return False
        if self._trace is not None:
            kind = protocol.parse(delivery.data).kind.value
            self._log(f'deliver {delivery.direction.value} {delivery.peer}: {kind}, {len(delivery.data)} bytes')
        if delivery.direction is Direction.UP:
            try:
                self.server.room.receive(delivery.peer, delivery.data)
            except NotSynced:
                # held traffic replayed before the peer's handshake on its new connection: refused by design, and
                # the handshake that follows carries the same content (the transport drops it in the app too)
                self._log(f'refused {delivery.peer}: update before its sync step 1')
        else:
            self.peers[delivery.peer].client.receive(delivery.data)
        return True

    def _settle(self) -> None:
        while self._deliver_one():
            pass

    def _pick(self, items):
        return self.rng.choice(list(items))

    def _log(self, line: str) -> None:
        if self._trace is not None:
            self._trace.append(line)

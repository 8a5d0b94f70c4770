"""The schedule simulator (tools/fuzz/): 1,000 seeded schedules over 2 to 8 peers hold every invariant, a seed
replays exactly, and a planted bug in the room or in the store is caught and named by its seed."""

import random

import pytest

from collab import MemoryPersistence, Persistence, Room
from collab.client import ProtocolClient
from tools.fuzz import InvariantViolation, Options, peers_for, replay_command, run_many, run_schedule
from tools.fuzz.__main__ import main
from tools.fuzz.alphabet import Typist
from tools.fuzz.network import Direction, Network
from tools.fuzz.schedule import plan_for
from tools.fuzz.server import Server

SCHEDULES = 1000
BLOCKS = 10
CI = Options(peers_min=2, peers_max=8)


@pytest.mark.parametrize('block', range(BLOCKS))
def test_schedules_hold_every_invariant(block):
    """Seeds 0..999 in blocks of 100; the number of peers cycles 2..8 with the seed."""
    size = SCHEDULES // BLOCKS
    report = run_many(range(block * size, (block + 1) * size), CI)
    assert report.schedules == size
    assert not report.failures, '\n'.join(
        f'seed {f.seed} ({f.setup}): {f.error}\n  replay: {replay_command(f, CI)}' for f in report.failures)


def test_the_ci_schedules_cover_every_peer_count_both_stores_and_every_kind_of_fault():
    plans = [plan_for(seed, sql_fraction=CI.sql_fraction) for seed in range(SCHEDULES)]
    assert {peers_for(seed, CI) for seed in range(SCHEDULES)} == set(range(2, 9))
    assert sum(plan.sql for plan in plans) >= 20
    assert sum(plan.reorder for plan in plans) >= 100
    assert sum(plan.duplicate > 0 for plan in plans) >= 500
    assert sum(plan.weights['restart'] > 0 for plan in plans) >= 500
    assert sum(plan.weights['drop'] > 0 for plan in plans) >= 500


def test_typed_text_spans_every_utf8_width_and_never_repeats_a_character():
    typed = Typist(random.Random(0)).take(400)
    assert len(set(typed)) == len(typed)
    assert {len(char.encode()) for char in typed} == {1, 2, 3, 4}  # ASCII, accents, CJK, emoji (astral)


def test_a_seed_replays_exactly():
    def outcome(seed: int) -> tuple[list[str], str]:
        trace: list[str] = []
        try:
            return trace, run_schedule(seed, 5, trace=trace).text
        except InvariantViolation as e:  # a failing seed must replay its failure just as exactly
            return trace, str(e)

    first, second = outcome(11), outcome(11)
    assert first == second and len(first[0]) > 50
    assert outcome(12) != first


def test_the_network_keeps_order_per_direction_and_loses_everything_in_flight_on_a_drop():
    network = Network(random.Random(1))
    a, b = network.connect('a'), network.connect('b')
    for i in range(5):
        a.send_up(b'a%d' % i)
        a.send_down(b'A%d' % i)
        b.send_up(b'b%d' % i)
    seen: dict[tuple[str, Direction], list[bytes]] = {}
    for _ in range(8):
        delivery = network.step()
        seen.setdefault((delivery.peer, delivery.direction), []).append(delivery.data)
    for messages in seen.values():
        assert messages == sorted(messages)  # each channel in the order sent
    assert network.drop('a') == 10 - sum(len(m) for (peer, _), m in seen.items() if peer == 'a')
    a.send_up(b'after the drop')  # into a dead socket
    assert {d.peer for d in iter(network.step, None)} <= {'b'}
    assert network.in_flight == 0


def test_a_restart_keeps_only_what_was_committed():
    server = Server('r', MemoryPersistence())
    outbox: list[bytes] = []
    author = ProtocolClient(outbox.append, client_id=7)
    server.room.connect('author', lambda _: None)
    author.handshake()
    server.room.receive('author', outbox.pop())
    author.insert(0, 'kept ')
    server.room.receive('author', outbox.pop())
    server.commit()
    author.insert(5, 'lost')
    server.room.receive('author', outbox.pop())
    assert server.room.text == 'kept lost'
    assert server.restart() == 1  # the update inside the commit window
    assert server.room.text == 'kept '


# -- the simulator can fail -----------------------------------------------------------------------------------

class ForgetfulRoom(Room):
    """Drops every 7th document update it is given without applying it, and never asks the sender for what it
    then lacks (the real room does, which repairs a dropped update): a bug the invariants must catch."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.updates_seen = 0

    def _apply(self, peer_id: str, update: bytes) -> None:
        self.updates_seen += 1
        if self.updates_seen % 7:
            super()._apply(peer_id, update)

    def _ask_for_what_is_missing(self, peer_id: str, update: bytes) -> None:
        pass


class LossyStore:
    """Acknowledges every commit but silently loses every 3rd update of it."""

    def __init__(self, inner: Persistence) -> None:
        self.inner = inner
        self.appended = 0

    def load(self, room_id: str) -> list[bytes]:
        return self.inner.load(room_id)

    def append(self, batch: list[tuple[str, bytes]]) -> None:
        kept = []
        for entry in batch:
            self.appended += 1
            if self.appended % 3:
                kept.append(entry)
        self.inner.append(kept)

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        self.inner.compact(room_id, base)


def test_a_room_that_forgets_updates_is_caught_and_named_by_seed():
    options = Options(room_factory=ForgetfulRoom)
    report = run_many(range(40), options)
    assert len(report.failures) >= 5  # most schedules repair a lost update in their final handshakes
    failure = report.failures[0]
    assert failure.error.startswith(('convergence', 'no typed character lost', 'store reload'))
    assert f'-m tools.fuzz --seed {failure.seed} --schedules 1' in replay_command(failure, options)
    again = run_many([failure.seed], options)  # the seed alone replays it
    assert [f.error for f in again.failures] == [failure.error]


def test_a_store_that_loses_committed_updates_is_caught():
    report = run_many(range(40), Options(wrap_persistence=LossyStore))
    assert sum(f.error.startswith('store reload') for f in report.failures) >= 10


def test_the_command_line_prints_the_failing_seed_and_how_to_replay_it(capsys):
    assert main(['--schedules', '15', '--seed', '0', '--jobs', '1', '--max-failures', '2'],
                room_factory=ForgetfulRoom) == 1
    out = capsys.readouterr().out
    assert 'FAIL seed ' in out
    assert '-m tools.fuzz --seed ' in out and '--schedules 1 --peers-min 2 --peers-max 8 --trace' in out
    assert '2 failed (seeds ' in out


def test_the_command_line_summarises_a_clean_run(capsys):
    assert main(['--schedules', '4', '--seed', '0', '--jobs', '1']) == 0
    out = capsys.readouterr().out
    assert 'ran 4 schedules' in out and 'all invariants held' in out

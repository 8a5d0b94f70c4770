"""The Room with in-process pycrdt peers: handshake, fan-out, concurrent edits converge, reconnects repair."""

import random
from collections import Counter

import pytest

from collab import Room, initial_update
from collab.room import STORE
from tests.wiring import Wire

ALPHABET = 'abcXYZ \n{}é漢字😊🚀ß'


def test_handshake_brings_a_new_peer_the_server_document():
    room = Room('r')
    room.load([initial_update('python', 'print(1)\n')])
    wire = Wire(room)
    alice = wire.add('alice')
    wire.connect('alice')
    wire.settle()
    assert alice.text == 'print(1)\n'
    assert alice.synced


def test_handshake_gives_the_server_what_a_peer_typed_offline():
    room = Room('r')
    wire = Wire(room)
    alice = wire.add('alice')
    alice.insert(0, 'typed before connecting')
    wire.up['alice'].clear()  # never sent: only the handshake can bring it
    wire.connect('alice')
    wire.settle()
    assert room.text == 'typed before connecting'


def test_update_is_forwarded_to_the_other_peers_only():
    room = Room('r')
    wire = Wire(room)
    for name in ('a', 'b', 'c'):
        wire.add(name)
        wire.connect(name)
    wire.settle()
    wire.clients['a'].insert(0, 'hi')
    wire.room.receive('a', wire.up['a'].popleft())
    assert not wire.down['a']
    assert len(wire.down['b']) == 1 and len(wire.down['c']) == 1
    wire.settle()
    assert [c.text for c in wire.clients.values()] == ['hi', 'hi', 'hi']


def test_updates_are_reported_for_persistence_but_loaded_ones_are_not():
    persisted = []
    room = Room('r', on_update=lambda room_id, update, author: persisted.append((room_id, update)))
    room.load([initial_update('go')])
    assert persisted == []
    wire = Wire(room)
    wire.add('a').insert(0, 'x')
    wire.connect('a')
    wire.settle()
    assert len(persisted) == 1 and persisted[0][0] == 'r'
    assert STORE == 'store'


def test_duplicate_update_is_neither_forwarded_nor_persisted_twice():
    persisted = []
    room = Room('r', on_update=lambda *_: persisted.append(1))
    wire = Wire(room)
    a, _ = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    a.insert(0, 'once')
    message = wire.up['a'][0]
    wire.settle()
    room.receive('a', message)
    assert len(persisted) == 1
    assert not wire.down['b']


def test_language_lives_in_the_shared_document():
    room = Room('r')
    room.load([initial_update('python')])
    wire = Wire(room)
    a, b = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    a.set_language('rust')
    wire.settle()
    assert room.language == 'rust'
    assert b.meta['language'] == 'rust'


@pytest.mark.parametrize('change, refusal', [
    (lambda peer: peer.set_language('klingon'), "unknown language 'klingon'"),
    (lambda peer: peer.set_language(''), "unknown language ''"),
    (lambda peer: peer._edit(lambda: peer.meta.__setitem__('ended', True)), "not 'ended'"),
    (lambda peer: peer._edit(lambda: peer.meta.__setitem__('owner', 'me')), "not 'owner'"),
])
def test_a_peer_may_change_only_the_language_of_meta_and_only_to_a_known_one(change, refusal):
    """A candidate's tab must not end the interview, add keys, or set a language the server cannot highlight or
    run: the room sets meta back at once, every peer and the store end where they were, and the sender is told."""
    from collab import ProtocolError
    persisted = []
    room = Room('r', on_update=lambda _, update, __: persisted.append(update))
    room.load([first := initial_update('python', 'code\n')])
    wire = Wire(room)
    a, b = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    change(a)
    with pytest.raises(ProtocolError, match=refusal):
        wire.settle()
    wire.settle()
    assert room.language == a.meta['language'] == b.meta['language'] == 'python'
    assert room.ended is False and dict(b.meta) == dict(a.meta) == {'language': 'python'}
    b.insert(0, 'still open ')  # the room is not ended: edits go through
    a.set_language('go')  # and a known language is still a peer's to pick
    wire.settle()
    assert room.text == a.text == 'still open code\n' and room.language == b.meta['language'] == 'go'
    restored = Room('r')
    restored.load([first] + persisted)
    assert restored.language == 'go' and restored.ended is False


def _random_schedule(seed: int, peers: int = 3, steps: int = 40) -> None:
    rng = random.Random(seed)
    room = Room('r')
    room.load([initial_update('plaintext', 'start\n')])
    wire = Wire(room)
    names = [f'p{i}' for i in range(peers)]
    typed: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        wire.add(name)
        wire.connect(name)
    deletes = rng.random() < 0.5
    for _ in range(steps):
        name = rng.choice(names)
        client = wire.clients[name]
        roll = rng.random()
        if roll < 0.45:
            chunk = ''.join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
            client.insert(rng.randint(0, len(client.text)), chunk)
            typed[name].append(chunk)
        elif roll < 0.55 and deletes and client.text:
            start = rng.randrange(len(client.text))
            client.delete(start, rng.randint(1, min(3, len(client.text) - start)))
        elif roll < 0.6:
            wire.disconnect(name)
            wire.connect(name)
        else:
            for _ in range(rng.randint(1, 4)):
                wire.step(rng)
    wire.settle(rng)
    texts = {name: client.text for name, client in wire.clients.items()}
    assert len(set(texts.values())) == 1, f'seed {seed}: peers diverged {texts}'
    assert room.text == texts[names[0]], f'seed {seed}: server differs'
    if not deletes:
        expected = Counter('start\n' + ''.join(''.join(chunks) for chunks in typed.values()))
        assert Counter(room.text) == expected, f'seed {seed}: characters lost or duplicated'
    restarted = Room('r')
    restarted.load([room.doc.get_update()])
    assert restarted.text == room.text


@pytest.mark.parametrize('block', range(10))
def test_random_concurrent_schedules_converge(block):
    """1,000 seeded schedules over 3 peers: inserts, deletes, reconnects, non-ASCII, random delivery order."""
    for seed in range(block * 100, block * 100 + 100):
        _random_schedule(seed)


def test_ended_interview_refuses_edits_and_reopening_allows_them_again():
    from collab import ProtocolError
    persisted = []
    room = Room('r', on_update=lambda _, update, __: persisted.append(update))
    room.load([initial_update('python', 'code\n')])
    wire = Wire(room)
    a, b = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    room.set_ended(True)
    wire.settle()
    assert a.meta['ended'] is True and b.meta['ended'] is True and len(persisted) == 1
    a.insert(0, 'late ')
    with pytest.raises(ProtocolError, match='has ended'):
        wire.settle()
    assert room.text == b.text == 'code\n'
    room.set_ended(False)
    b.insert(0, 'again ')
    wire.settle()
    assert room.text == b.text == 'again code\n'
    restored = Room('r')
    restored.load([initial_update('python', 'x')] + persisted)
    assert restored.ended is False


# -- per-update path and broadcasts through a channel ------------------------------------------------------------

def test_a_typing_peer_that_deletes_is_not_asked_for_a_resync_after_each_keystroke():
    room = Room('r')
    wire = Wire(room)
    a, b = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    for step in range(20):
        a.insert(len(a.text), 'xy') if step % 2 == 0 else a.delete(len(a.text) - 1, 1)
        room.receive('a', wire.up['a'].popleft())
        # (an update may come back: ProtocolClient sends its whole delete set with each edit, so the room's change
        # is not byte for byte what it sent; but never a SyncStep1, the room has everything)
        assert not [m for m in wire.down['a'] if m[:2] == bytes((0, 0))], 'the room asked the typist for a resync'
        wire.settle()
    assert room.text == a.text == b.text == 'x' * 10


def test_an_update_whose_dependencies_are_missing_still_asks_its_sender_once():
    room = Room('r')
    wire = Wire(room)
    a = wire.add('a')
    wire.connect('a')
    wire.settle()
    a.insert(0, 'first')
    wire.up['a'].clear()  # lost: the next update depends on it
    a.delete(0, 2)
    a.insert(len(a.text), '!')
    room.receive('a', wire.up['a'].popleft())
    assert [m[:2] for m in wire.down['a']] == [bytes((0, 0))]  # a SyncStep1: send me what I lack
    wire.settle()
    assert room.text == a.text == 'rst!'


class RecordingChannel:
    def __init__(self) -> None:
        self.calls: list[tuple[bytes, list[str], bytes | None]] = []

    def deliver(self, message: bytes, members: tuple[str, ...], *, exclude: str | None = None,
                update: bytes | None = None) -> None:
        self.calls.append((message, [m for m in members if m != exclude], update))

    def unicast(self, peer_id: str, message: bytes) -> None:
        self.calls.append((message, [peer_id], None))

    def leave(self, peer_id: str) -> None:
        pass


def test_broadcasts_reach_the_peers_of_a_channel_in_one_call_and_the_others_one_by_one():
    from collab import protocol
    room = Room('r')
    channel = RecordingChannel()
    plain = []
    room.connect('tab1', lambda m: None, channel=channel)
    room.connect('tab2', lambda m: None, channel=channel)
    room.connect('tab3', lambda m: None, channel=channel)
    room.connect('test', plain.append)
    for peer_id in ('tab1', 'tab2', 'tab3', 'test'):
        room.receive(peer_id, protocol.sync_step1(b'\x00'))
    plain.clear()
    source = Room('source')
    source._code.insert(0, 'hello')
    update = source.doc.get_update()
    room.receive('tab2', protocol.update(update))
    assert [(r, u) for _, r, u in channel.calls] == [(['tab1', 'tab3'], update)]
    assert channel.calls[0][0] == plain[0] == protocol.update(update)

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


def _channel_with_fake_tabs(monkeypatch, names, **options):
    from pages import editor_session
    sent: list[tuple[list[str], list[bytes]]] = []
    monkeypatch.setattr(editor_session.CollabEditor, 'broadcast',
                        staticmethod(lambda editors, room_id, messages: sent.append((sorted(editors), messages))))

    class FakeSession:
        def __init__(self, name: str) -> None:
            self.editor, self.client = name, type('Client', (), {'is_deleted': False})()

    channel = editor_session.RoomChannel(Room('r'), **options)
    channel.sessions = {name: FakeSession(name) for name in names}
    return channel, sent


def _typed(*chunks: str) -> list[bytes]:
    from pycrdt import Doc, Text
    author = Doc()
    text = author.get('code', type=Text)
    updates = []
    for chunk in chunks:
        before = author.get_state()
        text += chunk
        updates.append(author.get_update(before))
    return updates


async def test_the_room_channel_sends_at_once_then_gathers_and_merges_within_the_interval(monkeypatch):
    import asyncio

    from pycrdt import Doc, Text

    from collab import protocol
    channel, sent = _channel_with_fake_tabs(monkeypatch, 'abc', interval=0.05)
    updates = _typed('one ', 'two ', 'three')
    members = ('a', 'b', 'c')
    channel.deliver(protocol.update(updates[0]), members, exclude='a', update=updates[0])  # after a quiet spell
    await asyncio.sleep(0)
    assert sent == [(['b', 'c'], [protocol.update(updates[0])])]  # at once, to everyone but its sender
    channel.deliver(protocol.update(updates[1]), members, exclude='a', update=updates[1])
    channel.deliver(b'\x01awareness', members, exclude='b')  # b's cursor
    channel.deliver(protocol.update(updates[2]), members, exclude='a', update=updates[2])
    await asyncio.sleep(0.01)
    assert sent[1:] == [(['a'], [b'\x01awareness'])]  # a got nothing lately: at once; b and c wait
    await asyncio.sleep(0.08)
    assert len(sent) == 4
    (to_b, for_b), (to_c, for_c) = sorted(sent[2:])
    assert to_b == ['b'] and len(for_b) == 1  # not its own cursor
    assert to_c == ['c'] and for_c[1] == b'\x01awareness'  # updates first, merged into one
    for merged in (for_b[0], for_c[0]):
        reader = Doc()
        reader.apply_update(updates[0])
        reader.apply_update(protocol.parse(merged).payload)
        assert str(reader.get('code', type=Text)) == 'one two three'


async def test_a_reply_to_a_keystroke_is_not_held_back_by_it(monkeypatch):
    """One person types, the other's cursor moves in reply: neither waits for the other's interval."""
    import asyncio

    from collab import protocol
    channel, sent = _channel_with_fake_tabs(monkeypatch, ('typist', 'watcher'), interval=0.05)
    members = ('typist', 'watcher')
    for i, update in enumerate(_typed(*'abcd')):
        channel.deliver(protocol.update(update), members, exclude='typist', update=update)
        await asyncio.sleep(0)
        channel.deliver(b'\x01watcher cursor', members, exclude='watcher')
        await asyncio.sleep(0)
        assert len(sent) == 2 * i + 2  # both went out at once
        await asyncio.sleep(0.06)


async def test_many_authors_in_one_interval_make_one_send_for_everybody(monkeypatch):
    import asyncio

    from collab import protocol
    names = [f't{i}' for i in range(20)]
    channel, sent = _channel_with_fake_tabs(monkeypatch, names, interval=0.05, frames_per_s=200)
    members = tuple(names)
    first = _typed('x')[0]
    channel.deliver(protocol.update(first), members, exclude='t0', update=first)
    await asyncio.sleep(0)
    assert len(sent) == 1
    for name in names:  # everybody types within the interval
        update = _typed(name)[0]
        channel.deliver(protocol.update(update), members, exclude=name, update=update)
    await asyncio.sleep(0.02)
    assert len(sent) == 2  # t0 had nothing lately: at once
    await asyncio.sleep(0.11)  # 20 tabs at 200 frames/s: every 0.1 s (longer than the 0.05 s interval)
    assert len(sent) == 3 and sent[2][0] == sorted(names[1:])  # one set for all: own updates echoed


async def test_a_tab_that_joins_gets_what_was_broadcast_after_it_joined(monkeypatch):
    import asyncio

    from collab import protocol
    channel, sent = _channel_with_fake_tabs(monkeypatch, ('a', 'b', 'c'), interval=0.05)
    first, second = _typed('one', 'two')
    channel.deliver(protocol.update(first), ('a', 'b'), exclude='a', update=first)
    await asyncio.sleep(0)
    channel.deliver(protocol.update(second), ('a', 'b', 'c'), exclude='a', update=second)  # c joined meanwhile
    await asyncio.sleep(0)
    assert sent == [(['b'], [protocol.update(first)]), (['c'], [protocol.update(second)])]
    await asyncio.sleep(0.07)
    assert sent[2] == (['b'], [protocol.update(second)])
    channel.deliver(b'\x01cursor', ('a', 'c'), exclude='c')  # b left
    await asyncio.sleep(0)
    assert sent[3] == (['a'], [b'\x01cursor']) and 'b' not in channel._cursor

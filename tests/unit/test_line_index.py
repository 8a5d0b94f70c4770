"""collab.line_index.LineIndex as a Room keeps it: after every kind of change that reaches the room — peers' edits,
concurrent and merged in a seeded random order, undone and redone at a peer, the server's own write, a load, another
instance's relayed update — its lines equal a fresh `str(text).split('\\n')` (astral characters, CRLF, pastes of
hundreds of lines, deletions of thousands of characters); and the text is read whole at most once per change, however
many questions come in between."""

import random

import pytest
from pycrdt import Doc, Text, UndoManager

from collab import Room, protocol
from collab.document import CODE
from collab.line_index import LineIndex, utf16_length
from tests.wiring import Wire

PIECES = ['a', 'bc', ' ', '\n', '\n\n', 'é', '€', '😊', '𝄞', 'x\r\ny', 'if x:\n    y = "😊"\n']


def _assert_matches(index: LineIndex, text: str) -> None:
    expected = text.split('\n')
    assert index.lines() == expected
    assert len(index) == len(expected)
    for number in {1, len(expected), (len(expected) + 1) // 2}:
        assert index.width(number) == len(expected[number - 1].encode('utf-16-le')) // 2


def _random_edit(rng: random.Random, client) -> None:
    """One insert or delete by a peer (code point positions); now and then a paste of hundreds of lines or a
    deletion of thousands of characters."""
    s = client.text
    if rng.random() < 0.6 or len(s) < 2:
        count = rng.randint(300, 900) if rng.random() < 0.02 else rng.randint(1, 4)
        client.insert(rng.randint(0, len(s)), ''.join(rng.choice(PIECES) for _ in range(count)))
    else:
        a = rng.randint(0, len(s) - 1)
        client.delete(a, rng.randint(1, min(4000 if rng.random() < 0.03 else 8, len(s) - a)))


def _room_with(names: str) -> tuple[Room, Wire]:
    room = Room('r')
    wire = Wire(room)
    for name in names:
        wire.add(name)
        wire.connect(name)
    wire.settle()
    return room, wire


@pytest.mark.parametrize('seed', range(3))
def test_concurrent_edits_through_a_room_match_a_fresh_split(seed):
    rng = random.Random(seed)
    room, wire = _room_with('abc')
    clients = list(wire.clients.values())
    clients[0].insert(0, 'def f():\n    return "😊"\n')
    wire.settle(rng)
    for _ in range(600):
        _random_edit(rng, rng.choice(clients))
        for _ in range(rng.randint(0, 6)):
            wire.step(rng)
        _assert_matches(room.lines, room.text)
    wire.settle(rng)
    _assert_matches(room.lines, clients[0].text)


def test_the_text_is_read_once_per_change_however_many_questions_come():
    room, wire = _room_with('a')
    writer = wire.clients['a']
    writer.insert(0, 'one\ntwo 😊\n')
    wire.settle()
    reads = room.lines.reads
    for _ in range(100):  # cursor events of many tabs while nobody types
        assert len(room.lines) == 3 and room.lines.width(2) == 6
    assert room.lines.reads == reads + 1
    for i in range(5):  # a change, then questions: one read each time
        writer.insert(0, 'x\n')
        wire.settle()
        for _ in range(10):
            assert len(room.lines) == 4 + i
        assert room.lines.reads == reads + 2 + i
    writer.set_awareness({'user': {'name': 'A'}})  # a cursor's awareness is not a change of the document
    wire.settle()
    len(room.lines)
    assert room.lines.reads == reads + 6


def test_undo_and_redo_at_a_peer():
    rng = random.Random(11)
    room, wire = _room_with('a')
    client = wire.clients['a']
    client.insert(0, 'base 𝄞\n')
    undo = UndoManager(scopes=[client.code], capture_timeout_millis=0)

    def sent(action) -> bool:  # an undo or redo changes the peer's doc: it sends the change, as an editor does
        before = client.doc.get_state()
        done = action()
        client.send(protocol.update(client.doc.get_update(before)))
        return done

    for _ in range(200):
        _random_edit(rng, client)
        if rng.random() < 0.3:
            sent(undo.undo)
        if rng.random() < 0.15:
            sent(undo.redo)
        wire.settle(rng)
        _assert_matches(room.lines, client.text)
    undone = 0
    while sent(undo.undo):
        undone += 1
        wire.settle(rng)
        _assert_matches(room.lines, client.text)
    assert undone > 10 and room.text == client.text


def test_the_servers_own_write_a_load_and_a_relayed_update_are_changes_too():
    room, _ = _room_with('')
    assert room.lines.lines() == ['']
    source = Doc()
    source.get(CODE, type=Text).insert(0, 'loaded\nfrom the store 😊')
    room.load([source.get_update()])
    _assert_matches(room.lines, room.text)
    room.write(lambda doc: doc.get(CODE, type=Text).insert(0, 'starter\r\n'))
    _assert_matches(room.lines, room.text)
    state = source.get_state()
    source.get(CODE, type=Text).insert(0, 'from another instance\n')
    room.apply_relayed(source.get_update(state))
    _assert_matches(room.lines, room.text)
    assert {'from another instance', 'starter\r'} <= set(room.lines.lines())


def test_a_large_document_and_the_edges():
    room, wire = _room_with('a')
    wire.clients['a'].insert(0, ''.join(f'line {i} 😊\n' for i in range(10_000)))
    wire.settle()
    assert len(room.lines) == 10_001 and room.lines.width(10_000) == len('line 9999 ') + 2
    assert room.lines.line(10_001) == ''
    for number in (0, -1, 10_002):
        with pytest.raises(IndexError):
            room.lines.line(number)


def test_utf16_length_counts_astral_characters_twice():
    assert [utf16_length(s) for s in ('', 'abc', 'é€', '😊', 'a𝄞b', 'x\r')] == [0, 3, 2, 2, 4, 2]

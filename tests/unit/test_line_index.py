"""collab.line_index.LineIndex: the lines a room keeps from its code's edits equal a fresh `str(text).split('\\n')`
after every edit — local, several in one transaction, remote and concurrent through a room, undone and redone —
with astral characters, CRLF and pastes and deletions that span many blocks; and the text is read whole only once."""

import random

import pytest
from pycrdt import Doc, Text, UndoManager

from collab import Room
from collab.line_index import BLOCK, LineIndex, utf16_length
from tests.wiring import Wire

PIECES = ['a', 'bc', ' ', '\n', '\n\n', 'é', '€', '😊', '𝄞', 'x\r\ny', 'if x:\n    y = "😊"\n']


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode())


def _random_edit(rng: random.Random, text: Text) -> None:
    """One insert or delete at character boundaries (pycrdt takes UTF-8 byte offsets); now and then a paste of
    hundreds of lines or a deletion of thousands of characters, so blocks split, empty and merge."""
    s = str(text)
    if rng.random() < 0.6 or len(s) < 2:
        count = rng.randint(300, 900) if rng.random() < 0.02 else rng.randint(1, 4)
        text.insert(_byte(s, rng.randint(0, len(s))), ''.join(rng.choice(PIECES) for _ in range(count)))
    else:
        a = rng.randint(0, len(s) - 1)
        b = rng.randint(a + 1, min(len(s), a + (4000 if rng.random() < 0.03 else 8)))
        start = _byte(s, a)
        del text[start:start + len(s[a:b].encode())]


def _assert_matches(index: LineIndex, text: Text) -> None:
    expected = str(text).split('\n')
    assert index.lines() == expected
    assert len(index) == len(expected)
    for number in {1, len(expected), (len(expected) + 1) // 2}:
        assert index.width(number) == len(expected[number - 1].encode('utf-16-le')) // 2


@pytest.mark.parametrize('seed', range(4))
def test_random_local_edits_match_a_fresh_split(seed):
    rng = random.Random(seed)
    text = Doc().get('code', type=Text)
    text.insert(0, 'def f():\n    return "😊"\n')
    index = LineIndex(text)
    _assert_matches(index, text)
    for _ in range(1500):
        _random_edit(rng, text)
        _assert_matches(index, text)
    assert index.rebuilds == 1  # followed every edit; never read the text whole again


def test_several_edits_in_one_transaction_are_one_delta_in_document_order():
    doc = Doc()
    text = doc.get('code', type=Text)
    text.insert(0, 'one\ntwo 😊\nthree\n')
    index = LineIndex(text)
    len(index)
    rng = random.Random(7)
    for _ in range(300):
        with doc.transaction():
            for _ in range(rng.randint(2, 5)):
                _random_edit(rng, text)
        _assert_matches(index, text)
    assert index.rebuilds == 1


def test_remote_and_concurrent_edits_through_a_room():
    """Three peers edit at once; the room applies their updates in a seeded random order (merges included)."""
    rng = random.Random(3)
    room = Room('r')
    wire = Wire(room)
    for name in 'abc':
        wire.add(name)
        wire.connect(name)
    wire.settle(rng)
    clients = list(wire.clients.values())
    clients[0].insert(0, 'start 😊\n')
    wire.settle(rng)
    len(room.lines)
    for _ in range(400):
        client = rng.choice(clients)
        s = client.text
        if rng.random() < 0.65 or len(s) < 2:
            client.insert(rng.randint(0, len(s)), ''.join(rng.choice(PIECES) for _ in range(rng.randint(1, 3))))
        else:
            a = rng.randint(0, len(s) - 1)
            client.delete(a, rng.randint(1, min(6, len(s) - a)))
        for _ in range(rng.randint(0, 6)):
            wire.step(rng)
        assert room.lines.lines() == room.text.split('\n')
    wire.settle(rng)
    assert room.lines.lines() == room.text.split('\n') == clients[0].text.split('\n')
    assert room.lines.rebuilds == 1


def test_undo_and_redo():
    doc = Doc()
    text = doc.get('code', type=Text)
    text.insert(0, 'base 𝄞\n')
    undo = UndoManager(scopes=[text], capture_timeout_millis=0)
    index = LineIndex(text)
    rng = random.Random(11)
    for _ in range(200):
        _random_edit(rng, text)
        if rng.random() < 0.3:
            undo.undo()
        if rng.random() < 0.15:
            undo.redo()
        _assert_matches(index, text)
    undone = 0
    while undo.undo():
        undone += 1
        _assert_matches(index, text)
    assert undone > 10 and index.rebuilds == 1


def test_an_edit_it_cannot_follow_is_read_whole_once_at_the_next_question():
    text = Doc().get('code', type=Text)
    text.insert(0, 'a\nb')
    index = LineIndex(text)
    assert len(index) == 2 and index.rebuilds == 1
    text.insert_embed(1, {'image': 'x'})  # not a str: the index cannot know its width in the text
    text.insert(0, 'z\n')  # while stale, edits are not followed
    assert index.lines() == str(text).split('\n') and index.rebuilds == 2
    text.insert(0, '😊')
    _assert_matches(index, text)
    assert index.rebuilds == 2


def test_a_disposed_room_follows_nothing_yet_still_answers():
    room = Room('r')
    wire = Wire(room)
    wire.add('a')
    wire.connect('a')
    wire.clients['a'].insert(0, 'x\ny\n')
    wire.settle()
    assert len(room.lines) == 3 and room.lines.rebuilds == 1
    room.dispose()
    assert len(room.lines) == 3 and room.lines.rebuilds == 2  # read whole per question: nothing observed


def test_a_large_document_is_split_into_blocks_and_followed_at_its_far_end():
    text = Doc().get('code', type=Text)
    text.insert(0, ''.join(f'line {i} 😊\n' for i in range(10_000)))
    index = LineIndex(text)
    assert len(index) == 10_001 and index.width(10_000) == len('line 9999 ') + 2
    text.insert(len(text), 'tail\n')
    text.insert(0, 'head\n')
    _assert_matches(index, text)
    assert index.line(1) == 'head' and index.line(len(index) - 1) == 'tail'
    assert len(index.lines()) > 2 * BLOCK and index.rebuilds == 1


def test_utf16_length_counts_astral_characters_twice():
    assert [utf16_length(s) for s in ('', 'abc', 'é€', '😊', 'a𝄞b')] == [0, 3, 2, 2, 4]
    with pytest.raises(IndexError):
        LineIndex(Doc().get('code', type=Text)).line(2)

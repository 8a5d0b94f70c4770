"""Playback's timeline: replaying stored updates gives every intermediate text, attributed to its authors."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pycrdt import Doc, Text

from collab.history import Timeline

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass
class Entry:
    at: datetime
    author: str | None
    data: bytes


def _history(edits):
    """Entries made by two real pycrdt peers typing into one shared text, as a room would have stored them."""
    doc = Doc()
    text = doc.get('code', type=Text)
    entries, texts = [], []
    for i, (author, edit) in enumerate(edits):
        before = doc.get_state()
        edit(text)
        entries.append(Entry(T0 + timedelta(seconds=i), author, doc.get_update(before)))
        texts.append(str(text))
    return entries, texts


def test_every_step_replays_to_the_text_it_had_and_the_start_is_empty():
    edits = [(None, lambda t: t.insert(0, 'def f():\n')),
             ('ada', lambda t: t.insert(len(str(t).encode()), '    return 1\n')),
             ('bob', lambda t: t.insert(0, '# ünïcødé 😀 𝔘\n')),
             ('ada', lambda t: t.__delitem__(slice(0, len('# ü'.encode())))),
             ('bob', lambda t: t.insert(len(str(t).encode()), '! 𝔘'))]
    entries, texts = _history(edits)
    timeline = Timeline(entries)
    assert len(timeline) == 5 and timeline.text_at(0) == ''
    assert [timeline.text_at(i + 1) for i in range(5)] == texts
    assert timeline.final_text == texts[-1]
    assert timeline.text_at(99) == texts[-1] and timeline.text_at(-3) == ''


def test_characters_are_attributed_to_whoever_typed_them():
    entries, _ = _history([('ada', lambda t: t.insert(0, 'aaaa')), ('bob', lambda t: t.insert(2, 'BB')),
                           ('ada', lambda t: t.__delitem__(slice(0, 1)))])
    timeline = Timeline(entries)
    assert timeline.segments_at(3) == [('a', 'ada'), ('BB', 'bob'), ('aa', 'ada')]
    assert timeline.step_at_time(T0 + timedelta(seconds=1.5)) == 2


def test_long_histories_seek_through_checkpoints_to_the_same_text():
    edits = [('ada' if i % 3 else 'bob', (lambda i: lambda t: t.insert(i % (len(str(t)) + 1), f'{i % 10}'))(i))
             for i in range(700)]
    entries, texts = _history(edits)
    timeline = Timeline(entries)
    for step in (0, 1, 63, 64, 65, 350, 699, 700):
        assert timeline.text_at(step) == (texts[step - 1] if step else '')


def test_a_corrupt_update_is_skipped_not_fatal():
    entries, texts = _history([('ada', lambda t: t.insert(0, 'ok'))])
    timeline = Timeline([Entry(T0, 'x', b'\x07garbage')] + entries)
    assert timeline.final_text == 'ok'


def test_the_byte_to_character_index_follows_inserts_and_deletes_of_wide_characters():
    from collab.history import _Utf8Index
    index, text = _Utf8Index(), ''
    for at, piece in ((0, 'aé😀b'), (2, '漢x'), (0, 'zz'), (7, '𝔘')):
        index.insert(at, piece)
        text = text[:at] + piece + text[at:]
    for start in range(len(text)):
        for end in range(start, len(text) + 1):
            assert index.chars_in(start, len(text[start:end].encode())) == end - start
    index.delete(1, 4)
    text = text[:1] + text[5:]
    for end in range(len(text) + 1):
        assert index.chars_in(0, len(text[:end].encode())) == end


def test_the_stdin_box_is_replayed_by_time_beside_the_code():
    """The stdin box is part of the document: the timeline tells what it held at any moment (playback shows it),
    without adding steps to the code's timeline."""
    doc = Doc()
    code, stdin = doc.get('code', type=Text), doc.get('stdin', type=Text)
    entries = []
    for i, edit in enumerate([lambda: code.insert(0, 'print(input())'), lambda: stdin.insert(0, '3 4'),
                              lambda: stdin.insert(3, '\n5'), lambda: code.insert(0, '# sum\n'),
                              lambda: stdin.__delitem__(slice(0, 4))]):
        before = doc.get_state()
        edit()
        entries.append(Entry(T0 + timedelta(seconds=i), 'ada', doc.get_update(before)))
    timeline = Timeline(entries)
    assert len(timeline) == 2 and timeline.final_text == '# sum\nprint(input())'
    assert [timeline.stdin_at_time(T0 + timedelta(seconds=i)) for i in range(5)] == ['', '3 4', '3 4\n5', '3 4\n5', '5']
    assert timeline.stdin_at_time(T0 - timedelta(seconds=1)) == '' and timeline.stdin_at_time(None) == '5'

"""Playback of a document's stored history: every change with its time and author, replayed into a fresh Doc
(never the live one), and the text at any step with each character attributed to the person who typed it; the
shared stdin box's text at any time too (it is part of the document: collab/document.py).

Yrs reports a change as a delta whose retain/delete counts are UTF-8 bytes; the timeline converts them to
characters once, while replaying, so seeking and rendering are plain list operations.
"""

import bisect
from dataclasses import dataclass
from datetime import datetime

from pycrdt import Doc, Text

from .document import CODE, STDIN

Op = tuple[str, int | str]  # ('retain', n chars) | ('delete', n chars) | ('insert', text)


@dataclass(frozen=True)
class Step:
    at: datetime
    author: str | None
    ops: tuple[Op, ...]


class Timeline:
    """The steps of a history and the text after each; step 0 is the empty document before the first change."""

    def __init__(self, entries) -> None:
        """`entries`: objects with `at` (datetime), `author` and `data` (a Yjs update), in the order applied."""
        self.steps: list[Step] = []
        self.authors: list[str | None] = []
        doc = Doc()
        text, stdin = doc.get(CODE, type=Text), doc.get(STDIN, type=Text)
        self.stdin_changes: list[tuple[datetime, str]] = []  # (when, the whole stdin after it): it is small
        stdin_changed: list[bool] = []
        stdin_subscription = stdin.observe(lambda _event: stdin_changed.append(True))
        index = _Utf8Index()
        deltas: list[list[dict]] = []
        subscription = text.observe(lambda event: deltas.append(event.delta))
        for entry in entries:
            deltas.clear()
            stdin_changed.clear()
            try:
                doc.apply_update(entry.data)
            except ValueError:
                continue  # a row the store could not vouch for; the live document never applied it either
            if stdin_changed:
                self.stdin_changes.append((entry.at, str(stdin)))
            ops = tuple(op for delta in deltas for op in _to_chars(delta, index))
            if ops:
                self.steps.append(Step(entry.at, entry.author, ops))
        text.unobserve(subscription)
        stdin.unobserve(stdin_subscription)
        self.final_text = str(text)
        self._every = max(64, len(self.steps) // 40)  # checkpoints: seeking never replays more than this
        self._checkpoints: dict[int, tuple[list[str], list[int]]] = {0: ([], [])}
        state = ([], [])
        for i, step in enumerate(self.steps, 1):
            self._apply(state, step)
            if i % self._every == 0:
                self._checkpoints[i] = (state[0][:], state[1][:])

    def __len__(self) -> int:
        return len(self.steps)

    def author_index(self, author: str | None) -> int:
        if author not in self.authors:
            self.authors.append(author)
        return self.authors.index(author)

    def state_at(self, step: int) -> tuple[list[str], list[int]]:
        """Characters and their author indices (into `self.authors`) after `step` steps (0 = before any)."""
        step = max(0, min(step, len(self.steps)))
        base = step - step % self._every
        chars, owners = self._checkpoints[base]
        state = (chars[:], owners[:])
        for s in self.steps[base:step]:
            self._apply(state, s)
        return state

    def text_at(self, step: int) -> str:
        return ''.join(self.state_at(step)[0])

    def segments_at(self, step: int) -> list[tuple[str, str | None]]:
        """The text after `step` steps as runs of (text, author)."""
        chars, owners = self.state_at(step)
        runs: list[tuple[str, str | None]] = []
        start = 0
        for i in range(1, len(chars) + 1):
            if i == len(chars) or owners[i] != owners[start]:
                runs.append((''.join(chars[start:i]), self.authors[owners[start]]))
                start = i
        return runs

    def stdin_at_time(self, at: datetime | None) -> str:
        """What the stdin box held at `at` ('' before anyone typed in it; None: the end)."""
        changes = self.stdin_changes if at is None else [c for c in self.stdin_changes if c[0] <= at]
        return changes[-1][1] if changes else ''

    def step_at_time(self, at: datetime) -> int:
        """How many steps had happened by `at`."""
        return sum(1 for s in self.steps if s.at <= at)

    def _apply(self, state: tuple[list[str], list[int]], step: Step) -> None:
        chars, owners = state
        owner = self.author_index(step.author)
        position = 0
        for kind, value in step.ops:
            if kind == 'retain':
                position += value
            elif kind == 'delete':
                del chars[position:position + value]
                del owners[position:position + value]
            else:
                chars[position:position] = list(value)
                owners[position:position] = [owner] * len(value)
                position += len(value)


def _to_chars(delta: list[dict], index: '_Utf8Index') -> list[Op]:
    """Convert one byte-counted delta into character ops, updating `index` (the running text's layout)."""
    ops: list[Op] = []
    position = 0
    for part in delta:
        if 'insert' in part:
            inserted = str(part['insert'])
            index.insert(position, inserted)
            position += len(inserted)
            ops.append(('insert', inserted))
        elif 'retain' in part:
            n = index.chars_in(position, part['retain'])
            position += n
            ops.append(('retain', n))
        elif 'delete' in part:
            n = index.chars_in(position, part['delete'])
            index.delete(position, n)
            ops.append(('delete', n))
    return ops


class _Utf8Index:
    """Where the running text's non-ASCII characters are (character index, extra UTF-8 bytes), so a byte count
    converts to characters in time proportional to the number of those characters, not to the text's length."""

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.extra: list[int] = []

    def chars_in(self, start: int, size: int) -> int:
        """How many characters from character `start` make up `size` UTF-8 bytes."""
        i = bisect.bisect_left(self.positions, start)
        char, remaining = start, size
        for position, extra in zip(self.positions[i:], self.extra[i:]):
            if position - char >= remaining:
                break
            remaining -= position - char + 1 + extra  # the ASCII run before it, then the character itself
            char = position + 1
            if remaining <= 0:
                return char - start
        return char + remaining - start

    def insert(self, at: int, text: str) -> None:
        i = bisect.bisect_left(self.positions, at)
        added = [(at + k, len(ch.encode()) - 1) for k, ch in enumerate(text) if ord(ch) > 127] \
            if not text.isascii() else []
        self.positions[i:] = [p for p, _ in added] + [p + len(text) for p in self.positions[i:]]
        self.extra[i:] = [e for _, e in added] + self.extra[i:]

    def delete(self, at: int, count: int) -> None:
        lo = bisect.bisect_left(self.positions, at)
        hi = bisect.bisect_left(self.positions, at + count)
        self.positions[lo:] = [p - count for p in self.positions[hi:]]
        del self.extra[lo:hi]

"""Playback of a document's stored history: every change with its time and author, replayed into a fresh Doc
(never the live one), and the text at any step with each character attributed to the person who typed it.

Yrs reports a change as a delta whose retain/delete counts are UTF-8 bytes; the timeline converts them to
characters once, while replaying, so seeking and rendering are plain list operations.
"""

from dataclasses import dataclass
from datetime import datetime

from pycrdt import Doc, Text

from .document import CODE

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
        text = doc.get(CODE, type=Text)
        chars: list[str] = []
        deltas: list[list[dict]] = []
        subscription = text.observe(lambda event: deltas.append(event.delta))
        for entry in entries:
            deltas.clear()
            try:
                doc.apply_update(entry.data)
            except ValueError:
                continue  # a row the store could not vouch for; the live document never applied it either
            ops = tuple(op for delta in deltas for op in _to_chars(delta, chars))
            if ops:
                self.steps.append(Step(entry.at, entry.author, ops))
        text.unobserve(subscription)
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


def _to_chars(delta: list[dict], chars: list[str]) -> list[Op]:
    """Convert one byte-counted delta into character ops, applying it to `chars` (the running text) meanwhile."""
    ops: list[Op] = []
    position = 0
    for part in delta:
        if 'insert' in part:
            inserted = str(part['insert'])
            chars[position:position] = list(inserted)
            position += len(inserted)
            ops.append(('insert', inserted))
        elif 'retain' in part:
            n = _chars_in(chars, position, part['retain'])
            position += n
            ops.append(('retain', n))
        elif 'delete' in part:
            n = _chars_in(chars, position, part['delete'])
            del chars[position:position + n]
            ops.append(('delete', n))
    return ops


def _chars_in(chars: list[str], start: int, size: int) -> int:
    """How many characters from `start` make up `size` UTF-8 bytes."""
    count = 0
    while size > 0 and start + count < len(chars):
        size -= len(chars[start + count].encode())
        count += 1
    return count

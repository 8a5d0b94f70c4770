"""A participant's cursor: its shape, its bounds, and whether it lies inside the code.

Cursor events arrive about 4 times a second per tab (pages/editor_session.py), so the check asks a `Lines` view
two questions (how many lines, how wide is line n) instead of copying the document: the app's view is the room's
collab.line_index.LineIndex, which follows the code's edits. `SplitLines` answers from a whole `str`, as the
check did before the index: for callers that have a text and no room (unit tests), and as the reference.
"""

from dataclasses import dataclass
from typing import Callable, Protocol

from .errors import PresenceError

MAX_POSITION = 10_000_000


@dataclass(frozen=True)
class Cursor:
    line: int
    column: int


class Lines(Protocol):
    """The lines of an interview's code as a cursor is checked against them."""

    def __len__(self) -> int: ...

    def width(self, number: int) -> int:
        """Line `number`'s length in UTF-16 units (Monaco's columns), 1-based."""


LinesOf = Callable[[str], Lines | None]  # interview id → its lines, or None when its room is not loaded: no check


class SplitLines:
    """`Lines` of a whole text, split afresh (what every cursor event cost before the line index)."""

    def __init__(self, text: str) -> None:
        self._lines = text.split('\n')

    def __len__(self) -> int:
        return len(self._lines)

    def width(self, number: int) -> int:
        return len(self._lines[number - 1].encode('utf-16-le')) // 2  # Monaco columns count UTF-16 units


def split_lines_of(text_of: Callable[[str], str | None]) -> LinesOf:
    """A `LinesOf` from a function that returns the whole text (None: no check)."""
    return lambda interview_id: None if (text := text_of(interview_id)) is None else SplitLines(text)


def parse_cursor(cursor: object, lines: Lines | None) -> Cursor:
    """A cursor from what a tab sent ({line, column}, a pair, or a Cursor), 1-based, inside `lines` when given
    (the column may be one past the end of its line); PresenceError, in words a user can read, otherwise."""
    if isinstance(cursor, Cursor):
        line, column = cursor.line, cursor.column
    elif isinstance(cursor, dict):
        line, column = cursor.get('line'), cursor.get('column')
    elif isinstance(cursor, (tuple, list)) and len(cursor) == 2:
        line, column = cursor
    else:
        raise PresenceError('cursor must be {line, column}')
    for label, value in (('line', line), ('column', column)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise PresenceError(f'cursor {label} must be an integer')
        if not 1 <= value <= MAX_POSITION:
            raise PresenceError(f'cursor {label} must be between 1 and {MAX_POSITION}')
    if lines is not None:
        count = len(lines)
        if line > count:
            raise PresenceError(f'cursor line {line} is outside the document ({count} lines)')
        width = lines.width(line)
        if column > width + 1:
            raise PresenceError(f'cursor column {column} is outside line {line} ({width} characters)')
    return Cursor(line, column)

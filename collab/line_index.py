"""LineIndex: the lines of a room's code, for "is (line, column) inside the document" (presence checks every cursor
event of every tab against it: pages/editor_session.py, presence/cursor.py). Columns are Monaco's: UTF-16 units.

The lines are read from the pycrdt Text at most once per change of the document, however many cursor events ask
in between (the room's doc observer calls `changed()`), instead of converting the whole Text to a `str` and
splitting it on every cursor event. Lines are those of `str(text).split('\\n')`, as before: a `\\r` stays part of
its line, so after a CRLF the check allows one column more than Monaco shows, and a lone `\\r` (which Monaco breaks
at) makes it refuse a caret below it, as it did.

Why the index does not follow the edits (pycrdt 0.14.13, checked in a shell):
- `len(text)`, `Text.insert(index, …)` and `del text[a:b]` all take UTF-8 byte offsets (in 'a😊b\\nc',
  `insert(6, 'X')` gives 'a😊bX\\nc'; `insert(2, 'X')`, inside the emoji, appends at the end); only slicing
  (`text[1:5]`, which converts the whole text to `str` first) counts code points. `TextEvent.delta` is
  `[{'retain': n}, {'insert': str}, {'delete': n}, …]` with n in UTF-8 bytes, one delta per transaction in
  document order, remote updates alike: enough to follow the lines.
- But pycrdt's `Text.observe` computes the delta of every event, and its cost grows with the text's history, not
  with the edit: about 1 µs on a 65 KB text inserted at once, 1.8 ms at the median (up to 62 ms) on the same text
  built by the `rustcode` history's 36,981 updates, where the room's whole handling of a keystroke takes about
  35 µs. Following the edits would put more than the cost of a `str(text)` and a split on every keystroke.
"""

from pycrdt import Text


def utf16_length(line: str) -> int:
    """Monaco's column count of a line: code points beyond the BMP take two UTF-16 units."""
    return len(line) if line.isascii() else len(line.encode('utf-16-le')) // 2


class LineIndex:
    """The lines of one Text, read again only after a change (see the module docstring). The room's event loop only.
    """

    def __init__(self, text: Text) -> None:
        self._text = text
        self._lines: list[str] | None = None
        self.reads = 0  # how often the text was read whole: once per change that a question followed

    def changed(self) -> None:
        """The document changed (called from the room's doc observer, where the Text cannot be read)."""
        self._lines = None

    def __len__(self) -> int:
        """How many lines (one more than the text has '\\n')."""
        return len(self._fresh())

    def width(self, number: int) -> int:
        """Line `number`'s length in UTF-16 units (Monaco's columns), 1-based; IndexError past the last line."""
        return utf16_length(self.line(number))

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its '\\n'."""
        if number < 1:
            raise IndexError(number)
        return self._fresh()[number - 1]

    def lines(self) -> list[str]:
        """Every line (a copy: for tests and checks)."""
        return list(self._fresh())

    def _fresh(self) -> list[str]:
        if self._lines is None:
            self._lines = str(self._text).split('\n')
            self.reads += 1
        return self._lines

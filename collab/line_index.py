"""LineIndex: the lines of a pycrdt Text, kept up to date from its change events, so that "is (line, column)
inside the document" is answered without converting the whole Text to a `str` (presence checks every cursor
event of every tab against it: pages/editor_session.py, presence/service.py).

The lines are those of `str(text).split('\\n')` (a `\\r` stays part of its line, as the old check had it; Monaco
would also break at a lone `\\r`, which makes the check lenient for such lines, never wrong for `\\n` documents).
Columns count UTF-16 units (Monaco's), 1-based, and may be one past the end of the line.

What pycrdt 0.14.13 says, checked in a shell (`Doc`, `Text`, `Text.observe`):
- `len(text)`, `Text.insert(index, …)` and `del text[a:b]` all take **UTF-8 byte offsets**: in 'a😊b\\nc',
  `insert(6, 'X')` gives 'a😊bX\\nc', and `insert(2, 'X')` (inside the emoji) appends at the end. Only slicing
  (`text[1:5]`, which converts the whole text to `str` first) counts code points.
- A `TextEvent.delta` is a list of `{'retain': n}` (with `'attributes'` for formatting), `{'insert': str}` and
  `{'delete': n}`, where n counts **UTF-8 bytes**; one transaction with several edits gives one delta in
  document order (`[{'insert': 'Q'}, {'retain': 2}, {'insert': 'R'}, {'retain': 1}, {'delete': 1}]`); a remote
  update applied to a doc gives the same kind of delta (a fresh doc gets one insert of the whole text).
- The document cannot be read inside the observer (it is mutably borrowed), so the delta is all there is.

So the index keeps each line's text (a `str` per line, about the document's size, built once on the first
question and then edited in place: never copied again) with its UTF-8 length, in blocks of lines that each know
their byte total, so a byte offset finds its line in O(lines / BLOCK + BLOCK) steps. An edit the index cannot
follow (an embed, an offset inside a character, an offset past the end) marks it stale; the next question
rebuilds it from `str(text)` once, which is what the old check paid on every cursor event.
"""

import logging

from pycrdt import Text

log = logging.getLogger(__name__)

BLOCK = 64  # lines per block: a block is split past 2 × BLOCK and merged with a neighbour under BLOCK / 4


class _Stale(Exception):
    """The delta does not fit the index (see the module docstring): rebuild from the text."""


def utf16_length(line: str) -> int:
    """Monaco's column count of a line: code points beyond the BMP take two UTF-16 units."""
    return len(line) if line.isascii() else len(line.encode('utf-16-le')) // 2


def _char_index(line: str, nbytes: int, offset: int) -> int:
    """The code point index of byte `offset` in `line` (`nbytes` = its UTF-8 length)."""
    if nbytes == len(line):  # ASCII: bytes are characters
        return offset
    head = line.encode()[:offset]
    try:
        return len(head.decode())
    except UnicodeDecodeError as e:
        raise _Stale(f'offset {offset} inside a character') from e


class LineIndex:
    """The lines of one Text (see the module docstring). Not thread-safe: the room's event loop only."""

    def __init__(self, text: Text) -> None:
        self._text = text
        self._blocks: list[list[str]] = []
        self._sizes: list[list[int]] = []  # UTF-8 bytes of each line, its '\n' not counted
        self._totals: list[int] = []       # bytes of each block, one '\n' per line counted
        self._count = 0
        self._stale = True
        self._subscription = None
        self._closed = False
        self.rebuilds = 0  # how often the text was read whole (once, unless an edit could not be followed)

    def close(self) -> None:
        """Stop following the text for good (a pycrdt observer that refers back here keeps the Doc alive until
        then): the room was disposed."""
        self._closed = True
        if self._subscription is not None:
            self._text.unobserve(self._subscription)
            self._subscription = None

    # -- questions (what presence checks a cursor against: presence/service.py words the answer) ---------------

    def __len__(self) -> int:
        """How many lines (one more than the text has '\n')."""
        self._fresh()
        return self._count

    def width(self, number: int) -> int:
        """Line `number`'s length in UTF-16 units (Monaco's columns), 1-based; IndexError past the last line."""
        return utf16_length(self.line(number))

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its '\n'."""
        self._fresh()
        index = number - 1
        if index >= 0:
            for block in self._blocks:
                if index < len(block):
                    return block[index]
                index -= len(block)
        raise IndexError(number)

    def lines(self) -> list[str]:
        """Every line (a copy: for tests and checks, not for the cursor path)."""
        self._fresh()
        return [line for block in self._blocks for line in block]

    # -- following the text ------------------------------------------------------------------------------------

    def _fresh(self) -> None:
        if self._subscription is None and not self._closed:
            self._subscription = self._text.observe(self._changed)
            self._stale = True
        if self._stale or self._closed:  # closed: the room is retired; answer, but follow nothing any more
            self._set(str(self._text).split('\n'))
            self.rebuilds += 1
            self._stale = False

    def _set(self, lines: list[str]) -> None:
        self._blocks = [lines[i:i + BLOCK] for i in range(0, len(lines), BLOCK)]
        self._sizes = [[len(line.encode()) for line in block] for block in self._blocks]
        self._totals = [sum(sizes) + len(sizes) for sizes in self._sizes]
        self._count = len(lines)

    def _changed(self, event) -> None:
        if self._stale:
            return  # rebuilt on the next question anyway
        try:
            self.apply_delta(event.delta)
        except _Stale as e:
            log.debug('line index rebuilt on the next question: %s', e)
            self._stale = True

    def apply_delta(self, delta: list[dict]) -> None:
        """Follow one TextEvent's delta (offsets in UTF-8 bytes). Raises _Stale when it does not fit."""
        position = 0
        for op in delta:
            if 'retain' in op:
                position += op['retain']
            elif 'insert' in op:
                inserted = op['insert']
                if not isinstance(inserted, str):
                    raise _Stale('an embed')
                self._insert(position, inserted)
                position += len(inserted.encode())
            elif 'delete' in op:
                self._delete(position, op['delete'])

    def _locate(self, offset: int) -> tuple[int, int, int]:
        """(block, line in block, byte offset in line) of a byte offset of the text, its end included."""
        for b, total in enumerate(self._totals):
            if offset < total:  # a block's total counts a '\n' after its last line: the text's end is inside
                for i, size in enumerate(self._sizes[b]):
                    if offset <= size:
                        return b, i, offset
                    offset -= size + 1
            offset -= total
        raise _Stale('offset past the end')

    def _insert(self, offset: int, inserted: str) -> None:
        b, i, at = self._locate(offset)
        line, size = self._blocks[b][i], self._sizes[b][i]
        k = _char_index(line, size, at)
        self._replace(b, i, 1, (line[:k] + inserted + line[k:]).split('\n'))

    def _delete(self, offset: int, length: int) -> None:
        b, i, at = self._locate(offset)
        parts, sizes = [self._blocks[b][i]], [self._sizes[b][i]]
        available = sizes[0] - at
        bb, ii = b, i
        while available < length:  # the deletion reaches into the following lines: join them to this one
            ii += 1
            if ii == len(self._blocks[bb]):
                bb, ii = bb + 1, 0
                if bb == len(self._blocks):
                    raise _Stale('deletion past the end')
            parts.append(self._blocks[bb][ii])
            sizes.append(self._sizes[bb][ii])
            available += 1 + sizes[-1]
        joined = '\n'.join(parts)
        nbytes = sum(sizes) + len(sizes) - 1
        start = _char_index(joined, nbytes, at)
        end = _char_index(joined, nbytes, at + length)
        self._replace(b, i, len(parts), (joined[:start] + joined[end:]).split('\n'))

    def _replace(self, b: int, i: int, count: int, lines: list[str]) -> None:
        """Replace `count` lines from line `i` of block `b` on (they may run on into the next blocks) by `lines`."""
        block, sizes = self._blocks[b], self._sizes[b]
        here = min(count, len(block) - i)
        del block[i:i + here], sizes[i:i + here]
        rest = count - here
        while rest > 0:
            following, following_sizes = self._blocks[b + 1], self._sizes[b + 1]
            take = min(rest, len(following))
            del following[:take], following_sizes[:take]
            rest -= take
            if following:
                self._totals[b + 1] = sum(following_sizes) + len(following_sizes)
            else:
                del self._blocks[b + 1], self._sizes[b + 1], self._totals[b + 1]
        block[i:i] = lines
        sizes[i:i] = [len(line.encode()) for line in lines]
        self._count += len(lines) - count
        self._rebalance(b)

    def _rebalance(self, b: int) -> None:
        """Keep blocks between BLOCK / 4 and 2 × BLOCK lines (a paste splits one, deletions merge small ones), so
        that finding a line stays O(lines / BLOCK + BLOCK)."""
        if len(self._blocks[b]) < BLOCK // 4 and len(self._blocks) > 1:
            b = b - 1 if b + 1 == len(self._blocks) else b  # merge with the next block (the previous at the end)
            self._blocks[b:b + 2] = [self._blocks[b] + self._blocks[b + 1]]
            self._sizes[b:b + 2] = [self._sizes[b] + self._sizes[b + 1]]
            del self._totals[b + 1]
        block, sizes = self._blocks[b], self._sizes[b]
        if len(block) > 2 * BLOCK:
            pieces = [block[j:j + BLOCK] for j in range(0, len(block), BLOCK)]
            piece_sizes = [sizes[j:j + BLOCK] for j in range(0, len(sizes), BLOCK)]
            self._blocks[b:b + 1] = pieces
            self._sizes[b:b + 1] = piece_sizes
            self._totals[b:b + 1] = [sum(s) + len(s) for s in piece_sizes]
        else:
            self._totals[b] = sum(sizes) + len(sizes)

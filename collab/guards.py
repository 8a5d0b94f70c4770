"""The room's two bounds on what one peer may do: how fast it may send, and how large it may make the document's
texts (the code and the stdin box together: one limit, so the stdin box is no way around it).

Both decide before anything touches the document, so a refused message leaves the room, its document and the
other peers as they were.
"""

from typing import Callable

from pycrdt import Doc, Text

from .document import CODE, STDIN
from .errors import ProtocolError


class TokenBucket:
    """`rate` messages a second with bursts of up to `burst`; `clock` is injected (monotonic seconds)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.refilled = clock()

    def take(self) -> bool:
        """Take one token; False (and nothing taken) when the bucket is empty."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class DocumentSizeGuard:
    """Refuses an update that would grow the code and the stdin together past `limit` UTF-8 bytes.

    It keeps an upper bound of their size: exact when taken, plus the size of every update allowed since (an
    update is at least as large as the text it inserts), because `len(Text)` costs a transaction and the bound
    spares it on nearly every update. Only near the limit does it measure, and only past it does it apply the
    update to a scratch copy to know the exact result."""

    def __init__(self, limit: int, doc: Doc, *texts: Text) -> None:
        """:param texts: the document's texts that count (the room's CODE and STDIN roots)"""
        self.limit = limit
        self._doc = doc
        self._texts = texts
        self._bound: int | None = None

    def forget(self) -> None:
        """The code changed other than through `check` (a load, the server, an undo of a refused update)."""
        self._bound = None

    def check(self, update: bytes) -> None:
        """Raise ProtocolError if `update` could make the code too large; call inside the update's transaction."""
        if self._bound is not None and self._bound + len(update) <= self.limit:
            self._bound += len(update)
            return
        current = sum(len(text) for text in self._texts)  # pycrdt Text length is in UTF-8 bytes: no copy
        if current + len(update) <= self.limit:
            self._bound = current + len(update)
            return
        self._bound = None
        scratch = Doc()
        try:
            scratch.apply_update(self._doc.get_update())
            scratch.apply_update(update)
        except ValueError as e:
            raise ProtocolError(f'invalid Yjs update: {e}') from e
        size = sum(len(str(scratch.get(name, type=Text)).encode()) for name in (CODE, STDIN))
        if size > max(self.limit, current):
            raise ProtocolError(f'this change would make the code and stdin {size:,} bytes, over the limit of '
                                f'{self.limit:,} bytes')

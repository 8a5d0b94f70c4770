"""The room's bounds on what one peer may do: how fast it may send, how large it may make the document's texts (the
code and the stdin box together: one limit, so the stdin box is no way around it), and what it may change of the
document's `meta` map.

The first two decide before anything touches the document, so a refused message leaves the room, its document
and the other peers as they were. The third can only look after the update is in (MetaGuard says why).
"""

from typing import Callable

from collections.abc import Collection

from pycrdt import Doc, Map, Text

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


class MetaGuard:
    """What a peer may change of the document's `meta` map: the language, to one the server knows (or none, for a
    moment: see `_refusal`). `ended` is the server's to set (an interviewer ends the interview through it: a candidate's update must not), and no other
    key is a peer's to add.

    Which keys an update touches is known only once it is integrated (a map entry's new value names its parent
    only through the entry it replaces), and an integrated Yjs update cannot be taken back: refusing the rest of
    the peer's updates would not remove it either. So a change outside those bounds is set back by the server at
    once, in the same round of messages the change goes out in, and the peer is told why."""

    def __init__(self, doc: Doc, meta: Map, languages: Collection[str], origin: str) -> None:
        """:param origin: the transaction origin of the setting back (the room's own changes' origin)"""
        self._doc, self._meta, self._languages, self._origin = doc, meta, languages, origin
        self._known: dict = {}
        self._dirty = True  # meta changed since it was last read (reading it inside the map's observer is not allowed)

    def changed(self) -> None:
        """Call from the map's observer."""
        self._dirty = True

    def before(self) -> None:
        """Before a peer's update: what meta holds now (the server's, another instance's or a load's doing) is the
        state that peer's update is judged against. Costs nothing while meta is unchanged (every keystroke)."""
        if self._dirty:
            self._known, self._dirty = self._meta.to_py() or {}, False

    def after(self) -> str | None:
        """After that update, outside its transaction: None if it left meta as a peer may, else why not, once the
        state before it is set back."""
        if not self._dirty:
            return None
        now = self._meta.to_py() or {}
        why = self._refusal(now)
        if why is None:
            self._known, self._dirty = now, False
            return None
        with self._doc.transaction(origin=self._origin):
            for key in now.keys() - self._known.keys():
                del self._meta[key]
            for key, value in self._known.items():
                if now.get(key) != value:
                    self._meta[key] = value
        self._dirty = False
        return why

    def _refusal(self, now: dict) -> str | None:
        changed = sorted(key for key in now.keys() | self._known.keys() if now.get(key) != self._known.get(key))
        if others := [key for key in changed if key != 'language']:
            return f'only the language may be changed in the document\'s meta, not {", ".join(map(repr, others))}'
        language = now.get('language')
        # absent is no refusal: an update that overtook the one it builds on removes the old value before its own
        # arrives (it waits as pending), and setting a value back then would fight the one on its way
        if 'language' in changed and language is not None and language not in self._languages:
            return f'unknown language {str(language)[:40]!r}: the language stays {self._known.get("language")!r}'
        return None

"""Content a document holds only as pending: updates that wait for content they depend on (a stored row after a
lost commit window, an update that overtook its predecessor on the relay). `Doc.get_update()` leaves it out, so
whatever must be the same document (what a hibernating room keeps, what a join receives) adds it back."""

from pycrdt import Doc, get_update, merge_updates

from .protocol import covers

MAX_PARTS = 64  # past this many, what was integrated meanwhile is dropped and the rest merged into one


class Pending:
    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._parts: list[bytes] = []

    def note(self, missing: bytes) -> None:
        """Keep `missing` (`get_update(update, state)` of an update the document did not fully take)."""
        self._parts.append(missing)
        if len(self._parts) > MAX_PARTS:
            self._parts = self._still_missing()
            if len(self._parts) > 1:
                self._parts = [merge_updates(*self._parts)]

    def note_unless_covered(self, update: bytes, state: bytes) -> bool:
        """Keep what `update` carries beyond `state`, if anything; True when nothing was left over."""
        missing = get_update(update, state)
        if covers(state, missing):
            return True
        self.note(missing)
        return False

    def with_document(self) -> bytes:
        """The whole document as one update, pending content included: a Room loaded from it is the same."""
        update = self._doc.get_update()
        if not self._parts:
            return update
        self._parts = self._still_missing()
        return merge_updates(update, *self._parts) if self._parts else update

    def _still_missing(self) -> list[bytes]:
        state = self._doc.get_state()
        return [m for part in self._parts if not covers(state, m := get_update(part, state))]

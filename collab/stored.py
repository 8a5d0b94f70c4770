"""Applying what the store kept of a document: all rows in one transaction (a cold join of a long history is
dominated by per-row transactions), and only when that fails, row by row so that the one bad row is skipped."""

import logging

from pycrdt import Doc

log = logging.getLogger(__name__)


def apply_stored(doc: Doc, updates: list[bytes], *, origin: str, room_id: str) -> None:
    """Apply stored updates. A row that does not decode is skipped with a log line, never fatal (applying a row
    twice changes nothing, so the rows before it may be applied again)."""
    try:
        with doc.transaction(origin=origin):
            for stored in updates:
                doc.apply_update(stored)
    except ValueError:
        for stored in updates:
            try:
                with doc.transaction(origin=origin):
                    doc.apply_update(stored)
            except ValueError as e:
                log.warning('room %s: skipped a stored update that does not decode (%s)', room_id, e)

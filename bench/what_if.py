"""Fixes the profiles point to, applied in-process to measure their effect before they are made in the app.

These patch the running benchmark process only (never the app's files); `python -m bench --what-if` runs the
in-process benchmarks with them so docs/benchmarks.md can give before/after figures. Each is described for
the app's owners in docs/benchmarks.md ("Recommended changes").
"""

import zlib

from pycrdt import Text
from sqlalchemy import insert

from collab.document import CODE
from collab.room import Room
from store.models import DocUpdate, utcnow
from store.update_log import SqlUpdateLog

_original = {}


def _size_check_without_copy(self: Room, update: bytes) -> None:
    # len(Text) is the UTF-8 byte length Yrs keeps anyway: no copy of the whole text per keystroke.
    if len(self.doc.get(CODE, type=Text)) + len(update) <= self.limits.max_document_bytes:
        return
    _original['check_size'](self, update)


def _append_with_core_insert(self: SqlUpdateLog, batch: list[tuple[str, bytes]]) -> None:
    # One executemany INSERT instead of one ORM object per row.
    if not batch:
        return
    now = utcnow()
    rows = [{'interview_id': room_id, 'data': data, 'checksum': zlib.crc32(data), 'created_at': now}
            for room_id, data in batch]
    with self.engine.begin() as connection:
        connection.execute(insert(DocUpdate), rows)


def apply() -> list[str]:
    """Patch the process; returns the names of the fixes applied."""
    if not _original:
        _original['check_size'] = Room._check_size
        _original['append'] = SqlUpdateLog.append
        Room._check_size = _size_check_without_copy
        SqlUpdateLog.append = _append_with_core_insert
    return ['room-size-check-without-text-copy', 'store-append-core-insert']


def revert() -> None:
    if _original:
        Room._check_size = _original.pop('check_size')
        SqlUpdateLog.append = _original.pop('append')

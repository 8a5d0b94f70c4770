"""The SQLModel implementation of the live engine's persistence interface (load, append, compact), plus the
history that playback replays."""

import logging
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

from pycrdt import merge_updates
from sqlalchemy import Engine, func, tuple_, update
from sqlmodel import Session, col, select

from .locks import transaction_lock
from .models import DocSnapshot, DocUpdate, utcnow
from .room_ids import split_room_id

log = logging.getLogger(__name__)

_INSERT = DocUpdate.__table__.insert()
_MARK_BATCH = 900  # ids per UPDATE … IN (…): well under SQLite's 32,766 bound variables


@dataclass(frozen=True)
class HistoryEntry:
    """One stored change of the code, as playback shows it."""

    at: datetime
    author: str | None
    data: bytes


class SqlUpdateLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, room_id: str) -> list[bytes]:
        interview_id, document = split_room_id(room_id)
        with Session(self.engine) as session:
            snapshot = session.get(DocSnapshot, (interview_id, document))
            rows = session.exec(select(DocUpdate.id, DocUpdate.data, DocUpdate.checksum)
                                .where(*_of(interview_id, document), col(DocUpdate.compacted).is_(False))
                                .order_by(col(DocUpdate.id))).all()
        stored = ([(f'snapshot of {room_id}', snapshot.data, snapshot.checksum)] if snapshot else []) + \
            [(f'update {row_id} of {room_id}', data, checksum) for row_id, data, checksum in rows]
        return [data for label, data, checksum in stored if _intact(label, data, checksum)]

    def append(self, batch) -> None:
        """Write a batch of the writer's pending updates (room_id, data, author, at) in one transaction.

        One Core INSERT with many rows, outside the ORM: no object per update and no Session per commit (the group
        commit's thread holds the GIL while it runs Python, and keystrokes wait meanwhile)."""
        if not batch:
            return
        with self.engine.begin() as connection:
            connection.execute(_INSERT, _rows(batch))

    def append_unless_stored(self, batch) -> None:
        """`append` again after an append of these rows failed with an unknown outcome (the connection broke
        during COMMIT: it may have committed). A row is known by its room, time and checksum (the time is the
        room's time.time() to the microsecond): in the same transaction as the insert, the rows already there are
        left out, so nothing is stored twice."""
        if not batch:
            return
        rows = _rows(batch)
        with self.engine.begin() as connection:
            stored: set[tuple] = set()
            for (interview_id, document), group in _by_room(rows).items():
                stored |= {(interview_id, document, at, checksum) for at, checksum in connection.execute(
                    select(DocUpdate.created_at, DocUpdate.checksum).where(
                        *_of(interview_id, document),
                        tuple_(col(DocUpdate.created_at), col(DocUpdate.checksum)).in_(
                            [(row['created_at'], row['checksum']) for row in group])))}
            if stored:
                log.info('%d of %d rows of a failed write were stored already; not stored again', len(stored),
                         len(rows))
                # the database hands times back in its own form (naive in the session's zone): compare through it
                known = {(i, d, c) for i, d, _at, c in stored}
                rows = [row for row in rows if (row['interview_id'], row['document'], row['checksum']) not in known]
            if rows:
                connection.execute(_INSERT, rows)

    def count_updates(self, room_id: str) -> int:
        """Updates not yet folded into the snapshot."""
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(DocUpdate).where(
                *_of(*split_room_id(room_id)), col(DocUpdate.compacted).is_(False))).one()

    def history(self, room_id: str) -> list[HistoryEntry]:
        """Every stored change of the room in the order it was applied, compacted or not (corrupt rows skipped)."""
        with Session(self.engine) as session:
            rows = session.exec(select(DocUpdate.id, DocUpdate.data, DocUpdate.checksum, DocUpdate.created_at,
                                       DocUpdate.author)
                                .where(*_of(*split_room_id(room_id))).order_by(col(DocUpdate.id))).all()
        return [HistoryEntry(_aware(at), author, data) for row_id, data, checksum, at, author in rows
                if _intact(f'update {row_id} of {room_id}', data, checksum)]

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        """Merge the snapshot and every uncompacted update into a new snapshot, in one transaction; the rows
        stay, marked compacted, as the history. The transaction holds the room's compaction lock from before its
        first read (store.locks): two instances compacting one room take turns, else the one that read fewer rows
        could write its snapshot last over rows the other marked compacted.

        Exactly the rows read are marked, by id. On PostgreSQL a row id is taken when a row is inserted, so
        another instance's row may hold a lower id than the last one read yet commit only after the read: marking
        an id range would mark it too without it being in the snapshot, and the next load would lose it. For the
        same reason no "last compacted id" bounds the read: such a row is folded in by the next compaction. The
        read stays small however long the interview (its history is kept) through the index on (room,
        compacted, id): store/models.py. `base` (collab.persistence.Persistence.compact) goes first in the merge,
        which keeps its squashed blocks."""
        interview_id, document = split_room_id(room_id)
        with Session(self.engine) as session:
            transaction_lock(session.connection(), 'compact', room_id)  # one compaction of a room at a time
            rows = session.exec(select(DocUpdate.id, DocUpdate.data, DocUpdate.checksum)
                                .where(*_of(interview_id, document), col(DocUpdate.compacted).is_(False))
                                .order_by(col(DocUpdate.id))).all()
            if not rows:
                return
            snapshot = session.get(DocSnapshot, (interview_id, document))
            parts = [base] if base is not None else []
            parts += [snapshot.data] if snapshot and zlib.crc32(snapshot.data) == snapshot.checksum else []
            parts += [data for _, data, checksum in rows if zlib.crc32(data) == checksum]
            if not parts:
                log.warning('nothing of %s decodes; left its rows for inspection', room_id)
                return
            merged = merge_updates(*parts) if len(parts) > 1 else parts[0]
            if snapshot is None:
                snapshot = DocSnapshot(interview_id=interview_id, document=document, data=merged,
                                       checksum=zlib.crc32(merged))
            else:
                snapshot.data, snapshot.checksum, snapshot.updated_at = merged, zlib.crc32(merged), utcnow()
            session.add(snapshot)
            ids = [row_id for row_id, _, _ in rows]
            for i in range(0, len(ids), _MARK_BATCH):
                session.exec(update(DocUpdate).where(col(DocUpdate.id).in_(ids[i:i + _MARK_BATCH]))
                             .values(compacted=True))
            session.commit()
        log.info('compacted %d updates of %s into a snapshot of %d bytes', len(rows), room_id, len(merged))


def _rows(batch) -> list[dict]:
    return [{**dict(zip(('interview_id', 'document'), split_room_id(item.room_id))),
             'data': item.data, 'checksum': zlib.crc32(item.data), 'author': item.author, 'compacted': False,
             'created_at': datetime.fromtimestamp(item.at, timezone.utc) if item.at else utcnow()}
            for item in batch]


def _by_room(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row['interview_id'], row['document']), []).append(row)
    return groups


def _of(interview_id: str, document: str) -> tuple:
    return col(DocUpdate.interview_id) == interview_id, col(DocUpdate.document) == document


def _intact(label: str, data: bytes, checksum: int) -> bool:
    if zlib.crc32(data) != checksum:
        log.warning('skipped %s: checksum mismatch (torn or corrupted write)', label)
        return False
    return True


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # SQLite hands datetimes back naive

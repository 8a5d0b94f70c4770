"""The SQLModel implementation of the live engine's persistence interface (load, append, compact)."""

import logging
import zlib

from pycrdt import merge_updates
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from .models import DocSnapshot, DocUpdate, utcnow

log = logging.getLogger(__name__)


class SqlUpdateLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, room_id: str) -> list[bytes]:
        with Session(self.engine) as session:
            snapshot = session.get(DocSnapshot, room_id)
            rows = session.exec(select(DocUpdate).where(DocUpdate.interview_id == room_id)
                                .order_by(col(DocUpdate.id))).all()
        stored = ([(f'snapshot of {room_id}', snapshot.data, snapshot.checksum)] if snapshot else []) + \
            [(f'update {row.id} of {room_id}', row.data, row.checksum) for row in rows]
        updates = []
        for label, data, checksum in stored:
            if zlib.crc32(data) != checksum:
                log.warning('skipped %s: checksum mismatch (torn or corrupted write)', label)
                continue
            updates.append(data)
        return updates

    def append(self, batch: list[tuple[str, bytes]]) -> None:
        with Session(self.engine) as session:
            session.add_all([DocUpdate(interview_id=room_id, data=data, checksum=zlib.crc32(data))
                             for room_id, data in batch])
            session.commit()

    def count_updates(self, room_id: str) -> int:
        with Session(self.engine) as session:
            return len(session.exec(select(DocUpdate.id).where(DocUpdate.interview_id == room_id)).all())

    def compact(self, room_id: str) -> None:
        """Merge the snapshot and every logged update into a new snapshot, in one transaction."""
        with Session(self.engine) as session:
            rows = session.exec(select(DocUpdate).where(DocUpdate.interview_id == room_id)
                                .order_by(col(DocUpdate.id))).all()
            if not rows:
                return
            snapshot = session.get(DocSnapshot, room_id)
            parts = [snapshot.data] if snapshot and zlib.crc32(snapshot.data) == snapshot.checksum else []
            parts += [row.data for row in rows if zlib.crc32(row.data) == row.checksum]
            if not parts:
                log.warning('nothing of %s decodes; left its rows for inspection', room_id)
                return
            merged = merge_updates(*parts) if len(parts) > 1 else parts[0]
            if snapshot is None:
                snapshot = DocSnapshot(interview_id=room_id, data=merged, checksum=zlib.crc32(merged))
            else:
                snapshot.data, snapshot.checksum, snapshot.updated_at = merged, zlib.crc32(merged), utcnow()
            session.add(snapshot)
            last_id = rows[-1].id
            session.exec(delete(DocUpdate).where(col(DocUpdate.interview_id) == room_id, col(DocUpdate.id) <= last_id))
            session.commit()
        log.info('compacted %d updates of %s into a snapshot of %d bytes', len(rows), room_id, len(merged))

"""Two instances compacting one room at once lose nothing: compaction is serialised per room (store.locks), on
PostgreSQL and on SQLite. Each round, one writer appends a room's updates one commit at a time while two compactors
(two engines and two SqlUpdateLogs, as two processes have) compact the room in a loop; then the room is reloaded
from the store and its text must be exactly the writer's. Without the lock this loses rows within a few rounds:
a compactor that read fewer rows commits its snapshot after one that read more, whose rows are already marked
compacted."""

import threading
import zlib

import pytest
from pycrdt import Doc, Text

from collab import PendingUpdate, Room, initial_update
from store import SqlUpdateLog, create_db, create_interview

ROUNDS = 40
UPDATES_PER_ROUND = 15


def _lost_rounds(database_url: str) -> list[str]:
    engines = [create_db(database_url) for _ in range(3)]
    try:
        interview = create_interview(engines[0], title='T', language='plaintext',
                                     initial_update=initial_update('plaintext'))
        writer, *compactors = [SqlUpdateLog(engine) for engine in engines]
        doc = Doc()
        for data in writer.load(interview.id):
            doc.apply_update(data)
        text = doc.get('code', type=Text)
        lost = []
        for round_ in range(ROUNDS):
            done = threading.Event()
            errors: list[BaseException] = []

            def compact(log: SqlUpdateLog) -> None:
                try:
                    while not done.wait(0.002):  # a breath between compactions lets SQLite's writer in
                        log.compact(interview.id)
                    log.compact(interview.id)
                except BaseException as error:  # surfaced below with the round
                    errors.append(error)

            threads = [threading.Thread(target=compact, args=(log,)) for log in compactors]
            for thread in threads:
                thread.start()
            for i in range(UPDATES_PER_ROUND):
                before = doc.get_state()
                text += f'{round_}.{i} '
                writer.append([PendingUpdate(interview.id, doc.get_update(before))])
            done.set()
            for thread in threads:
                thread.join(60)
            lost += [f'round {round_}: {type(error).__name__}: {str(error).splitlines()[0]}' for error in errors]
            room = Room(interview.id)
            room.load(SqlUpdateLog(engines[0]).load(interview.id))
            if room.text != str(text):
                lost.append(f'round {round_}: {len(str(text)) - len(room.text)} characters missing')
                doc = Doc()  # carry on from what the store has, so later rounds are judged on their own
                for data in writer.load(interview.id):
                    doc.apply_update(data)
                text = doc.get('code', type=Text)
        return lost
    finally:
        for engine in engines:
            engine.dispose()


def test_two_compactors_on_one_room_lose_nothing(database_url):
    failures = _lost_rounds(database_url)
    assert failures == [], f'{len(failures)} of {ROUNDS} rounds failed:\n' + '\n'.join(failures)


def test_a_row_that_commits_after_a_later_one_is_neither_lost_nor_left_out(postgres_url):
    """Two instances append to one room; PostgreSQL hands out row ids when a row is inserted, so instance A's row
    can hold a lower id than instance B's yet commit after it, between a compaction's read and its marking of what
    it read. That row must not be marked compacted (it is not in the snapshot: marking it would lose it at the next
    load), and a later compaction must still fold it in (no 'last compacted id' may skip it)."""
    from sqlalchemy import event

    from store.models import DocUpdate
    engines = [create_db(postgres_url) for _ in range(3)]
    try:
        interview = create_interview(engines[0], title='T', language='plaintext',
                                     initial_update=initial_update('plaintext'))
        doc = Doc()
        for data in SqlUpdateLog(engines[0]).load(interview.id):
            doc.apply_update(data)
        text = doc.get('code', type=Text)

        def edit(words: str) -> bytes:
            before = doc.get_state()
            text.__iadd__(words)
            return doc.get_update(before)
        late_update, early_update = edit('late '), edit('early ')
        late = engines[1].connect()  # instance A: inserts first (the lower id), commits last
        late_transaction = late.begin()
        late.execute(DocUpdate.__table__.insert(), [{
            'interview_id': interview.id, 'document': 'code', 'data': late_update, 'checksum': zlib.crc32(late_update),
            'author': None, 'compacted': False}])
        SqlUpdateLog(engines[2]).append([PendingUpdate(interview.id, early_update)])  # instance B: commits first
        compactor = SqlUpdateLog(engines[0])

        def commit_late_row_first(connection, cursor, statement, *args) -> None:
            if statement.lstrip().upper().startswith('UPDATE DOCUPDATE') and late_transaction.is_active:
                late_transaction.commit()  # between the compaction's read and its UPDATE
        event.listen(engines[0], 'before_cursor_execute', commit_late_row_first)
        compactor.compact(interview.id)
        event.remove(engines[0], 'before_cursor_execute', commit_late_row_first)
        late.close()

        def stored_text() -> str:
            room = Room(interview.id)
            room.load(SqlUpdateLog(engines[1]).load(interview.id))
            return room.text
        assert stored_text() == str(text)
        compactor.compact(interview.id)  # the same process compacts again: the late row is folded in now
        with engines[0].connect() as connection:
            left = connection.execute(DocUpdate.__table__.select().where(
                DocUpdate.__table__.c.interview_id == interview.id, DocUpdate.__table__.c.compacted.is_(False))).all()
        assert left == []
        assert stored_text() == str(text)
    finally:
        for engine in engines:
            engine.dispose()

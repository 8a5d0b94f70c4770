"""The SQLModel store: interviews, the update log's round trip, compaction, torn rows; each on SQLite and on
PostgreSQL (`database_url`, tests/conftest.py)."""

import os
import random
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from pycrdt import Doc, Text, merge_updates
from sqlmodel import Session, select

from collab import PendingUpdate, Room, initial_update
from store import (DatabaseUnavailable, DocSnapshot, DocUpdate, SqlUpdateLog, create_db, create_interview,
                   get_interview, notes_room_id, split_room_id)
from store.room_ids import CODE, NOTES


@pytest.fixture
def engine(database_url):
    engine = create_db(database_url)
    yield engine
    engine.dispose()


def _edits(seed: int, count: int) -> tuple[list[bytes], str]:
    """Per-keystroke updates from one pycrdt doc (inserts and deletes, non-ASCII) and the final text."""
    rng = random.Random(seed)
    doc = Doc()
    text = doc.get('code', type=Text)
    updates = []
    for _ in range(count):
        before = doc.get_state()
        current = str(text)
        if current and rng.random() < 0.3:
            i = rng.randrange(len(current))
            start, end = len(current[:i].encode()), len(current[:i + 1].encode())
            del text[start:end]
        else:
            i = rng.randint(0, len(current))
            text.insert(len(current[:i].encode()), rng.choice('ab漢😊\n'))
        updates.append(doc.get_update(before))
    return updates, str(text)


def test_interview_is_created_with_its_starting_document(engine):
    interview = create_interview(engine, title='T', language='python', initial_update=initial_update('python', 'x=1'))
    assert get_interview(engine, interview.id).title == 'T'
    assert get_interview(engine, 'nope') is None
    room = Room(interview.id)
    room.load(SqlUpdateLog(engine).load(interview.id))
    assert room.text == 'x=1' and room.language == 'python'


def test_update_log_round_trip_and_compaction_keep_content(engine):
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    updates, final = _edits(1, 400)
    for i in range(0, len(updates), 37):  # group commits of various sizes
        log.append([PendingUpdate(interview.id, u) for u in updates[i:i + 37]])
    assert log.count_updates(interview.id) == 401
    restored = Room(interview.id)
    restored.load(log.load(interview.id))
    assert restored.text == final
    log.compact(interview.id)
    assert log.count_updates(interview.id) == 0
    compacted = Room(interview.id)
    compacted.load(log.load(interview.id))
    assert compacted.text == final
    # more updates after a compaction, then a second compaction, still exact
    doc = Doc()
    doc.apply_update(compacted.doc.get_update())
    text = doc.get('code', type=Text)
    before = doc.get_state()
    text += 'tail'
    log.append([PendingUpdate(interview.id, doc.get_update(before))])
    log.compact(interview.id)
    again = Room(interview.id)
    again.load(log.load(interview.id))
    assert again.text == final + 'tail'


def test_torn_row_is_skipped_with_a_log_line_and_the_room_still_loads(engine, caplog):
    first = initial_update('plaintext', 'ok')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=first)
    log = SqlUpdateLog(engine)
    doc = Doc()
    doc.apply_update(first)
    before = doc.get_state()
    doc.get('code', type=Text).insert(2, '!')
    good = doc.get_update(before)
    log.append([PendingUpdate(interview.id, good)])
    with Session(engine) as session:
        torn = DocUpdate(interview_id=interview.id, data=good[:-3], checksum=zlib.crc32(good))
        session.add(torn)
        session.commit()
    room = Room(interview.id)
    room.load(log.load(interview.id))
    assert room.text == 'ok!'
    assert 'checksum mismatch' in caplog.text
    log.compact(interview.id)
    with Session(engine) as session:
        assert session.exec(select(DocSnapshot)).one().checksum
    reloaded = Room(interview.id)
    reloaded.load(log.load(interview.id))
    assert reloaded.text == 'ok!'


def test_compaction_keeps_the_history_with_authors_and_times_for_playback(engine):
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    updates, final = _edits(2, 60)
    log.append([PendingUpdate(interview.id, u, 'alice' if i % 2 else 'bob', 1_700_000_000 + i)
                for i, u in enumerate(updates)])
    log.compact(interview.id)
    assert log.count_updates(interview.id) == 0
    history = log.history(interview.id)
    assert len(history) == 61  # the starting document and every change, none merged away
    assert history[0].author is None and {e.author for e in history[1:]} == {'alice', 'bob'}
    assert history[1].at.timestamp() == 1_700_000_000 and history[-1].at.timestamp() == 1_700_000_059
    replay = Doc()
    for entry in history:
        replay.apply_update(entry.data)
    assert str(replay.get('code', type=Text)) == final


def test_a_database_made_before_a_column_existed_gets_it_with_its_default(tmp_path):
    import sqlite3
    path = tmp_path / 'old.db'
    with sqlite3.connect(path) as old:
        old.execute('CREATE TABLE interview (id VARCHAR(32) PRIMARY KEY, title VARCHAR(200), language VARCHAR(32), '
                    'created_at DATETIME, ended_at DATETIME)')
        old.execute('CREATE TABLE docupdate (id INTEGER PRIMARY KEY, interview_id VARCHAR(32), data BLOB, '
                    'checksum INTEGER, created_at DATETIME)')
        old.execute("INSERT INTO docupdate (interview_id, data, checksum) VALUES ('x', x'0000', 0)")
    engine = create_db(f'sqlite:///{path}')
    with Session(engine) as session:
        row = session.exec(select(DocUpdate)).one()
    assert row.compacted is False and row.author is None


def test_notes_are_a_separate_document_of_the_same_interview(engine):
    interview = create_interview(engine, title='T', language='python', initial_update=initial_update('python', 'x=1'))
    log = SqlUpdateLog(engine)
    notes = Doc()
    notes.get('code', type=Text).insert(0, '# strong hire')
    notes_id = notes_room_id(interview.id)
    log.append([PendingUpdate(notes_id, notes.get_update(), 'iv', 1_700_000_000)])
    for room_id in (interview.id, notes_id):
        log.compact(room_id)
    code, kept = Room(interview.id), Room(notes_id)
    code.load(log.load(interview.id))
    kept.load(log.load(notes_id))
    assert code.text == 'x=1' and kept.text == '# strong hire'
    assert [e.author for e in log.history(interview.id)] == [None]  # the notes are not in the code's playback


def test_a_notes_room_id_is_built_and_read_by_one_pair_of_functions():
    assert split_room_id(notes_room_id('abc123')) == ('abc123', NOTES)
    assert split_room_id('abc123') == ('abc123', CODE)
    assert notes_room_id('abc123') != 'abc123'


@pytest.mark.parametrize('url, says', [
    ('postgresql+psycopg://pairpad:s3cret@127.0.0.1:1/pairpad',
     'cannot connect to the database at postgresql+psycopg://pairpad:***@127.0.0.1:1/pairpad: '),
    ('postgres://pairpad:s3cret@localhost/pairpad', 'not a usable database URL: postgres://pairpad:***@localhost/pairpad'),
    ('sqlite:////proc/no/such/dir/pairpad.db', 'cannot connect to the database at sqlite:////proc/no/such/dir/pairpad.db'),
])
def test_a_wrong_database_url_is_a_clear_error_naming_it_without_its_password(url, says):
    with pytest.raises(DatabaseUnavailable) as raised:
        create_db(url)
    assert str(raised.value).startswith(says) and 's3cret' not in str(raised.value)
    assert '\n' not in str(raised.value)


def test_the_app_says_a_wrong_database_url_in_one_line_and_exits(tmp_path):
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / 'main.py')], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, 'DATABASE_URL': 'postgresql+psycopg://u:pw@127.0.0.1:1/x',
                                             'PAIRPAD_REDIS_URL': ''})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(
        'pairpad: cannot connect to the database at postgresql+psycopg://u:***@127.0.0.1:1/x: ')
    assert 'Traceback' not in done.stderr


async def test_a_room_in_memory_is_compacted_into_the_squashed_document_it_holds(database_url):
    """Compaction merges the room's own document first (RoomRegistry passes Room.encoded_state), so the snapshot a
    later load reads is the document as a Doc encodes it, not one block per keystroke: 2,000 one-character
    insertions make a snapshot about the size of the room's encoded state, loaded in one piece."""
    from collab import RoomRegistry
    engine = create_db(database_url)
    try:
        interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
        rooms = RoomRegistry(SqlUpdateLog(engine), commit_window=0.005, compact_after_idle=3600, unload_after=0.0)
        room = await rooms.get(interview.id)
        for i in range(2000):
            room.write(lambda doc, i=i: doc.get(CODE, type=Text).insert(i, 'abcdefghij'[i % 10]))
        squashed = len(room.encoded_state())
        await rooms.unload(interview.id)  # the writer compacted at 1,000 rows already (twice compact_every)
        assert rooms.loaded(interview.id) is None
        with Session(engine) as session:
            snapshot = session.get(DocSnapshot, (interview.id, CODE))
            rows = session.exec(select(DocUpdate.data).where(DocUpdate.interview_id == interview.id)).all()
        merged_rows = len(merge_updates(*rows))  # what merging the rows alone makes of them
        assert len(snapshot.data) <= squashed * 1.1 < merged_rows / 3, (len(snapshot.data), squashed, merged_rows)
        again = Room('again')
        again.load(SqlUpdateLog(engine).load(interview.id))
        assert again.text == 'abcdefghij' * 200
        await rooms.stop()
    finally:
        engine.dispose()

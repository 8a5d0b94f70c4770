"""The SQLModel store: interviews, the update log's round trip, compaction, torn rows."""

import random
import zlib

from pycrdt import Doc, Text
from sqlmodel import Session, select

from collab import Room, initial_update
from store import DocSnapshot, DocUpdate, SqlUpdateLog, create_db, create_interview, get_interview


def _engine(tmp_path):
    return create_db(f'sqlite:///{tmp_path / "sub" / "pairpad.db"}')


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


def test_interview_is_created_with_its_starting_document(tmp_path):
    engine = _engine(tmp_path)
    interview = create_interview(engine, title='T', language='python', initial_update=initial_update('python', 'x=1'))
    assert get_interview(engine, interview.id).title == 'T'
    assert get_interview(engine, 'nope') is None
    room = Room(interview.id)
    room.load(SqlUpdateLog(engine).load(interview.id))
    assert room.text == 'x=1' and room.language == 'python'


def test_update_log_round_trip_and_compaction_keep_content(tmp_path):
    engine = _engine(tmp_path)
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    updates, final = _edits(1, 400)
    for i in range(0, len(updates), 37):  # group commits of various sizes
        log.append([(interview.id, u) for u in updates[i:i + 37]])
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
    log.append([(interview.id, doc.get_update(before))])
    log.compact(interview.id)
    again = Room(interview.id)
    again.load(log.load(interview.id))
    assert again.text == final + 'tail'


def test_torn_row_is_skipped_with_a_log_line_and_the_room_still_loads(tmp_path, caplog):
    engine = _engine(tmp_path)
    first = initial_update('plaintext', 'ok')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=first)
    log = SqlUpdateLog(engine)
    doc = Doc()
    doc.apply_update(first)
    before = doc.get_state()
    doc.get('code', type=Text).insert(2, '!')
    good = doc.get_update(before)
    log.append([(interview.id, good)])
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

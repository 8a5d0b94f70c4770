"""Two instances compacting one room at once lose nothing: compaction is serialised per room (store.locks), on
PostgreSQL and on SQLite. Each round, one writer appends a room's updates one commit at a time while two compactors
(two engines and two SqlUpdateLogs, as two processes have) compact the room in a loop; then the room is reloaded
from the store and its text must be exactly the writer's. Without the lock this loses rows within a few rounds:
a compactor that read fewer rows commits its snapshot after one that read more, whose rows are already marked
compacted."""

import threading

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

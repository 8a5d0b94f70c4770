"""The participant cap holds across instances: two PresenceServices on one database (two engines, as two processes
have) stand for two instances whose relay has not delivered each other's joins yet. Each one's own view would let
one more in; the seat lock in the store (store.participants.create_participant's `admit`) makes the cap exact."""

import threading
import time

import pytest
from sqlalchemy import event, text

from collab import initial_update
from collab.relay import MemoryHub
from pages.presence_link import PresenceLink
from presence import InterviewFull, PresenceService
from store import create_db, create_interview
from tests.clock import ManualClock

CAP = 2


def _instances(url: str):
    """Two instances on one database whose relay loses everything: neither hears of the other's joins."""
    engines = [create_db(url) for _ in range(2)]
    interview = create_interview(engines[0], title='T', language='plaintext', initial_update=initial_update('plaintext'))
    hub, clock = MemoryHub(), ManualClock()
    hub.lose = lambda room_id, to, message: True
    services = []
    for name, engine in zip('ab', engines):
        presence = PresenceService(engine, clock=clock, max_present=CAP)
        PresenceLink(presence, hub.relay(name))
        services.append(presence)
    return interview.id, engines, services


def test_a_join_on_another_instance_counts_before_its_news_arrives(database_url):
    interview_id, engines, (a, b) = _instances(database_url)
    try:
        assert b.participants(interview_id) == []  # b has the interview loaded, and hears nothing from now on
        a.join(interview_id, name='Ada', role='interviewer')
        a.join(interview_id, name='Bob', role='candidate')
        assert b.participants(interview_id) == []
        with pytest.raises(InterviewFull, match=f'{CAP} people'):
            b.join(interview_id, name='Cara', role='candidate')
        assert [p.name for p in a.participants(interview_id)] == ['Ada', 'Bob']
    finally:
        for engine in engines:
            engine.dispose()


def test_someone_who_left_frees_their_seat_for_a_join_elsewhere(database_url):
    """What an instance knows of a person wins over the stored status, written only every write interval."""
    interview_id, engines, (a, b) = _instances(database_url)
    try:
        ada, _ = b.join(interview_id, name='Ada', role='interviewer')
        b.join(interview_id, name='Bob', role='candidate')
        b.update_participant(interview_id, ada.id, status='offline')  # not written yet: the row still says online
        cara, _ = b.join(interview_id, name='Cara', role='candidate')
        assert cara.status == 'online'
    finally:
        for engine in engines:
            engine.dispose()


def test_two_joins_at_once_on_two_instances_cannot_both_take_the_last_seat(postgres_url):
    """Bob joins on a and, while a holds the seat lock (right after reading who is there), Cara joins on b. b's
    join must wait for a's to commit, then see Bob and be refused. The check waits on a condition: b's session
    waiting on a lock in pg_stat_activity, or b's join having ended (which is the bug: it did not wait)."""
    interview_id, engines, (a, b) = _instances(postgres_url)
    a.join(interview_id, name='Ada', role='interviewer')
    assert b.participants(interview_id)[0].name == 'Ada'  # b loads the interview: one seat left
    outcome: dict[str, object] = {}
    cara_done = threading.Event()

    def cara_joins() -> None:
        try:
            outcome['cara'] = b.join(interview_id, name='Cara', role='candidate')[0].name
        except InterviewFull as refused:
            outcome['cara'] = refused
        finally:
            cara_done.set()
    cara = threading.Thread(target=cara_joins)

    def cara_meanwhile(connection, cursor, statement, *args) -> None:
        if cara.is_alive() or cara_done.is_set() or not statement.lstrip().upper().startswith('SELECT PARTICIPANT'):
            return
        cara.start()  # a holds the lock and has read who is there
        deadline = time.monotonic() + 30
        with engines[0].connect() as watcher:
            while not cara_done.is_set() and time.monotonic() < deadline:
                if watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND wait_event_type = 'Lock'")).scalar():
                    return  # b waits for a's lock
                watcher.rollback()
                time.sleep(0.01)
    event.listen(engines[0], 'after_cursor_execute', cara_meanwhile)
    try:
        bob, _ = a.join(interview_id, name='Bob', role='candidate')
        assert cara_done.wait(30), 'the join on b never ended'
        cara.join()
        assert isinstance(outcome['cara'], InterviewFull), f'both took the last seat: {outcome}'
        assert bob.name == 'Bob'
        stored = {p.name for p in PresenceService(engines[1]).participants(interview_id)}
        assert stored == {'Ada', 'Bob'}
    finally:
        event.remove(engines[0], 'after_cursor_execute', cara_meanwhile)
        for engine in engines:
            engine.dispose()

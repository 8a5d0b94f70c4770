"""The run lock (store.locks) and the failing of runs an instance left running (store.runs.fail_abandoned_runs), on
SQLite (the in-memory lock of a single instance) and PostgreSQL (a session advisory lock, shared by instances and
released by the server when its holder dies)."""

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from store import (FAILED, RUNNING, LocalRunLock, PostgresRunLock, create_db, create_interview, fail_abandoned_runs,
                   list_runs, new_run, room_run_lock, save_run)
from collab import initial_update


@pytest.fixture
def engine(database_url):
    engine = create_db(database_url)
    yield engine
    engine.dispose()


def test_the_run_lock_fits_the_engine(engine):
    lock = room_run_lock(engine)
    assert isinstance(lock, PostgresRunLock if engine.dialect.name == 'postgresql' else LocalRunLock)
    lock.close()


def test_one_holder_per_room_until_released(engine):
    first, second = room_run_lock(engine), room_run_lock(engine)
    if engine.dialect.name == 'sqlite':
        second = first  # one instance: one lock object
    try:
        assert first.try_acquire('room-a')
        assert not second.try_acquire('room-a') and not first.try_acquire('room-a')
        assert second.try_acquire('room-b') if second is not first else first.try_acquire('room-b')
        first.release('room-a')
        assert second.try_acquire('room-a')
    finally:
        first.close()
        second.close()


def test_a_released_lock_is_free_for_another_instance_at_once(engine):
    """A run ends on one instance and someone presses Run on another straight away: the lock is free when release
    returns, not a moment later when PostgreSQL has finished ending the holder's session."""
    first, second = room_run_lock(engine), room_run_lock(engine)
    try:
        for turn in range(30):
            holder, other = (first, second) if turn % 2 == 0 else (second, first)
            assert holder.try_acquire('room-a'), turn
            holder.release('room-a')
            assert other.try_acquire('room-a'), turn
            other.release('room-a')
    finally:
        first.close()
        second.close()


def test_a_dead_holders_postgres_lock_is_released_by_the_server(postgres_url):
    """Another process takes the lock and is killed mid-run: the lock is free again without anyone releasing it."""
    engine = create_db(postgres_url)
    lock = room_run_lock(engine)
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time; from sqlalchemy import create_engine; from store import room_run_lock;'
         'lock = room_run_lock(create_engine(sys.argv[1])); assert lock.try_acquire("room-a"); print("held", flush=True);'
         'time.sleep(600)', postgres_url], stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    try:
        assert holder.stdout.readline().strip() == 'held'
        assert not lock.try_acquire('room-a')
    finally:
        holder.kill()
        holder.wait(10)
    deadline = time.monotonic() + 10
    while not lock.try_acquire('room-a'):
        assert time.monotonic() < deadline, 'the dead holder still holds the lock'
        time.sleep(0.05)
    lock.close()
    engine.dispose()


def _run(interview_id: str, run_id: str, outcome: str, instance: str | None = 'pairpad-2'):
    return new_run(run_id=run_id, interview_id=interview_id, language='python', started_by='Cara',
                   started_at=time.time(), output=[('stdout', 'half')], duration=None, exit_code=None,
                   outcome=outcome, summary='Running…', instance=instance)


def test_runs_left_running_by_a_gone_instance_are_failed_with_the_reason(engine):
    interviews = [create_interview(engine, title=f'T{i}', language='python', initial_update=initial_update('python'))
                  for i in range(3)]
    abandoned, going, ended = (i.id for i in interviews)
    save_run(engine, _run(abandoned, 'r-abandoned', RUNNING))
    save_run(engine, _run(going, 'r-going', RUNNING))
    save_run(engine, _run(ended, 'r-ended', 'ok'))
    lock = room_run_lock(engine)
    holder = room_run_lock(engine) if engine.dialect.name == 'postgresql' else lock  # the live instance
    assert holder.try_acquire(going)
    try:
        assert fail_abandoned_runs(engine, lock) == ['r-abandoned']
        assert fail_abandoned_runs(engine, lock) == []  # once
    finally:
        holder.release(going)
    [run] = list_runs(engine, abandoned)
    assert run.outcome == FAILED and run.summary == 'Run failed: the server running it (pairpad-2) stopped before it ended'
    assert run.output == '[["stdout", "half"]]'  # what it printed is kept
    assert [r.outcome for r in list_runs(engine, going)] == [RUNNING]
    assert [r.outcome for r in list_runs(engine, ended)] == ['ok']
    assert lock.try_acquire(abandoned), 'the sweep gave the room back'
    lock.close()
    holder.close()

"""At start-up an instance fails the runs a dead instance left RUNNING (pages.services.fail_abandoned, wired in
main.py): their rooms would otherwise show a run that never ends. A run whose room's lock is held goes on."""

import time
from dataclasses import dataclass

from collab import initial_update
from pages.services import fail_abandoned
from store import FAILED, RUNNING, create_db, create_interview, list_runs, new_run, room_run_lock, save_run


@dataclass
class _Runs:
    lock: object


@dataclass
class _Services:  # what fail_abandoned reads of pages.Services
    engine: object
    runs: _Runs


def _running(interview_id: str, run_id: str):
    return new_run(run_id=run_id, interview_id=interview_id, language='python', started_by='Cara',
                   started_at=time.time(), output=[('stdout', 'half')], duration=None, exit_code=None,
                   outcome=RUNNING, summary='Running…', instance='i1')


async def test_runs_left_running_are_failed_at_start_and_a_held_one_is_not(database_url):
    engine = create_db(database_url)
    left, going = (create_interview(engine, title=t, language='python', initial_update=initial_update('python')).id
                   for t in ('left', 'going'))
    save_run(engine, _running(left, 'r-left'))
    save_run(engine, _running(going, 'r-going'))
    lock = room_run_lock(engine)
    holder = room_run_lock(engine) if engine.dialect.name == 'postgresql' else lock  # the instance running it
    assert holder.try_acquire(going)
    try:
        assert await fail_abandoned(_Services(engine, _Runs(lock))) == ['r-left']
    finally:
        holder.release(going)
    [run] = list_runs(engine, left)
    assert run.outcome == FAILED and 'stopped before it ended' in run.summary
    assert [r.outcome for r in list_runs(engine, going)] == [RUNNING]
    assert await fail_abandoned(_Services(engine, _Runs(None))) == []  # no lock: nothing to decide with
    for each in {lock, holder}:
        getattr(each, 'close', lambda: None)()
    engine.dispose()

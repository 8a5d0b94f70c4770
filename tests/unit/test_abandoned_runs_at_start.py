"""At start-up an instance fails the runs a dead instance left RUNNING (pages.services.fail_abandoned, wired in
main.py): their rooms would otherwise show a run that never ends. A run whose room's lock is held goes on."""

import time
from dataclasses import dataclass

from collab import initial_update
from pages.services import fail_abandoned
from pages.run_panel import keep_run
from runner import RunRecord
from store import FAILED, RUNNING, create_db, create_interview, list_runs, room_run_lock


@dataclass
class _Runs:
    lock: object


@dataclass
class _Services:  # what fail_abandoned reads of pages.Services
    engine: object
    runs: _Runs


def _keep_started(engine, interview_id: str, run_id: str) -> None:
    """What the instance that runs it stores when a run starts (main.py: RunHubs' on_start)."""
    keep_run(engine, interview_id, RunRecord(run_id=run_id, language='python', started_by='Cara',
                                             started_at=time.time()), instance='i1')


async def test_runs_left_running_are_failed_at_start_and_a_held_one_is_not(database_url):
    engine = create_db(database_url)
    left, going = (create_interview(engine, title=t, language='python', initial_update=initial_update('python')).id
                   for t in ('left', 'going'))
    _keep_started(engine, left, 'r-left')
    _keep_started(engine, going, 'r-going')
    assert [r.outcome for r in list_runs(engine, left)] == [RUNNING]
    lock = room_run_lock(engine)
    holder = room_run_lock(engine) if engine.dialect.name == 'postgresql' else lock  # the instance running it
    assert holder.try_acquire(going)
    try:
        assert await fail_abandoned(_Services(engine, _Runs(lock))) == ['r-left']
    finally:
        holder.release(going)
    [run] = list_runs(engine, left)
    assert run.outcome == FAILED and '(i1) stopped before it ended' in run.summary
    assert [r.outcome for r in list_runs(engine, going)] == [RUNNING]
    assert await fail_abandoned(_Services(engine, _Runs(None))) == []  # no lock: nothing to decide with
    for each in {lock, holder}:
        getattr(each, 'close', lambda: None)()
    engine.dispose()

"""The run history of an interview: kept in the database so the report and the playback timeline still show
every run after a restart (the live console itself lives in memory, in the runner's hub).

With several instances a run is kept as RUNNING while it goes, by the instance that holds its room's run lock
(store.locks); if that instance dies, fail_abandoned_runs finds the row whose lock nobody holds and fails it."""

import json
import logging
from datetime import datetime, timezone

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from .locks import RoomRunLock
from .models import CodeRun

log = logging.getLogger(__name__)

RUNNING = 'running'  # CodeRun.outcome while the run goes
FAILED = 'failed'


def save_run(engine: Engine, run: CodeRun) -> None:
    with Session(engine) as session:
        session.merge(run)
        session.commit()


def list_runs(engine: Engine, interview_id: str) -> list[CodeRun]:
    with Session(engine) as session:
        runs = session.exec(select(CodeRun).where(CodeRun.interview_id == interview_id)
                            .order_by(col(CodeRun.started_at))).all()
    for run in runs:
        run.started_at = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=timezone.utc)
    return list(runs)


def run_output(run: CodeRun) -> list[tuple[str, str]]:
    """The run's output as (stdout|stderr, text) chunks, in order."""
    return [(stream, text) for stream, text in json.loads(run.output or '[]')]


def new_run(*, run_id: str, interview_id: str, language: str, started_by: str, started_at: float,
            output: list[tuple[str, str]], duration: float | None, exit_code: int | None, outcome: str,
            summary: str, instance: str | None = None, stdin: str = '') -> CodeRun:
    return CodeRun(id=run_id, interview_id=interview_id, language=language, started_by=started_by,
                   started_at=datetime.fromtimestamp(started_at, timezone.utc), duration=duration,
                   exit_code=exit_code, outcome=outcome, summary=summary, output=json.dumps(output),
                   instance=instance, stdin=stdin)


def fail_abandoned_runs(engine: Engine, lock: RoomRunLock) -> list[str]:
    """Fail every run still RUNNING whose room's run lock nobody holds: the instance running it is gone (its lock
    went with its database session), so the run will never end by itself. Returns the ids of the runs failed.

    Each room's lock is taken while its row is changed, and the row only changes if it still says RUNNING: a run
    that ends meanwhile, or one that starts in that room, is never failed by mistake. Call it at start-up (on SQLite
    every RUNNING row is then from a previous process) and from time to time (PostgreSQL: another instance died)."""
    with Session(engine) as session:
        running = session.exec(select(CodeRun.id, CodeRun.interview_id, CodeRun.instance)
                               .where(CodeRun.outcome == RUNNING)).all()
    failed = []
    for run_id, interview_id, instance in running:
        if not lock.try_acquire(interview_id):
            continue  # held: the run goes on (or a new one started; ours then failed before)
        try:
            with engine.begin() as connection:
                changed = connection.execute(
                    update(CodeRun).where(col(CodeRun.id) == run_id, col(CodeRun.outcome) == RUNNING)
                    .values(outcome=FAILED, summary=abandoned_summary(instance))).rowcount
        finally:
            lock.release(interview_id)
        if changed:
            failed.append(run_id)
            log.warning('run %s of %s failed: %s', run_id, interview_id, abandoned_summary(instance))
    return failed


def abandoned_summary(instance: str | None) -> str:
    return (f'Run failed: the server running it{f" ({instance})" if instance else ""} stopped before it ended')[:300]

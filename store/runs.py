"""The run history of an interview: kept in the database so the report and the playback timeline still show
every run after a restart (the live console itself lives in memory, in the runner's hub)."""

import json
from datetime import datetime, timezone

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from .models import CodeRun


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
            summary: str) -> CodeRun:
    return CodeRun(id=run_id, interview_id=interview_id, language=language, started_by=started_by,
                   started_at=datetime.fromtimestamp(started_at, timezone.utc), duration=duration,
                   exit_code=exit_code, outcome=outcome, summary=summary, output=json.dumps(output))

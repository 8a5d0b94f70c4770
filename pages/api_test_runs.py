"""REST for test runs: press Run tests as somebody in the room would, and read an interview's test runs.

A set started here is the room's like any other: everybody in the room sees its results, it holds the room's one-run
lock (across instances too) and is stored for the report and the playback. What a caller reads depends on its
credential's role, chosen on the server as in the room: a candidate's key or token gets the candidate's view (hidden
cases only counted: no name, input, expected or actual output), an interviewer's gets every case.
"""

import json
from datetime import datetime, timezone
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BaseModel, Field

from runner import RunBusy, RunnerUnavailable, RunRefused, TooManyRuns
from runner.hub import TestRecord
from store import list_test_runs
from store.question_models import TestRunRow

from .api_access import KEY_HELP, KEYED, key_or_token
from .services import Services
from .test_runs import TestsRefused, role_view, start_test_run

AUTH_HELP = 'Bearer <participant token> (any participant of this interview); or use the link key'


class StartedTestRun(BaseModel):
    id: str
    status: Literal['running'] = 'running'


class TestRunModel(BaseModel):
    __test__ = False
    id: str
    language: str
    status: Literal['running', 'ended', 'failed']
    started_by: str
    started_at: datetime
    reason: str | None = Field(default=None, description='why a failed set has no results')
    results: dict | None = Field(default=None, description="what the caller's role may see: passed, total, "
                                 "hidden_total, hidden_passed, cases (a candidate's: visible cases only); "
                                 "None while running or failed")


def test_run_routes(router: APIRouter, services: Services) -> None:
    @router.post('/interviews/{interview_id}/test-runs', status_code=202, response_model=StartedTestRun,
                 responses={**KEYED, 409: {'description': 'no question with tests is picked, a run or a set of tests '
                                                          'is going, or the interview has ended'},
                            422: {'description': "the document's language cannot run here (the reason says why)"},
                            503: {'description': 'running is off on this server, or it is at its limit of runs'}})
    async def start(interview_id: str, authorization: str | None = Header(default=None, description=AUTH_HELP),
                    key: str | None = Query(default=None, description=KEY_HELP),
                    x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> StartedTestRun:
        """Run the interview's document against every test case of its question, as if Run tests was pressed."""
        interview, _, who = key_or_token(services, interview_id, authorization, x_pairpad_key or key)
        try:
            record = await start_test_run(services, interview.id, who)
        except (TestsRefused, RunBusy) as e:
            raise HTTPException(status_code=409, detail=str(e)) from e
        except (RunnerUnavailable, TooManyRuns) as e:
            raise HTTPException(status_code=503, detail=str(e)) from e
        except RunRefused as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        return StartedTestRun(id=record.run_id)

    @router.get('/interviews/{interview_id}/test-runs', response_model=list[TestRunModel], responses=KEYED)
    async def test_runs(interview_id: str, authorization: str | None = Header(default=None, description=AUTH_HELP),
                        key: str | None = Query(default=None, description=KEY_HELP),
                        x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> list[TestRunModel]:
        """Every test run of this interview, oldest first, as the caller's role may see it."""
        interview, role, _ = key_or_token(services, interview_id, authorization, x_pairpad_key or key)
        return all_test_runs(services, interview.id, role)


def all_test_runs(services: Services, interview_id: str, role: str) -> list[TestRunModel]:
    """The database's test runs, overridden by this instance's live records (one going, or just ended)."""
    by_id = {row.id: _from_row(row, role) for row in list_test_runs(services.engine, interview_id)}
    for record in services.runs.get(interview_id).tests:
        if record.run_id not in by_id or not record.ended:
            by_id[record.run_id] = _from_record(record, role)
    return sorted(by_id.values(), key=lambda run: run.started_at)


def _from_record(record: TestRecord, role: str) -> TestRunModel:
    status = 'running' if not record.ended else ('ended' if record.result is not None else 'failed')
    return TestRunModel(id=record.run_id, language=record.language, status=status, started_by=record.started_by,
                        started_at=datetime.fromtimestamp(record.started_at, timezone.utc),
                        reason=record.reason or None,
                        results=role_view(record.result, role) if record.result is not None else None)


def _from_row(row: TestRunRow, role: str) -> TestRunModel:
    started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=timezone.utc)
    return TestRunModel(id=row.id, language=row.language, status='ended', started_by=row.started_by,
                        started_at=started, results=role_view(json.loads(row.results), role))

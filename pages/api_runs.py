"""REST for runs: start one as if somebody in the room pressed Run, and read an interview's runs.

A run started here is the room's run like any other: everybody in the room sees it in the console, it holds the
room's one-run-at-a-time lock (across instances too), and it is kept for the report and the playback. Reading
merges what this instance holds in memory (a run still going, here or mirrored from another instance) with what
the database keeps (runs that ended, on any instance), so a client polling through the proxy finds its run
wherever its requests land once the run has ended.
"""

from datetime import datetime, timezone
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from runner import RunBusy, RunnerUnavailable, RunRecord, RunRefused, TooManyRuns
from runner.diagnostics import Marker, markers as find_markers
from store import CodeRun, list_runs, run_output

from .api_access import KEY_HELP, KEYED, key_or_token, refused
from .services import Services

RUN_AUTH_HELP = 'Bearer <participant token> (any participant of this interview); or use the link key'


class NewRun(BaseModel):
    model_config = ConfigDict(extra='forbid')
    stdin: StrictStr | None = Field(default=None, description="the program's standard input; without it, what "
                                                                "the room's stdin box holds")


class StartedRun(BaseModel):
    id: str
    status: Literal['running'] = 'running'


class MarkerModel(BaseModel):
    line: int = Field(description='1-based line of the document')
    column: int = Field(description='1-based column (1 when the tool gives none)')
    message: str
    severity: Literal['error', 'warning']


class RunModel(BaseModel):
    id: str
    language: str
    status: str = Field(description="'running', or how it ended: exited, compile_error, cpu_limit, memory_limit, "
                                    "timed_out, truncated, stopped, killed, failed")
    exit_code: int | None
    duration: float | None = Field(description='seconds; None while running')
    started_by: str
    started_at: datetime
    summary: str | None = Field(description="the console's status line once ended")
    stdin: str | None = Field(description='what the program was given on its standard input')
    stdout: str
    stderr: str
    markers: list[MarkerModel] = Field(description='errors with a line of the document, as in the editor')


def run_routes(router: APIRouter, services: Services) -> None:
    @router.post('/interviews/{interview_id}/runs', status_code=202, response_model=StartedRun,
                 responses={**KEYED, 409: {'description': 'a run is going in this room, or the interview has ended'},
                            422: {'description': "the document's language cannot run here (the reason says why)"},
                            503: {'description': 'running is off on this server, or it is at its limit of runs'}})
    async def start(interview_id: str, body: NewRun | None = None,
                    authorization: str | None = Header(default=None, description=RUN_AUTH_HELP),
                    key: str | None = Query(default=None, description=KEY_HELP),
                    x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> StartedRun:
        """Run the interview's current document, as if Run was pressed in the room (everybody there sees it)."""
        interview, _, who = key_or_token(services, interview_id, authorization, x_pairpad_key or key)
        room = await services.rooms.get(interview.id)
        if room.ended:
            raise HTTPException(status_code=409, detail='the interview has ended: running is off')
        stdin = body.stdin if body is not None and body.stdin is not None else room.stdin
        if len(stdin.encode()) > services.settings.max_document_bytes:
            raise HTTPException(status_code=422, detail=f'stdin is larger than the document limit of '
                                                        f'{services.settings.max_document_bytes} bytes')
        hub = services.runs.get(interview.id)
        try:
            record = hub.start(room.text, room.language or 'plaintext', started_by=who, stdin=stdin)
        except RunBusy as e:
            raise HTTPException(status_code=409, detail=str(e)) from e
        except (RunnerUnavailable, TooManyRuns) as e:
            raise HTTPException(status_code=503, detail=str(e)) from e
        except RunRefused as e:  # the language cannot run here: the reason names what to install
            raise HTTPException(status_code=422, detail=str(e)) from e
        return StartedRun(id=record.run_id)

    @router.get('/interviews/{interview_id}/runs', response_model=list[RunModel], responses=KEYED)
    async def runs(interview_id: str, authorization: str | None = Header(default=None, description=RUN_AUTH_HELP),
                   key: str | None = Query(default=None, description=KEY_HELP),
                   x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> list[RunModel]:
        """Every run of this interview, oldest first, including one still going."""
        interview, _, _ = key_or_token(services, interview_id, authorization, x_pairpad_key or key)
        return _all_runs(services, interview.id)

    @router.get('/interviews/{interview_id}/runs/{run_id}', response_model=RunModel,
                responses={404: {'description': 'unknown interview, invalid credentials or unknown run (not told '
                                                'apart)'}})
    async def one_run(interview_id: str, run_id: str,
                      authorization: str | None = Header(default=None, description=RUN_AUTH_HELP),
                      key: str | None = Query(default=None, description=KEY_HELP),
                      x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> RunModel:
        interview, _, _ = key_or_token(services, interview_id, authorization, x_pairpad_key or key)
        found = next((run for run in _all_runs(services, interview.id) if run.id == run_id), None)
        if found is None:
            raise refused()
        return found


def _all_runs(services: Services, interview_id: str) -> list[RunModel]:
    """The database's runs, overridden by this instance's live records (fresher: a run going, or just ended
    here and not yet written)."""
    by_id = {row.id: _from_row(row) for row in list_runs(services.engine, interview_id)}
    for record in services.runs.get(interview_id).history:
        if record.run_id not in by_id or not record.ended:
            by_id[record.run_id] = _from_record(record)
    return sorted(by_id.values(), key=lambda run: run.started_at)


def _streams(output: list[tuple[str, str]]) -> tuple[str, str]:
    return (''.join(text for stream, text in output if stream == 'stdout'),
            ''.join(text for stream, text in output if stream == 'stderr'))


def _marker_models(found: tuple[Marker, ...]) -> list[MarkerModel]:
    return [MarkerModel(**marker.to_dict()) for marker in found]


def _from_record(record: RunRecord) -> RunModel:
    from .run_panel import summary  # the console's status line, written once

    stdout, stderr = _streams(record.output)
    result = record.result
    status = 'running' if not record.ended else (result.outcome.value if result else 'failed')
    return RunModel(id=record.run_id, language=record.language, status=status,
                    exit_code=result.exit_code if result else None, duration=result.duration if result else None,
                    started_by=record.started_by, started_at=datetime.fromtimestamp(record.started_at, timezone.utc),
                    summary=summary(record) if record.ended else None, stdin=record.stdin, stdout=stdout,
                    stderr=stderr, markers=_marker_models(result.markers if result else ()))


def _from_row(row: CodeRun) -> RunModel:
    output = run_output(row)
    stdout, stderr = _streams(output)
    return RunModel(id=row.id, language=row.language, status=row.outcome, exit_code=row.exit_code,
                    duration=row.duration, started_by=row.started_by, started_at=row.started_at,
                    summary=row.summary, stdin=getattr(row, 'stdin', None), stdout=stdout, stderr=stderr,
                    markers=_marker_models(find_markers(row.language, ''.join(text for _, text in output))))


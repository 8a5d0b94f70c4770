"""Retention and erase (issue 14 §3): the retention job erases interviews ended PAIRPAD_RETENTION_DAYS ago (clock
injected), and an erase leaves nothing: a unique string typed into the code, the notes, the stdin box and a run's
output is nowhere in the SQLite file after the erase and VACUUM, nor returned by any endpoint."""

import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pycrdt import Doc, Text

from accounts import Passwords, Workspace
from accounts.retention import RetentionJob
from collab import PendingUpdate, RoomRegistry, initial_update
from collab.document import CODE, STDIN
from config import Settings
from pages.api import build_router
from pages.services import Services
from presence import PresenceService
from runner import CodeRunner, RunHubs, RunLimits, RunnerSettings
from sqlmodel import Session

from store import (Interview, SqlUpdateLog, create_db, create_interview, delete_interview, get_interview, new_run,
                   notes_room_id, save_run)
from store.accounts import list_activity

SECRET = 'zq7-UNIQUE-erase-me-4k2'  # typed everywhere an interview keeps text


@pytest.fixture
def db(tmp_path: Path):
    path = tmp_path / 'p.db'
    engine = create_db(f'sqlite:///{path}')
    yield engine, path
    engine.dispose()


def test_the_job_erases_interviews_ended_longer_ago_than_the_retention(db):
    engine, _ = db
    member = Workspace(engine, secret='s', passwords=Passwords.cheap()).create_member(
        email='ann@example.com', name='Ann', password='a password 1', is_admin=True)
    made = {name: create_interview(engine, title=name, language='python', initial_update=initial_update('python'),
                                   team_id=member.team_id) for name in ('old', 'recent', 'open')}
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    _ended_at(engine, made['old'].id, t0)
    _ended_at(engine, made['recent'].id, t0 + timedelta(days=30))
    now = [(t0 + timedelta(days=89)).timestamp()]

    def erase(interview_id: str) -> bool:
        return delete_interview(engine, interview_id)

    job = RetentionJob(engine, 90, erase, clock=lambda: now[0])
    assert job.erase_due() == []  # 89 days: not yet
    now[0] = (t0 + timedelta(days=90, minutes=1)).timestamp()
    assert job.erase_due() == [made['old'].id]
    assert job.erase_due() == []  # erased once (another instance's job finds nothing either)
    assert get_interview(engine, made['old'].id) is None and get_interview(engine, made['open'].id) is not None
    assert [(a.actor, a.action, a.interview_id) for a in list_activity(engine, member.team_id)
            if a.action == 'erased'] == [('retention', 'erased', made['old'].id)]
    assert RetentionJob(engine, 0, erase, clock=lambda: 10 ** 10).erase_due() == []  # 0 keeps


def _ended_at(engine, interview_id: str, at: datetime) -> None:
    with Session(engine) as session:
        interview = session.get(Interview, interview_id)
        interview.ended_at = at
        session.add(interview)
        session.commit()


def _type_everywhere(services: Services, interview_id: str) -> str:
    """The unique string in the code, the stdin box, the notes (through the update log, as the rooms write them,
    compacted into snapshots too), a participant's name, and a run's stdin and output."""
    log = SqlUpdateLog(services.engine)
    code = Doc()
    for room_id, texts in ((interview_id, (CODE, STDIN)), (notes_room_id(interview_id), (CODE,))):
        doc = Doc()
        for name in texts:
            doc.get(name, type=Text).insert(0, f'{name}: {SECRET}\n')
        log.append([PendingUpdate(room_id, doc.get_update(), 'p1')])
        log.compact(room_id)
        before = doc.get_state()
        doc.get(CODE, type=Text).insert(0, f'again {SECRET}\n')
        log.append([PendingUpdate(room_id, doc.get_update(before), 'p1')])  # one left uncompacted
        code = doc
    services.presence.join(interview_id, name=f'Cy {SECRET}', role='candidate')
    save_run(services.engine, new_run(run_id='run1', interview_id=interview_id, language='python',
                                      started_by='Cy', started_at=datetime.now(timezone.utc).timestamp(),
                                      output=[('stdout', f'out {SECRET}\n'), ('stderr', f'err {SECRET}\n')],
                                      duration=0.1, exit_code=0, outcome='exited', summary='s',
                                      stdin=f'in {SECRET}\n'))
    return str(code.get(CODE, type=Text))


def _file_holds(path: Path, engine) -> bool:
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        connection.execute('VACUUM')
        connection.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    files = [p for p in path.parent.glob(path.name + '*')]
    return any(SECRET.encode() in p.read_bytes() for p in files)


def _every_get(client: TestClient, router: APIRouter, interview_id: str, headers: dict) -> list[tuple[str, str]]:
    """(path, body) of every GET route of the API, with the erased interview's ids and credentials."""
    bodies = []
    assert len(router.routes) > 5
    for route in router.routes:
        if isinstance(route, APIRoute) and 'GET' in route.methods:
            ids = defaultdict(lambda: 'x', interview_id=interview_id, run_id='run1')
            path = route.path.format_map(ids)
            bodies.append((path, client.get(path, headers=headers).text))
    return bodies


def test_an_erase_leaves_the_string_nowhere_in_the_file_nor_in_any_answer(db):
    engine, path = db
    rooms = RoomRegistry(SqlUpdateLog(engine))
    presence = PresenceService(engine)
    runs = RunHubs(CodeRunner(RunnerSettings(), RunLimits()))  # never runs: the runs routes read the stored run
    services = Services(settings=Settings(), engine=engine, rooms=rooms, presence=presence, runs=runs)
    workspace = Workspace(engine, secret='s', passwords=Passwords.cheap())
    member = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=True)
    token = workspace.new_token(member)
    app, router = FastAPI(), build_router(services)
    app.include_router(router)
    with TestClient(app) as client:
        auth = {'Authorization': f'Bearer {token}'}
        created = client.post('/api/interviews', json={'title': 'T', 'candidate_name': 'Cy'}, headers=auth).json()
        iid = created['id']
        _type_everywhere(services, iid)
        headers = {**auth, 'X-Pairpad-Key': created['interviewer_key']}
        seen = [path for path, body in _every_get(client, router, iid, headers) if SECRET in body]
        assert {f'/api/interviews/{iid}', f'/api/interviews/{iid}/participants'} <= set(seen)  # the scan sees it
        assert any('/runs' in path for path in seen) or not any('/runs' in r.path for r in router.routes)
        assert _file_holds(path, engine)  # and so does the file's
        assert client.delete(f'/api/interviews/{iid}', headers=auth).status_code == 204
        assert not [path for path, body in _every_get(client, router, iid, headers) if SECRET in body]
        assert client.get(f'/api/interviews/{iid}', headers=headers).status_code == 404
    assert not _file_holds(path, engine)
    [erased] = [a for a in list_activity(engine, member.team_id) if a.action == 'erased']
    assert (erased.actor, erased.interview_id, erased.subject) == ('Ann', iid, '(erased)')

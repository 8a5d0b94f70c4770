"""The dashboard's data without a browser: the team's interviews page by page (50), searched and filtered; changes
made on one instance pushed to the dashboards of another through the relay (pages/team_events.py); the REST rules
of a claimed server (Bearer API tokens, scopes, 401s) next to an unclaimed one's."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from accounts import Passwords, Workspace
from collab import RoomRegistry, initial_update
from collab.relay import Kind, MemoryHub
from config import Settings
from pages.api import build_router
from pages.services import Services
from pages.team_events import CHANNEL, TeamEvents
from presence import PresenceService
from store import (SqlUpdateLog, create_db, create_interview, delete_interview, list_team_interviews,
                   set_interview_ended)


@pytest.fixture
def engine(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    yield engine
    engine.dispose()


def _workspace(engine) -> Workspace:
    return Workspace(engine, secret='s', passwords=Passwords.cheap())


def _make(engine, team_id, title, **fields):
    return create_interview(engine, title=title, language='python', initial_update=initial_update('python'),
                            team_id=team_id, **fields)


def test_the_team_list_pages_searches_and_filters(engine):
    ann = _workspace(engine).create_member(email='ann@example.com', name='Ann', password='a password 1',
                                           is_admin=True)
    bob = _workspace(engine).create_member(email='bob@example.com', name='Bob', password='a password 1',
                                           is_admin=False)
    made = [_make(engine, ann.team_id, f'Round {i}', created_by=(ann if i % 2 else bob).id,
                  candidate_name='Zoë 100%' if i == 7 else '') for i in range(60)]
    _make(engine, None, 'Round outside any team')
    set_interview_ended(engine, made[3].id, True)
    first, total = list_team_interviews(engine, ann.team_id)
    assert total == 60 and len(first) == 50 and first[0].id == made[-1].id  # newest first
    second, _ = list_team_interviews(engine, ann.team_id, offset=50)
    assert [i.id for i in first + second] == [i.id for i in reversed(made)]
    assert [i.id for i in list_team_interviews(engine, ann.team_id, search='zoë 100%')[0]] == [made[7].id]
    assert list_team_interviews(engine, ann.team_id, search='100_')[1] == 0  # LIKE wildcards are literal
    assert list_team_interviews(engine, ann.team_id, search='round 5')[1] == 1 + 10  # 5, 50-59
    assert list_team_interviews(engine, ann.team_id, created_by=bob.id)[1] == 30
    assert [i.id for i in list_team_interviews(engine, ann.team_id, ended=True)[0]] == [made[3].id]
    assert list_team_interviews(engine, ann.team_id, ended=False)[1] == 59


def test_changes_on_one_instance_reach_the_dashboards_of_another(tmp_path):
    url = f'sqlite:///{tmp_path / "p.db"}'
    engine_a, engine_b = create_db(url), create_db(url)  # two instances, one database
    try:
        hub = MemoryHub()
        recorded, heard = [], []
        a = TeamEvents(engine_a, hub.relay('a'), on_local=recorded.append)
        b = TeamEvents(engine_b, hub.relay('b'), on_local=recorded.append)
        team = _workspace(engine_a).create_member(email='ann@example.com', name='Ann', password='a password 1',
                                                  is_admin=True).team_id
        b.subscribe(team, lambda change: heard.append((change.kind, change.interview_id)))
        made = _make(engine_a, team, 'Pairing')
        set_interview_ended(engine_a, made.id, True)
        set_interview_ended(engine_a, made.id, False)
        delete_interview(engine_a, made.id)
        _make(engine_a, None, 'no team: no dashboard')
        assert heard == [(kind, made.id) for kind in ('created', 'ended', 'reopened', 'erased')]
        assert [c.kind for c in recorded] == ['created', 'ended', 'reopened', 'erased']  # once, by instance a
        hub.relays['a'].publish(CHANNEL + team, Kind.PRESENCE, b'{"id": "x", "kind": "exploded"}')
        hub.relays['a'].publish(CHANNEL + team, Kind.PRESENCE, b'not json')
        assert len(heard) == 4  # dropped with a warning
        a.close()
        b.close()
    finally:
        engine_a.dispose()
        engine_b.dispose()


@pytest.fixture
def api(engine):
    rooms = RoomRegistry(SqlUpdateLog(engine))
    services = Services(settings=Settings(), engine=engine, rooms=rooms, presence=PresenceService(engine), runs=None)
    app = FastAPI()
    app.include_router(build_router(services))
    with TestClient(app) as client:
        yield client, _workspace(engine)


def test_an_unclaimed_server_creates_without_a_token_a_claimed_one_only_with_one(api):
    client, workspace = api
    assert client.post('/api/interviews', json={'title': 'T'}).status_code == 201  # unclaimed: as before
    assert client.get('/api/interviews').status_code == 401  # outside one interview: always a token
    ann = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=True)
    bob = workspace.create_member(email='bob@example.com', name='Bob', password='a password 1', is_admin=False)
    ann_token, bob_token = workspace.new_token(ann), workspace.new_token(bob)
    for headers in ({}, {'Authorization': 'Bearer ppt_forged'}, {'Authorization': 'Bearer '},
                    {'Authorization': ann_token}):
        response = client.post('/api/interviews', json={'title': 'T'}, headers=headers)
        assert response.status_code == 401 and response.headers['www-authenticate'] == 'Bearer'
    created = client.post('/api/interviews', json={'title': '<b>T</b>', 'candidate_name': 'Cy'},
                          headers={'Authorization': f'Bearer {bob_token}'})
    assert created.status_code == 201
    listed = client.get('/api/interviews', headers={'Authorization': f'Bearer {ann_token}'}).json()
    assert listed['total'] == 1 and listed['interviews'][0]['candidate_name'] == 'Cy'  # the team's, not the unclaimed
    key = {'X-Pairpad-Key': created.json()['interviewer_key']}
    assert client.get(f'/api/interviews/{created.json()["id"]}', headers=key).status_code == 200  # keys still work
    assert client.get('/api/activity', headers={'Authorization': f'Bearer {bob_token}'}).status_code == 403
    activity = client.get('/api/activity', headers={'Authorization': f'Bearer {ann_token}'}).json()
    assert [(a['actor'], a['action']) for a in activity] == [('Bob', 'created')]
    workspace.set_disabled(ann, bob.id)
    assert client.get('/api/interviews', headers={'Authorization': f'Bearer {bob_token}'}).status_code == 401


def test_the_activity_log_names_who_ended_and_reopened(engine):
    """Ending and reopening are logged with the person who did it (the name they joined the room with, or the REST
    API): the log is where an administrator looks to see who did what."""
    from main import record_change
    from store import watch_interviews
    from store.accounts import list_activity
    workspace = _workspace(engine)
    ann = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=True)
    made = _make(engine, ann.team_id, 'Pairing')
    stop = watch_interviews(engine, lambda change: record_change(workspace, change))
    set_interview_ended(engine, made.id, True, by='Ada <b>L</b>')
    set_interview_ended(engine, made.id, False, by='the interviewer link (REST API)')
    set_interview_ended(engine, made.id, True)  # nobody said who
    stop()
    assert [(a.actor, a.action, a.subject) for a in reversed(list_activity(engine, ann.team_id))] == [
        ('Ada <b>L</b>', 'ended', 'Pairing'), ('the interviewer link (REST API)', 'reopened', 'Pairing'),
        ('an interviewer', 'ended', 'Pairing')]

"""An interview created with a question (issue 15 §2, "at creation"): POST /api/interviews with one of the team's
question ids (pages/services.new_interview, the dashboard form's use case too) starts with that question picked and
its starter for the interview's language as the document, or the language's template when it has none; an unknown
id and another team's answer the same 422, which names nothing of the other team's library, and create nothing."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from accounts import Member, Passwords, Workspace
from collab import RoomRegistry
from config import Settings
from languages import LANGUAGES
from pages.api import build_router
from pages.services import Services, new_interview
from pages.test_runs import current_question
from presence import PresenceService
from store import SqlUpdateLog, Team, create_db, interview_question, list_team_interviews
from store import accounts as rows

STARTER = 'n = int(input())\n# your code\n'


@pytest.fixture
def services(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    yield Services(settings=Settings(), engine=engine, rooms=RoomRegistry(SqlUpdateLog(engine)),
                   presence=PresenceService(engine), runs=None)
    engine.dispose()


@pytest.fixture
def api(services):
    app = FastAPI()
    app.include_router(build_router(services))
    with TestClient(app) as client:
        yield client


def _token(services, team_id: str, email: str, name: str) -> dict:
    workspace = Workspace(services.engine, secret='s', passwords=Passwords.cheap())
    if team_id == 'first':
        member = workspace.create_member(email=email, name=name, password='a password 1', is_admin=False)
    else:
        with Session(services.engine) as session:
            session.add(Team(id=team_id, name=team_id))
            session.commit()
        member = Member.of(rows.create_account(services.engine, team_id=team_id, email=email, name=name,
                                               password_hash=None, is_admin=False))
    return {'Authorization': f'Bearer {workspace.new_token(member)}'}


def _question(slug: str, title: str) -> dict:
    return {'slug': slug, 'title': title, 'prompt': f'# {title}', 'difficulty': 'easy', 'starters': {'python': STARTER},
            'tests': [{'name': 'one', 'stdin': '1\n', 'expected': '2\n'}]}


def _code(api, created: dict) -> str:
    answer = api.get(f'/api/interviews/{created["id"]}', headers={'X-Pairpad-Key': created['interviewer_key']})
    return answer.json()['code']


def test_an_interview_created_with_a_question_starts_with_it_and_its_starter(api, services):
    ann = _token(services, 'first', 'ann@example.com', 'Ann')
    qid = api.post('/api/questions', json=_question('double', 'Double it'), headers=ann).json()['id']
    created = api.post('/api/interviews', json={'title': 'T', 'language': 'python', 'question_id': qid}, headers=ann)
    assert created.status_code == 201, created.text
    created = created.json()
    assert _code(api, created) == STARTER
    question = current_question(services, created['id'])
    assert question.slug == 'double' and question.tests[0].expected == '2\n'
    assert interview_question(services.engine, created['id']).picked_by == 'Ann'

    java = api.post('/api/interviews', json={'title': 'T', 'language': 'java', 'question_id': qid},
                    headers=ann).json()
    assert _code(api, java) == LANGUAGES['java'].template  # no Java starter: the language's template
    assert current_question(services, java['id']).slug == 'double'
    plain = api.post('/api/interviews', json={'title': 'T', 'language': 'python'}, headers=ann).json()
    assert _code(api, plain) == LANGUAGES['python'].template and current_question(services, plain['id']) is None


def test_an_unknown_or_another_teams_question_is_refused_alike_and_creates_nothing(api, services):
    ann = _token(services, 'first', 'ann@example.com', 'Ann')
    zed = _token(services, 'other-team', 'zed@example.com', 'Zed')
    theirs = api.post('/api/questions', json=_question('secret-slug', 'Their secret title'), headers=zed).json()['id']
    answers = [api.post('/api/interviews', json={'title': 'T', 'question_id': qid}, headers=ann)
               for qid in (theirs, 'unknown-id')]
    assert {(a.status_code, a.json()['detail']) for a in answers} == {
        (422, "question_id: no question with this id in the team's library")}
    too_long = api.post('/api/interviews', json={'title': 'T', 'question_id': 'x' * 33}, headers=ann)
    not_text = api.post('/api/interviews', json={'title': 'T', 'question_id': 7}, headers=ann)
    assert too_long.status_code == not_text.status_code == 422
    for answer in (*answers, too_long, not_text):
        assert 'secret' not in answer.text.lower()
    for team_id in ('other-team', rows.first_team_id(services.engine)):
        assert list_team_interviews(services.engine, team_id)[1] == 0  # no interview was made


def test_the_use_case_refuses_a_question_of_another_team_for_the_dashboard_too(services):
    with pytest.raises(ValueError, match="no question with this id in the team's library"):
        new_interview(services, 'T', 'python', team_id='nobody', question_id='unknown')

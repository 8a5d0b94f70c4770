"""The question library over REST (issue 15 §1), on a FastAPI app of its own: CRUD with a member's API token, team
scoping (another team's id answers like an unknown one), slug conflicts, an error per field, all-or-nothing
imports with every problem listed, oversized files refused without being read whole, export round trips, samples
added once; an unclaimed server answers 401; reference solutions checked against every case (real sandbox)."""

import asyncio
import json

import pytest
import yaml
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from sqlmodel import Session

from accounts import Member, Passwords, Workspace
from collab import RoomRegistry
from config import Settings
from pages.api import build_router
from pages.question_library import add_samples, check_solutions
from pages.questions_api import read_body
from pages.services import Services
from presence import PresenceService
from questions import Question, read_questions, sample_questions
from questions.files import MAX_FILE_BYTES
from runner import CodeRunner, RunLimits, RunnerSettings
from store import SqlUpdateLog, Team, create_db, list_questions
from store import accounts as rows
from store.accounts import first_team_id


@pytest.fixture
def engine(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    yield engine
    engine.dispose()


@pytest.fixture
def api(engine):
    services = Services(settings=Settings(), engine=engine, rooms=RoomRegistry(SqlUpdateLog(engine)),
                        presence=PresenceService(engine), runs=None)
    app = FastAPI()
    app.include_router(build_router(services))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def ann(engine):
    """The headers of a member of a claimed server (an API token made as `pairpad users create --token` does)."""
    workspace = Workspace(engine, secret='s', passwords=Passwords.cheap())
    member = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=False)
    return {'Authorization': f'Bearer {workspace.new_token(member)}'}


def _other_team(engine) -> tuple[str, dict]:
    """A member of a second team (servers have one team today; the store and the routes must not care)."""
    with Session(engine) as session:
        session.add(Team(id='other-team', name='Other'))
        session.commit()
    account = rows.create_account(engine, team_id='other-team', email='zed@example.com', name='Zed',
                                  password_hash=None, is_admin=False)
    workspace = Workspace(engine, secret='s', passwords=Passwords.cheap())
    return 'other-team', {'Authorization': f'Bearer {workspace.new_token(Member.of(account))}'}


def _question(slug: str = 'fizz', **fields) -> dict:
    return {'slug': slug, 'title': 'Fizz', 'prompt': '# Fizz\nPrint *fizz*.', 'difficulty': 'easy',
            'tags': ['loops'], 'starters': {'python': 'print()'},
            'tests': [{'name': 'one', 'stdin': '1\n', 'expected': '1\n'},
                      {'name': 'secret', 'stdin': '3\n', 'expected': 'fizz\n', 'hidden': True, 'weight': 2}],
            'guide': {'hints': ['modulo'], 'solutions': {'python': 'print(1)'}, 'criteria': ['clarity']}, **fields}


def test_create_read_list_replace_delete(api, ann):
    created = api.post('/api/questions', json=_question(), headers=ann)
    assert created.status_code == 201, created.text
    stored = created.json()
    assert stored['updated_by'] == 'Ann' and stored['question'] == Question.model_validate(_question()).model_dump()
    qid = stored['id']
    assert api.get(f'/api/questions/{qid}', headers=ann).json()['question']['title'] == 'Fizz'
    listed = api.get('/api/questions', headers=ann).json()
    assert listed == [{'id': qid, 'slug': 'fizz', 'title': 'Fizz', 'difficulty': 'easy', 'tags': ['loops'],
                       'visible_tests': 1, 'hidden_tests': 1, 'languages': ['python'], 'updated_by': 'Ann'}]
    replaced = api.put(f'/api/questions/{qid}', json=_question(title='Fizz <b>buzz</b>', difficulty='hard'),
                       headers=ann)
    assert replaced.status_code == 200 and replaced.json()['id'] == qid
    assert [q['title'] for q in api.get('/api/questions', params={'search': 'BUZZ'}, headers=ann).json()] == \
        ['Fizz <b>buzz</b>']
    assert api.get('/api/questions', params={'search': 'nothing'}, headers=ann).json() == []
    assert api.get('/api/questions', params={'difficulty': 'easy'}, headers=ann).json() == []
    assert len(api.get('/api/questions', params={'tag': 'loops'}, headers=ann).json()) == 1
    assert api.delete(f'/api/questions/{qid}', headers=ann).status_code == 204
    assert api.get(f'/api/questions/{qid}', headers=ann).status_code == 404
    assert api.delete(f'/api/questions/{qid}', headers=ann).status_code == 404


def test_another_teams_question_is_not_found_like_an_unknown_one(api, ann, engine):
    _, zed = _other_team(engine)
    theirs = api.post('/api/questions', json=_question(), headers=zed).json()['id']
    assert api.post('/api/questions', json=_question(), headers=ann).status_code == 201  # their slug is free here
    for method in ('GET', 'PUT', 'DELETE'):
        answers = [api.request(method, f'/api/questions/{qid}', headers=ann,
                               json=_question('other') if method == 'PUT' else None)
                   for qid in (theirs, 'unknown-id', 'x' * 500)]
        assert {(a.status_code, a.text) for a in answers} == {(404, '{"detail":"no question with this id"}')}
    assert api.get('/api/questions/export', params={'id': theirs}, headers=ann).status_code == 404
    assert [q['id'] for q in api.get('/api/questions', headers=zed).json()] == [theirs]
    assert api.get(f'/api/questions/{theirs}', headers=zed).json()['question']['slug'] == 'fizz'  # untouched


def test_a_taken_slug_is_a_conflict(api, ann):
    first = api.post('/api/questions', json=_question(), headers=ann).json()['id']
    assert api.post('/api/questions', json=_question(title='Again'), headers=ann).status_code == 409
    other = api.post('/api/questions', json=_question('buzz'), headers=ann).json()['id']
    conflict = api.put(f'/api/questions/{other}', json=_question('fizz'), headers=ann)
    assert conflict.status_code == 409 and 'fizz' in conflict.json()['detail']
    assert api.get(f'/api/questions/{first}', headers=ann).json()['question']['title'] == 'Fizz'


def test_an_invalid_question_gets_an_error_per_field(api, ann):
    bad = _question('Not A Slug', title='', difficulty='impossible', tags=['a,b'],
                    starters={'cobol': 'x'}, tests=[{'name': 'one', 'expected': 1, 'weight': 0, 'extra': True}])
    answer = api.post('/api/questions', json=bad, headers=ann)
    assert answer.status_code == 422
    fields = {error['field'] for error in answer.json()['errors']}
    assert fields == {'slug', 'title', 'difficulty', 'starters', 'tests.0.expected', 'tests.0.weight',
                      'tests.0.extra'}, answer.json()
    assert 'cobol' in next(e['message'] for e in answer.json()['errors'] if e['field'] == 'starters')
    comma = api.post('/api/questions', json=_question(tags=['a,b']), headers=ann)
    assert comma.status_code == 422 and comma.json()['errors'] == [
        {'field': 'tags.0', 'message': 'a tag cannot contain a comma'}]
    for body in (b'not json', b'[1, 2]', b'"x"'):
        refused = api.post('/api/questions', content=body, headers={**ann, 'Content-Type': 'application/json'})
        assert refused.status_code == 422 and refused.json()['errors'][0]['field'] == ''
    assert api.get('/api/questions', headers=ann).json() == []


def test_a_library_imports_whole_and_an_invalid_one_imports_nothing(api, ann, engine):
    library = {'questions': [_question('a'), _question('b', title='Bee')]}
    imported = api.post('/api/questions/import', content=yaml.safe_dump(library),
                        headers={**ann, 'Content-Type': 'application/yaml'})
    assert imported.status_code == 201 and imported.json() == {'created': ['a', 'b'], 'replaced': [], 'skipped': []}

    broken = {'questions': [_question('c'), _question('d', tests=[{'name': 'x'}]), _question('e', difficulty='?'),
                            _question('f', starters={'klingon': ''})]}
    refused = api.post('/api/questions/import', json=broken, headers=ann)
    assert refused.status_code == 422
    assert [e['field'] for e in refused.json()['errors']] == [
        'questions.1.tests.0.expected', 'questions.2.difficulty', 'questions.3.starters']
    assert sorted(q['slug'] for q in api.get('/api/questions', headers=ann).json()) == ['a', 'b']  # nothing of c

    again = {'questions': [_question('c'), _question('a', title='New A')]}
    conflict = api.post('/api/questions/import', json=again, headers=ann)
    assert conflict.status_code == 409 and "'a'" not in conflict.json()['detail'] and 'a' in conflict.json()['detail']
    assert sorted(q['slug'] for q in api.get('/api/questions', headers=ann).json()) == ['a', 'b']  # not even c
    replaced = api.post('/api/questions/import', json=again, params={'on_taken': 'replace'}, headers=ann).json()
    assert replaced == {'created': ['c'], 'replaced': ['a'], 'skipped': []}
    assert 'New A' in [q['title'] for q in api.get('/api/questions', headers=ann).json()]
    one = api.post('/api/questions/import', content=json.dumps(_question('g')), params={'format': 'json'},
                   headers=ann)
    assert one.json()['created'] == ['g']  # a single question is a file too
    bad_yaml = api.post('/api/questions/import', content=b'slug: [unclosed', headers=ann)
    assert bad_yaml.status_code == 422 and 'not valid YAML at line 1' in bad_yaml.json()['errors'][0]['message']


def test_ten_thousand_cases_and_a_hundred_megabytes_are_refused(api, ann):
    many = _question('many', tests=[{'name': f'case {i}', 'expected': ''} for i in range(10_000)])
    refused = api.post('/api/questions/import', json=many, headers=ann)
    assert refused.status_code == 422
    assert refused.json()['errors'] == [{'field': 'tests', 'message': 'List should have at most 100 items after '
                                                                       'validation, not 10000'}]
    assert api.post('/api/questions', json=many, headers=ann).status_code == 422

    over = json.dumps(_question('big', tests=[{'name': 'big', 'stdin': 'x' * MAX_FILE_BYTES, 'expected': ''}]))
    too_big = api.post('/api/questions/import', content=over, headers=ann)
    assert too_big.status_code == 413 and str(MAX_FILE_BYTES) in too_big.json()['detail']
    assert api.post('/api/questions', content=over, headers={**ann, 'Content-Type': 'application/json'}) \
        .status_code == 413

    received = []

    async def hundred_megabytes():  # streamed without a length: refused once past the limit, never read whole
        received.append(1)
        return {'type': 'http.request', 'body': b'x' * (1024 * 1024), 'more_body': len(received) < 100}

    request = Request({'type': 'http', 'method': 'POST', 'headers': [], 'path': '/'}, hundred_megabytes)
    with pytest.raises(HTTPException) as refusal:
        asyncio.run(read_body(request))
    assert refusal.value.status_code == 413 and len(received) == MAX_FILE_BYTES // (1024 * 1024) + 1
    declared = api.post('/api/questions/import', content=b'{}', headers={**ann, 'Content-Length': str(100 << 20)})
    assert declared.status_code == 413
    assert api.get('/api/questions', headers=ann).json() == []


def test_export_reads_back_equal(api, ann):
    for question in (_question('a', prompt='Line one\nline two  \n'), _question('b', title='Bee: "quoted"')):
        api.post('/api/questions', json=question, headers=ann)
    before = [api.get(f'/api/questions/{q["id"]}', headers=ann).json()['question']
              for q in api.get('/api/questions', headers=ann).json()]
    for format in ('yaml', 'json'):
        exported = api.get('/api/questions/export', params={'format': format}, headers=ann)
        assert exported.status_code == 200 and format in exported.headers['content-type']
        assert exported.headers['content-disposition'] == f'attachment; filename="questions.{format}"'
        assert [q.model_dump() for q in read_questions(exported.content, format)] == before
    listed = {q['slug']: q['id'] for q in api.get('/api/questions', headers=ann).json()}
    single = api.get('/api/questions/export', params={'id': listed['a'], 'format': 'json'}, headers=ann).json()
    assert single == next(q for q in before if q['slug'] == 'a')
    # an export imported into an empty library is the same library
    library = api.get('/api/questions/export', headers=ann).content
    for qid in listed.values():
        api.delete(f'/api/questions/{qid}', headers=ann)
    assert api.post('/api/questions/import', content=library, headers=ann).status_code == 201
    assert [api.get(f'/api/questions/{q["id"]}', headers=ann).json()['question']
            for q in api.get('/api/questions', headers=ann).json()] == before


def test_the_samples_are_added_once(api, ann, engine):
    team = first_team_id(engine)
    api.post('/api/questions', json=_question('fizzbuzz', title='Our own FizzBuzz'), headers=ann)
    first = add_samples(engine, team, 'Ann')
    slugs = sorted(q.slug for q in sample_questions())
    assert sorted(first.created) == sorted(set(slugs) - {'fizzbuzz'}) and first.skipped == ['fizzbuzz']
    second = add_samples(engine, team, 'Ann')
    assert second.created == [] and sorted(second.skipped) == slugs
    assert sorted(row.slug for row in list_questions(engine, team)) == slugs
    assert 'Our own FizzBuzz' in [row.title for row in list_questions(engine, team)]  # the team's own kept


def test_an_unclaimed_server_and_bad_tokens_get_401(api, engine):
    calls = [('GET', '/api/questions'), ('POST', '/api/questions'), ('GET', '/api/questions/x'),
             ('PUT', '/api/questions/x'), ('DELETE', '/api/questions/x'), ('POST', '/api/questions/import'),
             ('GET', '/api/questions/export')]
    for method, path in calls:
        answer = api.request(method, path, json=_question())
        assert answer.status_code == 401 and answer.headers['www-authenticate'] == 'Bearer', (method, path)
    workspace = Workspace(engine, secret='s', passwords=Passwords.cheap())
    member = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=False)
    token = workspace.new_token(member)
    for headers in ({}, {'Authorization': 'Bearer ppt_forged'}, {'Authorization': token}):
        assert api.get('/api/questions', headers=headers).status_code == 401
    assert api.get('/api/questions', headers={'Authorization': f'Bearer {token}'}).status_code == 200
    workspace.set_disabled(workspace.create_member(email='root@example.com', name='Root', password='a password 1',
                                                   is_admin=True), member.id)
    assert api.get('/api/questions', headers={'Authorization': f'Bearer {token}'}).status_code == 401


async def test_checking_the_reference_solutions_runs_each_against_every_case():
    question = Question.model_validate(_question(
        'echo', tests=[{'name': 'echoes', 'stdin': 'hi\n', 'expected': 'hi\n'},
                       {'name': 'wrong on purpose', 'stdin': 'a\n', 'expected': 'b\n', 'hidden': True}],
        guide={'solutions': {'python': 'print(input())'}}))
    assert await check_solutions(None, question) == [('python', 'running code is off on this server')]
    runner = CodeRunner(RunnerSettings(max_concurrent=2), RunLimits(cpu_seconds=5, wall_seconds=30))
    if runner.mode != 'sandbox' or 'python' not in runner.languages:
        pytest.skip(f'no sandbox with Python here: {runner.status}')
    checked = dict(await check_solutions(runner, question))
    assert [(case.name, case.passed) for case in checked['python'].cases] == [('echoes', True),
                                                                             ('wrong on purpose', False)]
    assert checked['python'].cases[1].reason == 'wrong answer (line 1 differs)'

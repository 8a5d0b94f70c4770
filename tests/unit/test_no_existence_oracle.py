"""Without valid credentials the API must not tell an existing interview from an unknown one.

The routes come from the app's own OpenAPI schema, so a route added later is walked without touching this file.
Each one is called for an existing interview and for an unknown id with the same missing or wrong credentials and
the same body; the two answers must be the same to the byte. The last test proves the walk catches a leak.
"""

import secrets

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from collab import RoomRegistry
from config import Settings
from pages.api import build_router
from pages.services import Services, find_interview
from presence import PresenceService
from store import SqlUpdateLog, create_db

WRONG = secrets.token_urlsafe(16)  # shaped like a real key, matches none
RUN_ID = secrets.token_hex(6)  # shaped like a run id (runs' own routes are walked too)


@pytest.fixture
def services(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    rooms = RoomRegistry(SqlUpdateLog(engine))
    presence = PresenceService(engine, lines=lambda iid: (room := rooms.loaded(iid)) and room.lines)
    return Services(settings=Settings(), engine=engine, rooms=rooms, presence=presence, runs=None)


def _app(services: Services) -> FastAPI:
    app = FastAPI()
    app.include_router(build_router(services))
    return app


def _interview(client: TestClient, headers: dict | None = None) -> tuple[dict, dict, str]:
    """An interview with an interviewer and a candidate who joined: its links, the interviewer, their token.
    `headers`: a member's, on a claimed server."""
    created = client.post('/api/interviews', json={'title': 'Secret title', 'language': 'python'},
                          headers=headers or {}).json()
    joined = client.post(f'/api/interviews/{created["id"]}/participants', json={'name': 'Ivan'},
                         headers={'X-Pairpad-Key': created['interviewer_key']}).json()
    client.post(f'/api/interviews/{created["id"]}/participants', json={'name': 'Cara'},
                headers={'X-Pairpad-Key': created['candidate_key']})
    return created, joined['participant'], joined['token']


def _credentials(other: dict, other_token: str) -> dict[str, tuple[dict, dict]]:
    """Missing or wrong credentials, each as (headers, query); `other` is a second interview the caller may hold."""
    return {
        'none': ({}, {}),
        'wrong key header': ({'X-Pairpad-Key': WRONG}, {}),
        'wrong key query': ({}, {'key': WRONG}),
        'empty key header': ({'X-Pairpad-Key': ''}, {}),
        'another interview\'s key': ({'X-Pairpad-Key': other['interviewer_key']}, {}),
        'wrong bearer token': ({'Authorization': f'Bearer {WRONG}'}, {}),
        'bare bearer': ({'Authorization': 'Bearer'}, {}),
        'another interview\'s token': ({'Authorization': f'Bearer {other_token}'}, {}),
        'wrong token and wrong key': ({'Authorization': f'Bearer {WRONG}', 'X-Pairpad-Key': WRONG}, {}),
    }


def _example(schema: dict, components: dict) -> object:
    """A plausible valid value for a JSON schema: its example, first enum value, first non-null choice; objects
    get every property, so a body exercises as much of the route as it can."""
    if '$ref' in schema:
        return _example(components[schema['$ref'].rsplit('/', 1)[-1]], components)
    if schema.get('examples'):
        return schema['examples'][0]
    if 'enum' in schema:
        return schema['enum'][0]
    if 'const' in schema:
        return schema['const']
    for choice in ('anyOf', 'oneOf', 'allOf'):
        if choice in schema:
            return _example(next(s for s in schema[choice] if s.get('type') != 'null'), components)
    kind = schema.get('type')
    if kind == 'object':
        return {name: _example(prop, components) for name, prop in schema.get('properties', {}).items()}
    if kind == 'array':
        return [_example(schema.get('items', {}), components)]
    return {'string': 'x', 'integer': max(1, schema.get('minimum', 1)), 'number': 1, 'boolean': True}.get(kind)


def _calls(app: FastAPI, placeholder: str = '{interview_id}') -> list[tuple[str, str, object]]:
    """(method, path template, body or None) of every operation on an interview (or on what `placeholder` names),
    from the OpenAPI schema; a route with a body is called with a valid one and with one of the wrong shape."""
    schema = app.openapi()
    components = schema.get('components', {}).get('schemas', {})
    calls = []
    for path, operations in schema['paths'].items():
        if placeholder not in path:
            continue
        for method, operation in operations.items():
            body = operation.get('requestBody', {}).get('content', {}).get('application/json')
            if body is None:
                calls.append((method.upper(), path, None))
            else:
                calls += [(method.upper(), path, _example(body['schema'], components)), (method.upper(), path, [1])]
    return calls


def _answer(client: TestClient, method: str, path: str, body: object, headers: dict, query: dict) -> tuple:
    response = client.request(method, path, json=body, headers=headers, params=query)
    return response.status_code, response.headers.get('content-type'), response.content


def existence_leaks(client: TestClient, app: FastAPI, known: str, unknown: str, participant_id: str,
                    credentials: dict[str, tuple[dict, dict]]) -> list[str]:
    """Every (route, credentials, body) whose answer differs between the known and the unknown interview id."""
    leaks = []
    for method, template, body in _calls(app):
        for label, (headers, query) in credentials.items():
            paths = [template.format(interview_id=iid, participant_id=participant_id, run_id=RUN_ID)
                     for iid in (known, unknown)]
            answers = [_answer(client, method, path, body, headers, query) for path in paths]
            if answers[0] != answers[1]:
                leaks.append(f'{method} {template} with {label} and body {body!r}: {answers[0]} != {answers[1]}')
    return leaks


def test_no_route_tells_an_existing_interview_from_an_unknown_one_without_credentials(services):
    app = _app(services)
    with TestClient(app) as client:
        created, ivan, _ = _interview(client)
        other, _, other_token = _interview(client)
        before = client.get(f'/api/interviews/{created["id"]}', headers={'X-Pairpad-Key': created['interviewer_key']})
        people = client.get(f'/api/interviews/{created["id"]}/participants',
                            headers={'X-Pairpad-Key': created['interviewer_key']}).json()
        credentials = _credentials(other, other_token)
        calls = _calls(app)
        assert {(m, p) for m, p, _ in calls} >= {  # the walk found the routes the README lists, and maybe more
            ('GET', '/api/interviews/{interview_id}'), ('DELETE', '/api/interviews/{interview_id}'),
            ('POST', '/api/interviews/{interview_id}/end'), ('POST', '/api/interviews/{interview_id}/reopen'),
            ('GET', '/api/interviews/{interview_id}/participants'),
            ('POST', '/api/interviews/{interview_id}/participants'),
            ('PATCH', '/api/interviews/{interview_id}/participants/{participant_id}'),
            ('POST', '/api/interviews/{interview_id}/runs'), ('GET', '/api/interviews/{interview_id}/runs'),
            ('GET', '/api/interviews/{interview_id}/runs/{run_id}')}

        assert existence_leaks(client, app, created['id'], secrets.token_urlsafe(9), ivan['id'], credentials) == []
        odd = ('nope', 'x' * 33, "' OR 1=1 --", '%2E%2E', 'ü' * 12,  # short, too long, hostile
               created['id'].upper(), created['id'][:-1], created['id'] + ' ')  # near misses of the real id
        some = {label: credentials[label] for label in ('none', 'wrong key query', 'wrong bearer token')}
        for unknown in odd:
            assert existence_leaks(client, app, created['id'], unknown, ivan['id'], some) == [], unknown

        after = client.get(f'/api/interviews/{created["id"]}', headers={'X-Pairpad-Key': created['interviewer_key']})
        assert after.json() == before.json()  # nothing was ended, deleted or renamed by a refused call
        assert client.get(f'/api/interviews/{created["id"]}/participants',
                          headers={'X-Pairpad-Key': created['interviewer_key']}).json() == people


def test_every_refusal_is_the_same_404_without_the_title(services):
    app = _app(services)
    with TestClient(app) as client:
        created, ivan, _ = _interview(client)
        other, _, other_token = _interview(client)
        for method, template, body in _calls(app):
            if body == [1]:
                continue  # a wrong shape is a 422, the same for every id (the walk above compares it)
            for label, (headers, query) in _credentials(other, other_token).items():
                path = template.format(interview_id=created['id'], participant_id=ivan['id'], run_id=RUN_ID)
                response = client.request(method, path, json=body, headers=headers, params=query)
                refusal = (response.status_code, response.json())
                assert refusal == (404, {'detail': 'no interview with this id and key'}), f'{method} {template} {label}'


def test_valid_credentials_still_get_specific_answers(services):
    """The refusal only stands in for "no valid credentials": a caller who holds one is told what is wrong."""
    with TestClient(_app(services)) as client:
        created, ivan, ivan_token = _interview(client)
        iid = created['id']
        cara = client.post(f'/api/interviews/{iid}/participants', json={'name': 'Cara'},
                           headers={'X-Pairpad-Key': created['candidate_key']}).json()
        as_cara = {'Authorization': f'Bearer {cara["token"]}'}
        assert client.post(f'/api/interviews/{iid}/end', headers=as_cara).status_code == 403
        assert client.post(f'/api/interviews/{iid}/end', params={'key': created['candidate_key']}).status_code == 403
        patched = client.patch(f'/api/interviews/{iid}/participants/{ivan["id"]}', headers=as_cara,
                               json={'status': 'away'})
        assert patched.status_code == 403 and 'your own participant' in patched.json()['detail']
        nobody = client.patch(f'/api/interviews/{iid}/participants/nobody', headers=as_cara, json={'status': 'away'})
        assert nobody.status_code == 404 and "participant 'nobody' is not in this interview" in nobody.json()['detail']
        # either interviewer credential is enough, whatever comes with it
        assert client.post(f'/api/interviews/{iid}/end', params={'key': created['interviewer_key']}).status_code == 204
        assert client.post(f'/api/interviews/{iid}/reopen', headers={
            'Authorization': f'Bearer {WRONG}', 'X-Pairpad-Key': created['interviewer_key']}).status_code == 204
        assert client.post(f'/api/interviews/{iid}/end', headers={
            **as_cara, 'X-Pairpad-Key': created['interviewer_key']}).status_code == 204
        as_ivan = {'Authorization': f'Bearer {ivan_token}'}
        assert client.delete(f'/api/interviews/{iid}', headers=as_ivan).status_code == 204


def test_the_walk_catches_a_route_that_leaks(services):
    """A route added to the app is walked without being named, and one that answers an existing interview
    differently (here 401 against 404, the old leak of the interviewer-only routes) is reported."""
    app = _app(services)

    @app.post('/api/interviews/{interview_id}/leak', status_code=204)
    async def leak(interview_id: str) -> None:
        status = 401 if find_interview(services, interview_id) else 404
        raise HTTPException(status_code=status, detail='refused')

    with TestClient(app) as client:
        created, ivan, _ = _interview(client)
        other, _, other_token = _interview(client)
        leaks = existence_leaks(client, app, created['id'], secrets.token_urlsafe(9), ivan['id'],
                                _credentials(other, other_token))
    assert leaks and all(leak.startswith('POST /api/interviews/{interview_id}/leak ') for leak in leaks)
    assert len(leaks) == len(_credentials(other, other_token))


def test_no_question_route_tells_a_teams_question_from_an_unknown_one_without_that_teams_token(services):
    """The question library's routes (members' bearer tokens, issue 15) walked the same way: without a token of
    the question's team, an existing question's id and an unknown one get the same answer, and nothing changes."""
    from sqlmodel import Session

    from accounts import Member, Passwords, Workspace
    from store import Team
    from store import accounts as rows

    workspace = Workspace(services.engine, secret='s', passwords=Passwords.cheap())
    ann = workspace.create_member(email='ann@example.com', name='Ann', password='a password 1', is_admin=False)
    as_ann = {'Authorization': f'Bearer {workspace.new_token(ann)}'}
    with Session(services.engine) as session:
        session.add(Team(id='other-team', name='Other'))
        session.commit()
    zed = rows.create_account(services.engine, team_id='other-team', email='zed@example.com', name='Zed',
                              password_hash=None, is_admin=False)
    as_zed = {'Authorization': f'Bearer {workspace.new_token(Member.of(zed))}'}
    app = _app(services)
    with TestClient(app) as client:
        interview, _, interview_token = _interview(client, as_ann)
        question = {'slug': 'fizz', 'title': 'Fizz', 'prompt': 'Print fizz.', 'difficulty': 'easy',
                    'starters': {'python': 'print()'}, 'tests': [{'name': 'one', 'stdin': '1', 'expected': '1'}]}
        created = client.post('/api/questions', json=question, headers=as_ann)
        assert created.status_code == 201, created.text
        known = created.json()['id']
        credentials = {
            'none': ({}, {}),
            'wrong bearer token': ({'Authorization': f'Bearer {WRONG}'}, {}),
            'bare bearer': ({'Authorization': 'Bearer'}, {}),
            'another team\'s member': (as_zed, {}),
            'an interview\'s participant token': ({'Authorization': f'Bearer {interview_token}'}, {}),
            'an interview\'s key': ({'X-Pairpad-Key': interview['interviewer_key']}, {'key': interview['interviewer_key']}),
        }
        calls = _calls(app, '{question_id}')
        assert {(m, p) for m, p, _ in calls} >= {('GET', '/api/questions/{question_id}'),
                                                  ('PUT', '/api/questions/{question_id}'),
                                                  ('DELETE', '/api/questions/{question_id}')}
        leaks = []
        for method, template, body in calls:
            for label, (headers, query) in credentials.items():
                answers = [_answer(client, method, template.format(question_id=qid), body, headers, query)
                           for qid in (known, secrets.token_hex(8))]
                if answers[0] != answers[1]:
                    leaks.append(f'{method} {template} with {label}: {answers[0]} != {answers[1]}')
        assert leaks == []
        after = client.get(f'/api/questions/{known}', headers=as_ann)
        assert after.status_code == 200 and after.json() == created.json()  # no refused call changed or deleted it

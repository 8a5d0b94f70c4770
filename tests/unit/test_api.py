"""The REST API on a FastAPI app of its own (no browser, no NiceGUI page machinery)."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from collab import RoomRegistry
from config import Settings
from languages import LANGUAGES
from pages.api import build_router
from pages.services import Services
from presence import PresenceService
from presence.cursor import split_lines_of
from store import SqlUpdateLog, create_db


@pytest.fixture
def api(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    rooms = RoomRegistry(SqlUpdateLog(engine))
    presence = PresenceService(engine, lines=lambda iid: (room := rooms.loaded(iid)) and room.lines)
    services = Services(settings=Settings(), engine=engine, rooms=rooms, presence=presence, runs=None)
    app = FastAPI()
    app.include_router(build_router(services))
    with TestClient(app) as client:
        yield client, services


def _interview(client, **body) -> dict:
    response = client.post('/api/interviews', json={'title': 'T', 'language': 'python', **body})
    assert response.status_code == 201, response.text
    return response.json()


def _key(created: dict, role: str = 'interviewer') -> dict:
    return {'X-Pairpad-Key': created[f'{role}_key']}


def test_create_and_read_an_interview(api):
    client, _ = api
    created = _interview(client, title='Pairing <i>round</i>', language='rust')
    iid = created['id']
    assert created['interviewer_url'] == f'http://testserver/room/{iid}?key={created["interviewer_key"]}'
    assert created['candidate_url'] == f'http://testserver/room/{iid}?key={created["candidate_key"]}'
    state = client.get(f'/api/interviews/{iid}', headers=_key(created, 'candidate')).json()
    assert state == {'id': iid, 'title': 'Pairing <i>round</i>', 'language': 'rust', 'code': LANGUAGES['rust'].template,
                     'participants': 0, 'ended': False, 'role': 'candidate', 'links': None}
    as_interviewer = client.get(f'/api/interviews/{iid}?key={created["interviewer_key"]}').json()
    assert as_interviewer['role'] == 'interviewer'
    assert as_interviewer['links']['candidate_url'] == created['candidate_url']


def test_private_links_hold_128_bit_keys_of_their_own(api):
    client, _ = api
    created = [_interview(client) for _ in range(20)]
    keys = [c[f'{role}_key'] for c in created for role in ('interviewer', 'candidate')]
    assert len(set(keys)) == 40 and all(len(k) >= 22 for k in keys)  # token_urlsafe(16): 128 bits


@pytest.mark.parametrize('key', [None, '', 'x', 'A' * 22, 'A' * 5000, '../etc', "' OR 1=1 --"])
def test_without_a_valid_key_an_interview_is_not_found_like_an_unknown_one(api, key):
    client, _ = api
    created = _interview(client)
    other = _interview(client)
    headers = {} if key is None else {'X-Pairpad-Key': key}
    refusals = [client.get(f'/api/interviews/{created["id"]}', headers=headers),
                client.get(f'/api/interviews/{created["id"]}/participants', headers=headers),
                client.post(f'/api/interviews/{created["id"]}/participants', headers=headers, json={'name': 'X'}),
                client.get(f'/api/interviews/{created["id"]}', headers=_key(other)),  # another interview's key
                client.get('/api/interviews/nope', headers=headers)]
    assert {(r.status_code, r.json()['detail']) for r in refusals} == {(404, 'no interview with this id and key')}
    assert 'T' not in str([r.json() for r in refusals])


def test_the_role_comes_from_the_key(api):
    client, _ = api
    created = _interview(client)
    iid = created['id']
    joined = client.post(f'/api/interviews/{iid}/participants', headers=_key(created, 'candidate'),
                         json={'name': 'Cara'}).json()
    assert joined['participant']['role'] == 'candidate'
    escalate = client.post(f'/api/interviews/{iid}/participants', headers=_key(created, 'candidate'),
                           json={'name': 'Cara', 'role': 'interviewer'})
    assert escalate.status_code == 403 and 'joins as candidate' in escalate.json()['detail']
    ivan = client.post(f'/api/interviews/{iid}/participants', headers=_key(created), json={'name': 'Ivan'}).json()
    assert ivan['participant']['role'] == 'interviewer'
    assert client.post(f'/api/interviews/{iid}/end', headers=_key(created, 'candidate')).status_code == 403
    assert client.post(f'/api/interviews/{iid}/end', headers=_key(created)).status_code == 204
    assert client.get(f'/api/interviews/{iid}', headers=_key(created)).json()['ended'] is True


@pytest.mark.parametrize('body', [{'title': '', 'language': 'python'}, {'title': 'x' * 201},
                                  {'title': 'T', 'language': 'cobol'}, {'title': 12}])
def test_invalid_interview_is_422(api, body):
    client, _ = api
    response = client.post('/api/interviews', json=body)
    assert response.status_code == 422 and response.json()['detail']


def test_unknown_interview_is_404_json(api):
    client, _ = api
    for path in ('/api/interviews/nope', '/api/interviews/nope/participants'):
        response = client.get(path, headers={'X-Pairpad-Key': 'k'})
        assert response.status_code == 404 and 'no interview' in response.json()['detail']


@pytest.fixture
def two_people(api):
    client, services = api
    created = _interview(client, language='plaintext')
    iid = created['id']
    client.headers['X-Pairpad-Key'] = created['candidate_key']  # reads need a key; writes below use tokens
    ada, ada_token = services.presence.join(iid, name='Ada', role='interviewer')
    bob, bob_token = services.presence.join(iid, name='Bob', role='candidate')
    return client, services, iid, (ada, ada_token), (bob, bob_token)


def test_participants_are_listed_without_tokens(two_people):
    client, _, iid, (ada, ada_token), _ = two_people
    listed = client.get(f'/api/interviews/{iid}/participants').json()
    assert [p['name'] for p in listed] == ['Ada', 'Bob']
    assert ada_token not in str(listed) and 'token' not in listed[0]
    assert client.get(f'/api/interviews/{iid}').json()['participants'] == 2


def test_a_participant_updates_itself(two_people):
    client, services, iid, (ada, token), _ = two_people
    services.presence.lines = split_lines_of(lambda _: 'hello\nworld')
    response = client.patch(f'/api/interviews/{iid}/participants/{ada.id}', headers={'Authorization': f'Bearer {token}'},
                            json={'cursor': {'line': 2, 'column': 3}, 'is_typing': True, 'status': 'away'})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body['cursor'] == {'line': 2, 'column': 3} and body['is_typing'] and body['status'] == 'away'


def test_someone_elses_participant_is_403(two_people):
    client, services, iid, (ada, ada_token), (bob, _) = two_people
    response = client.patch(f'/api/interviews/{iid}/participants/{bob.id}',
                            headers={'Authorization': f'Bearer {ada_token}'}, json={'status': 'offline'})
    assert response.status_code == 403 and 'your own participant' in response.json()['detail']
    assert services.presence.participant(iid, bob.id).status == 'online'


def test_missing_or_wrong_token_is_refused_like_an_unknown_interview(two_people):
    client, _, iid, (ada, _), _ = two_people
    for headers in ({}, {'Authorization': 'Bearer forged'}):
        response = client.patch(f'/api/interviews/{iid}/participants/{ada.id}', headers=headers,
                                json={'status': 'away'})
        assert (response.status_code, response.json()['detail']) == (404, 'no interview with this id and key')


def test_unknown_participant_or_interview_is_404(two_people):
    client, _, iid, (_, token), _ = two_people
    headers = {'Authorization': f'Bearer {token}'}
    assert client.patch(f'/api/interviews/{iid}/participants/nobody', headers=headers,
                        json={'status': 'away'}).status_code == 404
    assert client.patch('/api/interviews/nope/participants/nobody', headers=headers,
                        json={'status': 'away'}).status_code == 404


@pytest.mark.parametrize('body, fragment', [
    ({'cursor': {'line': 0, 'column': 1}}, 'greater than or equal to 1'),
    ({'cursor': {'line': 'two', 'column': 1}}, 'valid integer'),
    ({'cursor': {'line': 1}}, 'Field required'),
    ({'cursor': {'line': 99, 'column': 1}}, 'outside the document'),
    ({'is_typing': 'yes'}, 'valid boolean'),
    ({'status': 'asleep'}, "'online', 'away' or 'offline'"),
    ({'colour': 'red'}, 'Extra inputs are not permitted'),
])
def test_invalid_values_are_422_with_a_clear_message(two_people, body, fragment):
    client, services, iid, (ada, token), _ = two_people
    services.presence.lines = split_lines_of(lambda _: 'one line')
    response = client.patch(f'/api/interviews/{iid}/participants/{ada.id}',
                            headers={'Authorization': f'Bearer {token}'}, json=body)
    assert response.status_code == 422
    assert fragment in str(response.json()['detail'])
    assert services.presence.participant(iid, ada.id) == ada


def test_join_through_the_api_returns_a_working_token(api):
    client, _ = api
    created = _interview(client)
    iid = created['id']
    client.headers['X-Pairpad-Key'] = created['candidate_key']
    response = client.post(f'/api/interviews/{iid}/participants', json={'name': 'Bot', 'role': 'candidate'})
    assert response.status_code == 201
    joined = response.json()
    pid, token = joined['participant']['id'], joined['token']
    assert client.patch(f'/api/interviews/{iid}/participants/{pid}', headers={'Authorization': f'Bearer {token}'},
                        json={'status': 'away'}).json()['status'] == 'away'
    assert client.post(f'/api/interviews/{iid}/participants', json={'name': ''}).status_code == 422
    assert client.post('/api/interviews/nope/participants', json={'name': 'X'}).status_code == 404


def test_only_an_interviewer_deletes_an_interview_and_everything_goes(two_people):
    client, services, iid, (ada, ada_token), (bob, bob_token) = two_people
    key = client.headers.pop('X-Pairpad-Key')
    assert client.delete(f'/api/interviews/{iid}').status_code == 404  # no credentials: as if unknown
    assert client.delete(f'/api/interviews/{iid}', headers={'Authorization': f'Bearer {bob_token}'}).status_code == 403
    assert client.delete(f'/api/interviews/{iid}', headers={'Authorization': f'Bearer {ada_token}'}).status_code == 204
    client.headers['X-Pairpad-Key'] = key
    assert client.get(f'/api/interviews/{iid}').status_code == 404
    assert client.get(f'/api/interviews/{iid}/participants').status_code == 404
    assert services.presence.participants(iid) == []
    assert services.rooms.loaded(iid) is None


def test_a_full_interview_refuses_one_more_person(api):
    client, services = api
    services.presence.max_present = 2
    created = _interview(client)
    iid = created['id']
    client.headers['X-Pairpad-Key'] = created['candidate_key']
    for name in ('A', 'B'):
        assert client.post(f'/api/interviews/{iid}/participants', json={'name': name}).status_code == 201
    response = client.post(f'/api/interviews/{iid}/participants', json={'name': 'C'})
    assert response.status_code == 409 and 'full' in response.json()['detail']


def test_interviewer_ends_and_reopens_the_interview(two_people):
    client, services, iid, (ada, ada_token), (bob, bob_token) = two_people
    key = client.headers.pop('X-Pairpad-Key')
    assert client.post(f'/api/interviews/{iid}/end', headers={'Authorization': f'Bearer {bob_token}'}).status_code == 403
    assert client.post(f'/api/interviews/{iid}/end').status_code == 404  # no credentials: as if unknown
    assert client.post(f'/api/interviews/{iid}/end', headers={'Authorization': f'Bearer {ada_token}'}).status_code == 204
    client.headers['X-Pairpad-Key'] = key
    assert client.get(f'/api/interviews/{iid}').json()['ended'] is True
    assert client.post(f'/api/interviews/{iid}/reopen',
                       headers={'Authorization': f'Bearer {ada_token}'}).status_code == 204
    assert client.get(f'/api/interviews/{iid}').json()['ended'] is False

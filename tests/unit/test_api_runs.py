"""REST runs (issue 13 §5): start a run of the current document with stdin, read it back with its output and
markers; any credential of the interview may run, nothing else can tell the interview exists.

Real sandbox runs of Python (the suite's cheapest runtime) on a FastAPI app of its own; each test waits on the
run's status through the API itself, never on a sleep.
"""

import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pycrdt import Text

from collab import RoomRegistry, protocol
from collab.client import ProtocolClient
from collab.document import CODE, STDIN
from config import Settings
from pages.api import build_router
from pages.run_panel import keep_run
from pages.services import Services
from presence import PresenceService
from runner import CodeRunner, RunHubs, RunLimits, RunnerSettings
from store import SqlUpdateLog, create_db
from tests.sandbox import sandboxed_runner

LIMITS = RunLimits(cpu_seconds=2, wall_seconds=20, memory_bytes=128 * 1024 * 1024, max_processes=16)


@pytest.fixture(scope='module')
def code_runner() -> CodeRunner:
    return sandboxed_runner(RunnerSettings(max_concurrent=4), LIMITS)


@pytest.fixture
def api(tmp_path, code_runner):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    rooms = RoomRegistry(SqlUpdateLog(engine))
    presence = PresenceService(engine, lines=lambda iid: (room := rooms.loaded(iid)) and room.lines)
    runs = RunHubs(code_runner, on_end=lambda iid, record: keep_run(engine, iid, record))
    services = Services(settings=Settings(), engine=engine, rooms=rooms, presence=presence, runs=runs)
    app = FastAPI()
    app.include_router(build_router(services))
    with TestClient(app) as client:
        yield client, services, client.portal


def _interview(client, language: str = 'python') -> dict:
    return client.post('/api/interviews', json={'title': 'T', 'language': language}).json()


def _set_code(services, portal, interview_id: str, code: str, text_name: str = CODE) -> None:
    """Replace a text of the room's document the way a tab does: a protocol peer's edit through the room."""
    async def replace() -> None:
        room = await services.rooms.get(interview_id)
        client = ProtocolClient(lambda data: room.receive('typist', data))
        inbox: list[bytes] = []
        room.connect('typist', inbox.append)
        client.handshake()  # a tab opens its handshake before it answers the server's
        for message in inbox:
            client.receive(message)
        text = client.doc.get(text_name, type=Text)
        before = client.doc.get_state()
        with client.doc.transaction():
            del text[:]
            text += code
        room.receive('typist', protocol.update(client.doc.get_update(before)))
        room.disconnect('typist')
    portal.call(replace)


def _key(created: dict, role: str = 'interviewer') -> dict:
    return {'X-Pairpad-Key': created[f'{role}_key']}


def _wait_ended(client, created: dict, run_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f'/api/interviews/{created["id"]}/runs/{run_id}', headers=_key(created))
        assert response.status_code == 200, response.text
        run = response.json()
        if run['status'] != 'running':
            return run
        assert time.monotonic() < deadline, f'run still going after {timeout} s: {run}'
        time.sleep(0.05)  # polling the API, as a client would: the condition is the run's status


def test_a_candidate_runs_the_document_with_stdin_and_reads_the_output(api):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'name = input()\nprint(f"hello {name}")\n')
    response = client.post(f'/api/interviews/{created["id"]}/runs', json={'stdin': 'Ada\n'},
                           headers=_key(created, 'candidate'))
    assert response.status_code == 202, response.text
    run_id = response.json()['id']
    run = _wait_ended(client, created, run_id)
    assert run['status'] == 'exited' and run['exit_code'] == 0
    assert run['stdout'] == 'hello Ada\n' and run['stderr'] == '' and run['stdin'] == 'Ada\n'
    assert run['language'] == 'python' and run['duration'] > 0 and run['markers'] == []
    assert run['started_by'] == 'the candidate key (API)'
    listed = client.get(f'/api/interviews/{created["id"]}/runs', headers=_key(created, 'candidate')).json()
    assert [r['id'] for r in listed] == [run_id]


def test_without_stdin_in_the_body_the_room_stdin_box_is_used(api):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'print(input()[::-1])\n')

    _set_code(services, portal, created['id'], 'olleh\n', text_name=STDIN)
    run_id = client.post(f'/api/interviews/{created["id"]}/runs', headers=_key(created)).json()['id']
    assert _wait_ended(client, created, run_id)['stdout'] == 'hello\n'


def test_a_traceback_becomes_a_marker_at_its_line(api):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'x = 1\n\nraise ValueError("boom")\n')
    run_id = client.post(f'/api/interviews/{created["id"]}/runs', json={}, headers=_key(created)).json()['id']
    run = _wait_ended(client, created, run_id)
    assert run['exit_code'] == 1 and 'ValueError: boom' in run['stderr']
    assert [m['line'] for m in run['markers']] == [3]
    assert 'boom' in run['markers'][0]['message']


def test_one_run_at_a_time_and_none_after_the_end(api):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'import time\ntime.sleep(30)\n')
    first = client.post(f'/api/interviews/{created["id"]}/runs', json={}, headers=_key(created))
    assert first.status_code == 202
    busy = client.post(f'/api/interviews/{created["id"]}/runs', json={}, headers=_key(created, 'candidate'))
    assert busy.status_code == 409 and 'running' in busy.json()['detail']
    portal.call(lambda: _stop(services, created['id']))
    run = _wait_ended(client, created, first.json()['id'])
    assert run['status'] == 'stopped'
    assert client.post(f'/api/interviews/{created["id"]}/end', headers=_key(created)).status_code == 204
    ended = client.post(f'/api/interviews/{created["id"]}/runs', json={}, headers=_key(created))
    assert ended.status_code == 409 and 'ended' in ended.json()['detail']


async def _stop(services, interview_id: str) -> None:
    services.runs.get(interview_id).stop(by='the test')


def test_a_language_that_cannot_run_is_refused_with_the_reason(api):
    client, _, _ = api
    created = _interview(client, language='plaintext')
    response = client.post(f'/api/interviews/{created["id"]}/runs', json={}, headers=_key(created))
    assert response.status_code == 422 and response.json()['detail']


@pytest.mark.parametrize('body', [{'stdin': 5}, {'stdin': ['a']}, {'code': 'print(1)'}, [1, 2], 'x'])
def test_a_malformed_body_is_refused_and_runs_nothing(api, body):
    client, _, _ = api
    created = _interview(client)
    response = client.post(f'/api/interviews/{created["id"]}/runs', json=body, headers=_key(created))
    assert response.status_code == 422
    assert client.get(f'/api/interviews/{created["id"]}/runs', headers=_key(created)).json() == []


def test_stdin_larger_than_the_document_limit_is_refused(api):
    client, services, _ = api
    created = _interview(client)
    big = 'x' * (services.settings.max_document_bytes + 1)
    response = client.post(f'/api/interviews/{created["id"]}/runs', json={'stdin': big}, headers=_key(created))
    assert response.status_code == 422 and 'limit' in response.json()['detail']


def test_runs_are_read_only_with_a_credential_of_their_own_interview(api):
    client, services, portal = api
    mine, other = _interview(client), _interview(client)
    _set_code(services, portal, mine['id'], 'print(1)\n')
    run_id = client.post(f'/api/interviews/{mine["id"]}/runs', json={}, headers=_key(mine)).json()['id']
    _wait_ended(client, mine, run_id)
    refusals = [
        client.get(f'/api/interviews/{mine["id"]}/runs', headers=_key(other, 'candidate')),
        client.get(f'/api/interviews/{mine["id"]}/runs/{run_id}', headers=_key(other)),
        client.get(f'/api/interviews/{other["id"]}/runs/{run_id}', headers=_key(other)),  # not a run of `other`
        client.get(f'/api/interviews/{mine["id"]}/runs'),
        client.get('/api/interviews/nope/runs', headers=_key(mine)),
        client.post(f'/api/interviews/{mine["id"]}/runs', json={}, headers={'Authorization': 'Bearer x'}),
        client.post(f'/api/interviews/{"z" * 33}/runs', json={}),
    ]
    assert {(r.status_code, r.json()['detail']) for r in refusals} == {(404, 'no interview with this id and key')}


def test_a_participant_token_runs_as_that_participant(api):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'print(2)\n')
    joined = client.post(f'/api/interviews/{created["id"]}/participants', json={'name': 'Cara'},
                         headers=_key(created, 'candidate')).json()
    response = client.post(f'/api/interviews/{created["id"]}/runs', json={},
                           headers={'Authorization': f'Bearer {joined["token"]}'})
    assert response.status_code == 202
    run = _wait_ended(client, created, response.json()['id'])
    assert run['started_by'] == 'Cara' and run['stdout'] == '2\n'


def test_a_finished_run_is_read_from_the_database_after_a_restart(api, tmp_path):
    client, services, portal = api
    created = _interview(client)
    _set_code(services, portal, created['id'], 'print("kept")\n')
    run_id = client.post(f'/api/interviews/{created["id"]}/runs', json={'stdin': 'in'},
                         headers=_key(created)).json()['id']
    _wait_ended(client, created, run_id)
    services.runs.get(created['id']).history.clear()  # what a restarted instance has in memory: nothing
    run = client.get(f'/api/interviews/{created["id"]}/runs/{run_id}', headers=_key(created)).json()
    assert run['stdout'] == 'kept\n' and run['status'] == 'exited' and run['exit_code'] == 0
    assert run['stdin'] == 'in'

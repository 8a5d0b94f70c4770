"""REST test runs (issue 15 §2): POST /api/interviews/{id}/test-runs runs the room's document against the picked
question's cases (202; 409 with no question, while a run or a set goes, or once ended), GET gives each credential
its role's view: a candidate's JSON holds nothing of a hidden case (name, stdin, expected, actual), an
interviewer's holds every case; the stored row reads back the same (store round trip).

Real sandbox runs of the sample 'two-sum' in Python on a FastAPI app of its own (tests/unit/test_api_runs.py's
fixture); each test waits on the set's status through the API, never on a sleep.
"""

import json
import time

from pages.api_test_runs import all_test_runs
from pages.services import Services
from pages.test_runs import role_view
from questions import sample_questions
from runner import RunHubs
from store import list_test_runs, pick_question
from tests.unit.test_api_runs import _interview, _key, _set_code, api, code_runner  # noqa: F401 (fixtures)

TWO_SUM = next(question for question in sample_questions() if question.slug == 'two-sum')
HIDDEN = [case for case in TWO_SUM.tests if case.hidden]


def hidden_strings() -> list[str]:
    found = []
    for case in HIDDEN:
        found.append(case.name)
        found += [line for text in (case.stdin, case.expected) for line in text.splitlines() if len(line) >= 3]
    visible = json.dumps([case.model_dump() for case in TWO_SUM.tests if not case.hidden])
    return [text for text in found if text not in visible]  # '0 2' and the like could be a visible case's too


def _wait_ended(client, created: dict, run_id: str, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f'/api/interviews/{created["id"]}/test-runs', headers=_key(created))
        assert response.status_code == 200, response.text
        found = [run for run in response.json() if run['id'] == run_id]
        if found and found[0]['status'] != 'running':
            return found[0]
        assert time.monotonic() < deadline, f'test run still going after {timeout} s: {found}'
        time.sleep(0.1)  # polling the API, as a client would: the condition is the set's status


def test_a_candidate_runs_the_tests_and_reads_only_its_share(api):
    client, services, portal = api
    created = _interview(client)
    iid = created['id']
    url = f'/api/interviews/{iid}/test-runs'
    refused = client.post(url, headers=_key(created, 'candidate'))
    assert refused.status_code == 409 and 'question' in refused.json()['detail']

    pick_question(services.engine, iid, TWO_SUM.model_dump_json(), 'Ivan')
    _set_code(services, portal, iid, TWO_SUM.guide.solutions['python'])
    started = client.post(url, headers=_key(created, 'candidate'))
    assert started.status_code == 202, started.text
    run_id = started.json()['id']
    assert client.post(url, headers=_key(created)).status_code == 409  # one set at a time
    busy = client.post(f'/api/interviews/{iid}/runs', json={}, headers=_key(created))
    assert busy.status_code == 409  # and no run while it goes: the room's one lock

    full = _wait_ended(client, created, run_id)
    assert full['status'] == 'ended' and full['started_by'] == 'the candidate key (API)'
    assert full['results']['passed'] == full['results']['total'] == len(TWO_SUM.tests)
    assert [case['name'] for case in full['results']['cases']] == [case.name for case in TWO_SUM.tests]

    token = services.presence.join(iid, name='Cara', role='candidate')[1]
    for headers in (_key(created, 'candidate'), {'Authorization': f'Bearer {token}'}):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        text = response.text
        assert '2 7 11 15' in text  # a visible case's stdin: the scan below would see a hidden one's
        leaked = [secret for secret in hidden_strings() if secret in text]
        assert not leaked, f'hidden test data in a candidate\'s JSON: {leaked}'
        (mine,) = response.json()
        assert mine['results']['hidden_total'] == mine['results']['hidden_passed'] == len(HIDDEN)
        assert len(mine['results']['cases']) == len(TWO_SUM.tests) - len(HIDDEN)

    # what the database keeps reads back the same, for each role, on an instance that holds no live record
    (row,) = list_test_runs(services.engine, iid)
    assert (row.id, row.passed, row.total, row.language) == (run_id, 5, 5, 'python')
    assert json.loads(row.results) == full['results']
    fresh = Services(settings=services.settings, engine=services.engine, rooms=services.rooms,
                     presence=services.presence, runs=RunHubs(services.runs.runner))
    assert [run.model_dump(mode='json')['results'] for run in all_test_runs(fresh, iid, 'interviewer')] == \
        [full['results']]
    assert all_test_runs(fresh, iid, 'candidate')[0].results == role_view(full['results'], 'candidate')

    other = _interview(client)
    assert client.get(url, headers=_key(other)).status_code == 404  # another interview's key: unknown
    client.post(f'/api/interviews/{iid}/end', headers=_key(created))
    ended = client.post(url, headers=_key(created))
    assert ended.status_code == 409

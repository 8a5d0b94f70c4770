"""Run tests in the RunHub (runner/hub.py) across two instances over an in-process relay, with scripted jobs (no
sandbox): a set holds the room's one-run lock for its whole length, so Run and Run tests exclude each other on both
instances; its results reach the other instance as the interviewer's view and each role's view is rebuilt from it
(pages/test_runs.role_view: a candidate's has no hidden case's name, stdin, expected or actual output); malformed
relayed results are dropped with a log line; a picked question is announced to the other instance; a set whose
instance dies ends with no result and frees the room."""

import asyncio
import json
import logging
from dataclasses import asdict

import pytest

from collab.relay import Kind, MemoryHub
from pages.run_link import CHANNEL, RunLink
from pages.test_runs import role_view
from questions import CaseResult, TestRun
from runner import RunBusy, RunHubs, RunRefused
from store.locks import LocalRunLock
from tests.unit.test_run_hub import ScriptedRunner, until

SECRET_STDIN, SECRET_EXPECTED, SECRET_ACTUAL = 'hidden-stdin-7f3a', 'hidden-expected-9c1d', 'hidden-actual-2b8e'


def results() -> dict:
    run = TestRun('python', [
        CaseResult('example', False, 1, True, 'passed', '4 9\n', '0 1\n', '0 1\n'),
        CaseResult('secret case', True, 3, False, 'wrong answer (line 1 differs)', SECRET_STDIN, SECRET_EXPECTED,
                   SECRET_ACTUAL, first_difference=1),
        CaseResult('other hidden', True, 1, True, 'passed', 'x', 'y', 'y'),
    ])
    return json.loads(json.dumps(run.view('interviewer')))  # as stored and relayed: JSON


@pytest.fixture
def two():
    runner, hub, lock = ScriptedRunner(), MemoryHub(), LocalRunLock()
    sides = []
    for name in ('a', 'b'):
        hubs = RunHubs(runner, lock=lock)
        RunLink(hubs, hub.relay(name))
        sides.append(hubs.get('iv'))
    return sides[0], sides[1], hub


def gated_job(view: dict):
    """A job that ends when its gate is set: the set 'runs' until the test says."""
    gate = asyncio.Event()

    async def job(record) -> dict:
        await gate.wait()
        return view
    return gate, job


async def test_run_tests_holds_the_room_lock_on_every_instance_until_the_set_ends(two):
    a, b, _ = two
    seen_on_b = []
    b.subscribe(lambda event, record, chunk: seen_on_b.append(event))
    gate, job = gated_job(results())
    record = a.start_tests('python', job, started_by='Cara')
    await until(lambda: b.testing is not None)
    assert b.testing.run_id == record.run_id and b.testing.instance == 'a' and b.testing.started_by == 'Cara'
    for hub in (a, b):
        with pytest.raises(RunBusy):
            hub.start('print(1)', 'python', started_by='Ivan')
        with pytest.raises(RunBusy):
            hub.start_tests('python', gated_job({})[1], started_by='Ivan')
        assert hub.busy
    gate.set()
    await until(lambda: b.tests[-1].ended)
    assert b.tests[-1].result == results() and a.tests[-1].result == results()
    assert seen_on_b == ['tests_start', 'tests_end']
    b.start('print(1)', 'python', started_by='Ivan')  # the lock was released at the end


async def test_a_run_going_refuses_run_tests_on_both_instances(two):
    a, b, _ = two
    a.start('print(1)', 'python', started_by='Ivan')
    await until(lambda: b.current is not None)
    for hub in (a, b):
        with pytest.raises(RunBusy):
            hub.start_tests('python', gated_job({})[1], started_by='Cara')


async def test_each_role_sees_its_share_and_a_candidate_nothing_of_hidden_cases(two):
    a, b, _ = two
    gate, job = gated_job(results())
    a.start_tests('python', job, started_by='Cara')
    gate.set()
    await until(lambda: b.tests and b.tests[-1].ended)
    for hub in (a, b):
        full = role_view(hub.tests[-1].result, 'interviewer')
        assert [case['name'] for case in full['cases']] == ['example', 'secret case', 'other hidden']
        candidate = role_view(hub.tests[-1].result, 'candidate')
        text = json.dumps(candidate)
        for secret in ('secret case', 'other hidden', SECRET_STDIN, SECRET_EXPECTED, SECRET_ACTUAL):
            assert secret not in text
        assert 'score' not in candidate  # the weighted score would tell a hidden case's weight
        assert (candidate['passed'], candidate['total'], candidate['hidden_passed'], candidate['hidden_total']) == \
            (2, 3, 1, 2)
        assert [case['name'] for case in candidate['cases']] == ['example']


async def test_a_refused_set_ends_with_its_reason_and_frees_the_room(two):
    a, b, _ = two

    async def refused(record) -> dict:
        raise RunRefused('Rust cannot run here')
    a.start_tests('rust', refused, started_by='Cara')
    await until(lambda: b.tests and b.tests[-1].ended)
    assert b.tests[-1].result is None and b.tests[-1].reason == 'Rust cannot run here'
    assert not a.busy and not b.busy
    b.start('print(1)', 'python', started_by='Ivan')


@pytest.mark.parametrize('bad', [
    {'cases': 'not a list', 'language': 'python'},
    {'cases': [{'name': 'x'}], 'language': 'python'},  # fields missing
    {'cases': [dict(asdict(CaseResult('x', True, 1, True, 'passed', 'a', 'b', 'b')), hidden='yes')],
     'language': 'python'},
    {'cases': [dict(asdict(CaseResult('x', True, 1, True, 'passed', 'a', 'b', 'b')), stdin=['a'])],
     'language': 'python'},
    {'cases': [], 'language': None},
    ['a', 'list'],
])
async def test_malformed_relayed_results_are_dropped_and_the_set_still_ends_with_good_ones(two, caplog, bad):
    _, b, hub = two
    remote = hub.relay('c')  # a third instance that sends what it likes
    send = lambda data: remote.publish(CHANNEL + 'iv', Kind.RUN, json.dumps(data).encode())  # noqa: E731
    send({'event': 'tests_start', 'run_id': 7, 'language': 'python', 'started_by': 'X', 'started_at': 1.0})
    send({'event': 'tests_start', 'run_id': 't1', 'language': 'python', 'started_by': 'Mallory', 'started_at': 1.0})
    await until(lambda: b.testing is not None)
    with caplog.at_level(logging.WARNING):
        send({'event': 'tests_end', 'run_id': 't1', 'result': bad, 'reason': ''})
        await until(lambda: any('dropped a run message from c' in r.getMessage() for r in caplog.records))
    assert b.testing is not None and b.testing.run_id == 't1'  # not ended by the bad message
    assert len(b.tests) == 1  # the start with a numeric run id was dropped
    send({'event': 'tests_end', 'run_id': 't1', 'result': results(), 'reason': ''})
    await until(lambda: b.testing is None)
    assert role_view(b.tests[-1].result, 'candidate')['hidden_total'] == 2


async def test_a_picked_question_is_announced_to_the_other_instance(two):
    a, b, _ = two
    heard = []
    b.subscribe(lambda event, record, chunk: event == 'question' and heard.append(b.question_version))
    a.announce_question('2026-11-30T08:00:00+00:00')
    await until(lambda: heard)
    assert heard == ['2026-11-30T08:00:00+00:00']


async def test_a_set_whose_instance_died_ends_without_result_and_frees_the_room(two):
    a, b, _ = two
    gate, job = gated_job(results())
    a.start_tests('python', job, started_by='Cara')
    await until(lambda: b.testing is not None)
    b.drop_testing('a')
    assert b.testing is None and 'stopped' in b.tests[-1].reason and b.tests[-1].result is None
    gate.set()  # the job on 'a' ends: its late end is ignored on 'b'
    await until(lambda: a.testing is None)
    assert b.tests[-1].result is None

"""Issue 15 §2 across instances, in real Chromium on a real cluster (tools.cluster: redis-server, PostgreSQL,
haproxy, two app processes): the interviewer on i1 picks a sample question, the candidate on i2 sees its prompt and
Python starter, pastes the reference solution and runs the tests there; the candidate sees the visible rows and the
hidden cases only as a count (no hidden case's name, stdin or expected output in the candidate's page or any socket
frame of it), the interviewer on i1 sees every case. Then Stop across instances: the candidate starts a set whose
first case never ends on i2, the interviewer presses Stop on i1, and both see every case failed as 'stopped by Ivan'.

Hooks used (docs/automation.md): `pick-question`, `question-option`, `prompt-title`, `run-tests`, `stop-button`,
`test-results`, `test-summary`, `test-case` (`data-passed`, `data-hidden`)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage, received_frames
from tests.e2e.test_question_in_room import HIDDEN, TWO_SUM, VISIBLE, pick, secrets_of_hidden_cases
from tests.e2e.test_several_instances import cluster, pinned, served_by  # noqa: F401 (cluster is a fixture)

pytestmark = pytest.mark.skipif(
    (not shutil.which('redis-server') or not shutil.which('haproxy')) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='needs redis-server and haproxy (make cluster-packages; CI installs them and sets PAIRPAD_REQUIRE_CLUSTER)')

LOOP = 'import time\ntime.sleep(600)\n'  # never ends before the wall-clock limit, and costs no CPU meanwhile


def test_question_picked_on_one_instance_tested_on_the_other_and_stopped_from_the_first(cluster, new_page):
    interview = cluster.create_interview(language='python')
    iid = interview['id']
    ivan = RoomPage(pinned(new_page, cluster, 'i1'), cluster, iid).join('Ivan', role='interviewer')
    cara_page = pinned(new_page, cluster, 'i2')
    frames = received_frames(cara_page)
    cara = RoomPage(cara_page, cluster, iid).join('Cara', role='candidate')
    assert (served_by(ivan.page), served_by(cara.page)) == ('i1', 'i2')

    pick(ivan, 'two-sum')  # the document is the Python template: the starter goes in without asking
    for room in (ivan, cara):
        expect(room.page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title, timeout=15_000)
    cara.wait_text(TWO_SUM.starters['python'])
    expect(cara.page.get_by_test_id('question-guide')).to_have_count(0)

    solution = TWO_SUM.guide.solutions['python']
    cara.replace_code(solution)
    cluster.wait_code_everywhere(iid, solution)
    cara.page.get_by_test_id('run-tests').click()  # runs on i2, where Cara's tab is
    total = len(TWO_SUM.tests)
    for room in (cara, ivan):
        summary = room.page.get_by_test_id('test-summary')
        expect(summary).to_contain_text(f'{total}/{total} passed', timeout=90_000)
        expect(summary).to_contain_text(f'hidden: {len(HIDDEN)} of {len(HIDDEN)} passed')
    expect(ivan.page.locator('[data-testid=test-case][data-passed=true]')).to_have_count(total)
    expect(ivan.page.locator('[data-testid=test-case][data-hidden=true]')).to_have_count(len(HIDDEN))
    expect(cara.page.locator('[data-testid=test-case][data-passed=true]')).to_have_count(len(VISIBLE))
    expect(cara.page.locator('[data-testid=test-case][data-hidden=true]')).to_have_count(0)
    assert HIDDEN[0].name in ivan.page.content()

    received = ''.join(frames)
    assert '2 7 11 15' in received, 'the frame check would not see a visible case: it could not see a hidden one'
    page = cara.page.content()
    leaked = [secret for secret in secrets_of_hidden_cases() if secret in received or secret in page]
    assert not leaked, f'hidden test data reached the candidate: {leaked}'

    cara.replace_code(LOOP)  # Stop pressed on i1 stops the set running on i2
    cluster.wait_code_everywhere(iid, LOOP)
    expect(cara.page.get_by_test_id('run-tests')).to_be_enabled()
    cara.page.get_by_test_id('run-tests').click()
    expect(ivan.page.get_by_test_id('test-results')).to_have_attribute('data-state', 'running', timeout=15_000)
    expect(ivan.page.get_by_test_id('stop-button')).to_be_enabled()
    ivan.page.get_by_test_id('stop-button').click()
    for room, rows in ((ivan, total), (cara, len(VISIBLE))):
        expect(room.page.get_by_test_id('test-summary')).to_contain_text(f'0/{total} passed', timeout=30_000)
        cases = room.page.get_by_test_id('test-case')
        expect(cases).to_have_count(rows)
        for index in range(rows):
            expect(cases.nth(index).locator('summary')).to_contain_text('stopped by Ivan')
    expect(ivan.page.get_by_test_id('run-tests')).to_be_enabled()  # the room's run lock was released

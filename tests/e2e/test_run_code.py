"""Issue 5 §2: run the code in the sandbox; everybody in the room sees the output live."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage


@pytest.fixture(scope='module')
def run_server(tmp_path_factory):
    yield from _run(tmp_path_factory.mktemp('run'), env={'PAIRPAD_RUN_CPU_SECONDS': '2', 'PAIRPAD_RUN_WALL_SECONDS': '30'})



def test_candidate_runs_python_and_both_see_42(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ivan = RoomPage(new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), run_server, interview['id']).join('Cara', role='candidate')
    cara.replace_code('import sys\nprint(6*7)\nprint("oops", file=sys.stderr)\n')
    run_server.wait_code(interview['id'], 'import sys\nprint(6*7)\nprint("oops", file=sys.stderr)\n')
    cara.page.get_by_test_id('run-button').click()
    for room in (cara, ivan):
        output = room.page.get_by_test_id('run-output')
        expect(output).to_have_attribute('data-state', 'ended', timeout=20_000)
        expect(output.locator('[data-stream=stdout]')).to_contain_text('42')
        expect(output.locator('[data-stream=stderr]')).to_contain_text('oops')
        expect(room.page.get_by_test_id('run-status')).to_contain_text('exit code 0')


def test_ctrl_enter_runs_javascript(run_server, new_page):
    interview = run_server.create_interview(language='javascript')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    ada.replace_code('console.log(6 * 7)\n')
    run_server.wait_code(interview['id'], 'console.log(6 * 7)\n')
    ada.page.keyboard.press('Control+Enter')
    expect(ada.page.get_by_test_id('run-output')).to_contain_text('42', timeout=20_000)


def test_infinite_loop_is_stopped_by_the_limit_with_a_clear_message(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    ada.replace_code('while True:\n    pass\n')
    run_server.wait_code(interview['id'], 'while True:\n    pass\n')
    ada.page.get_by_test_id('run-button').click()
    expect(ada.page.get_by_test_id('stop-button')).to_be_enabled()
    expect(ada.page.get_by_test_id('run-status')).to_contain_text('CPU time limit of 2 s exceeded', timeout=20_000)
    expect(ada.page.get_by_test_id('run-button')).to_be_enabled()


def test_a_run_can_be_stopped(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    ada.replace_code('import time\nprint("start", flush=True)\ntime.sleep(60)\n')
    run_server.wait_code(interview['id'], 'import time\nprint("start", flush=True)\ntime.sleep(60)\n')
    ada.page.get_by_test_id('run-button').click()
    expect(ada.page.get_by_test_id('run-output')).to_contain_text('start', timeout=20_000)
    ada.page.get_by_test_id('stop-button').click()
    expect(ada.page.get_by_test_id('run-status')).to_contain_text('stopped by Ada', timeout=10_000)

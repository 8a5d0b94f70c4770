"""Issue 13's tests, in the browser, for every language: an error in the program (a compile error where the
language compiles, else a syntax or runtime error) shows the tool's message in both people's consoles and a marker
at its line in both editors. One room: the interviewer picks each language in turn, the candidate types the
program and runs it. The programs and what their tools say are the runner's own test cases
(tests/unit/test_languages_run.py ERRORS: each error on line 3)."""

import re

import pytest
from playwright.sync_api import expect

from languages import LANGUAGES
from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage
from tests.e2e.test_stdin_and_markers import choose_language
from tests.unit.test_languages_run import COMPILED, ERRORS


@pytest.fixture(scope='module')
def run_server(tmp_path_factory):
    yield from _run(tmp_path_factory.mktemp('errors'), env={'PAIRPAD_RUN_WALL_SECONDS': '30'})


def test_an_error_in_every_language_reaches_both_consoles_and_both_editors(run_server, new_page):
    assert set(ERRORS) == set(LANGUAGES) - {'plaintext'}  # every runnable language of the table
    interview = run_server.create_interview(language='python')
    ivan = RoomPage(new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), run_server, interview['id']).join('Cara', role='candidate')
    # A console is cleared when its next run starts, so its output holding this language's message is this run's
    # only if the previous language's message was another one: no two alike follow each other.
    order = ['python', 'typescript', 'javascript', 'java', 'c', 'cpp', 'go', 'rust', 'ruby', 'php', 'bash', 'sql']
    assert sorted(order) == sorted(ERRORS) and all(ERRORS[a][2] != ERRORS[b][2] for a, b in zip(order, order[1:]))
    for language in order:
        code, line, says = ERRORS[language]
        choose_language(ivan, LANGUAGES[language].label)
        expect(cara.editor).to_have_attribute('data-language', language)
        cara.replace_code(code)
        run_server.wait_code(interview['id'], code)
        cara.page.get_by_test_id('run-button').click()
        for room in (cara, ivan):
            output = room.page.get_by_test_id('run-output')
            expect(output).to_contain_text(says, timeout=60_000)  # this run's output, in both consoles
            expect(output).to_have_attribute('data-state', 'ended', timeout=60_000)
            status = room.page.get_by_test_id('run-status')
            expect(status).to_contain_text('compile error' if language in COMPILED else 'exit code')
            expect(room.editor).to_have_attribute('data-marker-lines', re.compile(rf'(^|,){line}(,|$)'))

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
from tests.e2e.test_stdin_and_markers import choose_language, run_and_wait
from tests.unit.test_languages_run import COMPILED, ERRORS


@pytest.fixture(scope='module')
def run_server(tmp_path_factory):
    yield from _run(tmp_path_factory.mktemp('errors'), env={'PAIRPAD_RUN_WALL_SECONDS': '30'})


def test_an_error_in_every_language_reaches_both_consoles_and_both_editors(run_server, new_page):
    assert set(ERRORS) == set(LANGUAGES) - {'plaintext'}  # every runnable language of the table
    interview = run_server.create_interview(language='python')
    ivan = RoomPage(new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), run_server, interview['id']).join('Cara', role='candidate')
    for language, (code, line, says) in ERRORS.items():
        choose_language(ivan, LANGUAGES[language].label)
        expect(cara.editor).to_have_attribute('data-language', language)
        cara.replace_code(code)
        run_server.wait_code(interview['id'], code)
        run_and_wait(cara)
        for room in (ivan, cara):
            status = room.page.get_by_test_id('run-status')
            expect(status).to_contain_text('compile error' if language in COMPILED else 'exit code')
            expect(room.page.get_by_test_id('run-output')).to_contain_text(says)
            expect(room.editor).to_have_attribute('data-marker-lines', re.compile(rf'(^|,){line}(,|$)'))

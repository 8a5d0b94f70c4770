"""Issue 5 §5 and §6: playback of the whole history with its runs, and the interview report."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage
from tests.e2e.test_stdin_and_markers import type_stdin, wait_stdin


@pytest.fixture(scope='module')
def run_server(tmp_path_factory):
    yield from _run(tmp_path_factory.mktemp('playback'))


@pytest.fixture(scope='module')
def interview_with_history(run_server, browser):
    """An interviewer and a candidate who typed, ran the code once and wrote notes; kept open for the tests."""
    context_a = browser.new_context(permissions=['clipboard-read', 'clipboard-write'])
    context_b = browser.new_context(permissions=['clipboard-read', 'clipboard-write'])
    interview = run_server.create_interview(title='Playback <round>', language='python')
    ivan = RoomPage(context_a.new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(context_b.new_page(), run_server, interview['id']).join('Cara', role='candidate')
    cara.page.keyboard.press('Control+A')  # through the candidate's editor: replace the template by typing
    cara.focus_end()
    cara.page.keyboard.press('Control+A')
    cara.page.keyboard.press('Delete')
    cara.page.keyboard.type('print(6*7)\n')
    run_server.wait_code(interview['id'], 'print(6*7)\n')
    cara.page.get_by_test_id('run-button').click()
    expect(cara.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=20_000)
    ivan.focus_end()
    ivan.page.keyboard.type('# nice')
    final = 'print(6*7)\n# nice'
    run_server.wait_code(interview['id'], final)
    ivan.paste_notes('Clear **reasoning** <script>alert(1)</script>\n')
    ivan.wait_notes('Clear **reasoning** <script>alert(1)</script>\n')
    yield interview, ivan, cara, final
    context_a.close()
    context_b.close()


def test_playback_reaches_the_start_and_the_final_text_with_authors_and_the_run(run_server, interview_with_history):
    interview, ivan, cara, final = interview_with_history
    page = ivan.page
    page.get_by_test_id('playback').click()
    text = page.get_by_test_id('playback-text')
    steps = int(text.get_attribute('data-steps'))
    # the template, its deletion, Cara's typing, Ivan's: at least one step each (one person's keystrokes that
    # fall in one 25 ms group-commit window are stored as one step)
    assert steps >= 4
    expect(text).to_have_attribute('data-step', str(steps))  # opens on the final text
    assert text.inner_text() == final
    colors = {p['name']: p['color'] for p in run_server.participants(interview['id']).values()}
    expect(text.locator(f'span[style*="{colors["Cara"]}"]').first).to_contain_text('print(6*7)')
    expect(text.locator(f'span[style*="{colors["Ivan"]}"]').first).to_contain_text('# nice')

    page.get_by_test_id('playback-start').click()
    expect(text).to_have_attribute('data-step', '0')
    assert text.inner_text() == ''
    run = page.get_by_test_id('playback-run')
    expect(run).to_have_count(1)
    expect(run).to_have_attribute('data-reached', 'false')

    page.get_by_test_id('playback-speed').get_by_text('32×').click()
    page.get_by_test_id('playback-play').click()
    expect(text).to_have_attribute('data-step', str(steps), timeout=60_000)
    assert text.inner_text() == final
    expect(run).to_have_attribute('data-reached', 'true')
    expect(page.get_by_test_id('playback-run-output')).to_contain_text('42')

    page.get_by_test_id('playback-close').click()
    assert run_server.interview(interview['id'])['code'] == final  # playback never changed the live document
    assert ivan.text() == final and cara.text() == final


def test_report_holds_title_people_code_runs_and_notes(interview_with_history):
    interview, ivan, cara, final = interview_with_history
    with ivan.page.expect_download() as download:
        ivan.page.get_by_test_id('export-report').click()
    assert download.value.suggested_filename == 'playback-round-report.html'
    report = open(download.value.path(), encoding='utf-8').read()
    assert '<h1>Playback &lt;round&gt;</h1>' in report
    assert re.search(r'Ivan</td><td>interviewer</td><td>\d{4}-\d\d-\d\d', report)
    assert re.search(r'Cara</td><td>candidate</td>', report)
    assert 'print(6*7)\n# nice' in report
    assert 'Cara ran python' in report and '42' in report
    assert 'Clear <strong>reasoning</strong> &lt;script&gt;' in report and '<script>alert' not in report
    expect(cara.page.get_by_test_id('export-report')).to_have_count(0)


def test_a_run_after_the_last_edit_is_shown_at_the_end_of_the_timeline(run_server, new_page):
    """Issue 16 §5: the usual last Run comes after the last keystroke; the end of the timeline shows its output."""
    interview = run_server.create_interview(title='Run last', language='python')
    ivan = RoomPage(new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    ivan.replace_code('print("last", 6*7, input())\n')
    run_server.wait_code(interview['id'], 'print("last", 6*7, input())\n')
    type_stdin(ivan, 'from stdin')  # the stdin box is part of the document: replayed with it (issue 13 §3)
    wait_stdin(ivan, 'from stdin')
    ivan.page.get_by_test_id('run-button').click()
    expect(ivan.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=20_000)
    page = ivan.page
    page.get_by_test_id('playback').click()
    output = page.get_by_test_id('playback-run-output')
    expect(output).to_contain_text('last 42 from stdin')         # it opens on the end
    expect(output.get_by_test_id('playback-run-stdin')).to_have_text('stdin: from stdin')
    expect(page.get_by_test_id('playback-stdin')).to_have_text('from stdin')
    expect(page.get_by_test_id('playback-run')).to_have_attribute('data-reached', 'true')
    page.get_by_test_id('playback-start').click()
    expect(output).to_contain_text('No run yet at this point.')
    expect(page.get_by_test_id('playback-stdin')).to_have_text('')  # nobody had typed in it yet
    page.get_by_test_id('playback-end').click()
    expect(output).to_contain_text('last 42 from stdin')         # and the end button goes there again
    page.get_by_test_id('playback-start').click()
    page.get_by_test_id('playback-speed').get_by_text('32×').click()
    page.get_by_test_id('playback-play').click()                # playing to the end shows it too
    expect(output).to_contain_text('last 42 from stdin', timeout=60_000)

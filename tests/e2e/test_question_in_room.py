"""Issue 15 §2 in real Chromium: an interviewer picks a sample question in the room, both tabs show its prompt, the
candidate's editor gets the Python starter; Run tests over the starter fails every case (the visible rows show their
stdin and mark the first differing line); the candidate pastes the reference solution and presses Run tests, both
see 5/5 passed; the candidate sees the hidden cases only as a count, and no hidden case's name, stdin or expected
output reaches the candidate's page or any socket frame of it; the interviewer sees the hidden rows and the guide,
and the set on the playback timeline.
Then the starter of another language is offered after a language switch, and replacing code asks first.

Hooks used (docs/automation.md): `pick-question`, `question-option`, `prompt`, `prompt-title`, `question-guide`,
`insert-starter`, `starter-replace`, `run-tests`, `test-results`, `test-summary`, `test-case` (`data-passed`,
`data-hidden`)."""

import json

import pytest
from playwright.sync_api import expect

from questions import sample_questions
from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage, received_frames

TWO_SUM = next(question for question in sample_questions() if question.slug == 'two-sum')
HIDDEN = [case for case in TWO_SUM.tests if case.hidden]
VISIBLE = [case for case in TWO_SUM.tests if not case.hidden]


@pytest.fixture(scope='module')
def app(tmp_path_factory):
    """One server for the module (each test makes its own interview)."""
    yield from _run(tmp_path_factory.mktemp('question'))



def pick(room: RoomPage, slug: str) -> None:
    room.page.get_by_test_id('pick-question').click()
    room.page.locator(f'[data-testid=question-option][data-slug="{slug}"]').click()


def secrets_of_hidden_cases() -> list[str]:
    """Strings only a hidden case holds (its name and each line of its stdin and expected output, if long enough
    not to turn up by chance: 'large' does, in a page's styles), raw and as JSON escapes them."""
    found = set()
    for case in HIDDEN:
        for text in (case.name, case.stdin, case.expected):
            found.update(line[:40] for line in text.splitlines() if len(line) >= 8)
    visible = ''.join(case.stdin + case.expected + case.name for case in VISIBLE) + TWO_SUM.prompt
    found = {secret for secret in found if secret not in visible}
    assert len(found) >= 5, found
    return sorted(found | {json.dumps(secret)[1:-1] for secret in found})


def test_candidate_runs_the_tests_of_a_picked_question_and_never_receives_hidden_cases(app, new_page):
    interview = app.create_interview(language='python')
    iid = interview['id']
    ivan = RoomPage(new_page(), app, iid).join('Ivan', role='interviewer')
    cara_page = new_page()
    frames = received_frames(cara_page)
    cara = RoomPage(cara_page, app, iid).join('Cara', role='candidate')
    expect(cara.page.get_by_test_id('pick-question')).to_have_count(0)
    expect(cara.page.get_by_test_id('run-tests')).to_be_disabled()

    pick(ivan, 'two-sum')  # the document is still the Python template: the starter goes in without asking
    for room in (ivan, cara):
        expect(room.page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title, timeout=15_000)
        expect(room.page.get_by_test_id('prompt')).to_contain_text('aim for O(n)')
    cara.wait_text(TWO_SUM.starters['python'])
    expect(ivan.page.get_by_test_id('question-guide')).to_have_count(1)
    expect(cara.page.get_by_test_id('question-guide')).to_have_count(0)

    cara.page.get_by_test_id('run-tests').click()  # the starter prints nothing: every case fails
    summary = cara.page.get_by_test_id('test-summary')
    expect(summary).to_contain_text(f'0/{len(TWO_SUM.tests)} passed', timeout=90_000)
    expect(summary).to_contain_text(f'hidden: 0 of {len(HIDDEN)} passed')
    first = cara.page.locator('[data-testid=test-case][data-passed=false]').first
    expect(first).to_have_attribute('data-name', VISIBLE[0].name)
    expect(first.get_by_test_id('test-stdin')).to_have_text(VISIBLE[0].stdin)  # (a closed <details>: its text)
    expect(first.get_by_test_id('test-expected').get_by_test_id('diff-line')).to_have_attribute('data-line', '1')

    solution = TWO_SUM.guide.solutions['python']
    cara.replace_code(solution)
    app.wait_code(iid, solution)
    cara.page.get_by_test_id('run-tests').click()
    for room in (cara, ivan):
        summary = room.page.get_by_test_id('test-summary')
        expect(summary).to_contain_text(f'{len(TWO_SUM.tests)}/{len(TWO_SUM.tests)} passed', timeout=90_000)
        expect(summary).to_contain_text(f'hidden: {len(HIDDEN)} of {len(HIDDEN)} passed')
    expect(ivan.page.locator('[data-testid=test-case][data-passed=true]')).to_have_count(len(TWO_SUM.tests))
    expect(ivan.page.locator('[data-testid=test-case][data-hidden=true]')).to_have_count(len(HIDDEN))
    expect(cara.page.locator('[data-testid=test-case][data-passed=true]')).to_have_count(len(VISIBLE))
    expect(cara.page.locator('[data-testid=test-case][data-hidden=true]')).to_have_count(0)
    expect(ivan.page.get_by_test_id('run-tests')).to_be_enabled()  # the room's run lock was released

    received = ''.join(frames)
    assert '2 7 11 15' in received, 'the frame check would not see a visible case: it could not see a hidden one'
    page = cara.page.content()
    leaked = [secret for secret in secrets_of_hidden_cases() if secret in received or secret in page]
    assert not leaked, f'hidden test data reached the candidate: {leaked}'
    guide = [*TWO_SUM.guide.hints, *TWO_SUM.guide.criteria, TWO_SUM.guide.solutions['java']]  # not pasted by Cara
    assert all(text in ivan.page.content() for text in TWO_SUM.guide.hints)  # the interviewer's page shows them
    leaked = [text for text in guide if json.dumps(text)[1:-1] in received or text in received or text in page]
    assert not leaked, f'the interviewer guide reached the candidate: {leaked}'
    assert HIDDEN[0].name in ivan.page.content()

    ivan.page.get_by_test_id('playback').click()  # the set is stored, on the timeline beside the runs
    on_timeline = ivan.page.get_by_test_id('playback-test-run')
    expect(on_timeline).to_have_count(2)
    expect(on_timeline.first).to_have_attribute('data-passed', '0')
    expect(on_timeline.last).to_have_attribute('data-passed', str(len(TWO_SUM.tests)))


def test_switching_language_offers_its_starter_and_replacing_code_asks_first(app, new_page):
    interview = app.create_interview(language='python')
    iid = interview['id']
    ivan = RoomPage(new_page(), app, iid).join('Ivan', role='interviewer')
    ivan.replace_code('print("my own code")\n')
    app.wait_code(iid, 'print("my own code")\n')
    pick(ivan, 'two-sum')
    ivan.page.get_by_test_id('starter-keep').click()  # the document holds code: asked, and kept
    expect(ivan.page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title)
    assert ivan.text() == 'print("my own code")\n'

    ivan.page.get_by_test_id('language-select').click()
    ivan.page.get_by_role('option', name='Java', exact=True).click()
    offer = ivan.page.get_by_test_id('insert-starter')
    expect(offer).to_have_text('Insert the Java starter')
    offer.click()
    ivan.page.get_by_test_id('starter-replace').click()
    ivan.wait_text(TWO_SUM.starters['java'])
    expect(offer).to_be_hidden()

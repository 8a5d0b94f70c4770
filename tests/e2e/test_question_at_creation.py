"""Issue 15 §2 "at creation", in real Chromium: the team's admin signs in, picks Python and the team's two-sum
question in the dashboard's form and creates the interview; she lands in the room with the prompt shown and the
question's Python starter as the document (not the language's template), and the candidate who opens the link sees
the same prompt and starter and may run the tests at once.

Hooks used (docs/automation.md): `title-input`, `language-input`, `question-input`, `create-interview`,
`prompt-title`, `run-tests`."""

import re

import httpx
from playwright.sync_api import expect

from questions import sample_questions
from tests.e2e.room_page import RoomPage
from tests.e2e.test_scorecards import sign_in

TWO_SUM = next(question for question in sample_questions() if question.slug == 'two-sum')


def test_an_interview_created_with_a_question_opens_with_its_prompt_and_starter(claimed, new_page):
    added = httpx.post(f'{claimed.url}/api/questions', json=TWO_SUM.model_dump(mode='json'), timeout=10,
                       headers={'Authorization': f'Bearer {claimed.token}'})
    assert added.status_code == 201, added.text  # the team's library (a new server's is empty)

    page = new_page()
    sign_in(page, claimed)
    page.get_by_test_id('title-input').fill('With a question')
    page.get_by_test_id('language-input').click()
    page.get_by_role('option', name='Python', exact=True).click()
    page.get_by_test_id('question-input').click()
    page.get_by_role('option', name=TWO_SUM.title, exact=True).click()
    page.get_by_test_id('create-interview').click()
    page.wait_for_url(re.compile(r'/room/[\w-]+\?key=[\w-]{22,}$'), wait_until='commit', timeout=45_000)
    interview_id, key = re.search(r'/room/([\w-]+)\?key=([\w-]+)$', page.url).groups()
    ann = RoomPage(page, claimed, interview_id)
    ann.wait_synced()
    expect(page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title)
    assert ann.text() == TWO_SUM.starters['python']

    links = httpx.get(f'{claimed.url}/api/interviews/{interview_id}', headers={'X-Pairpad-Key': key}).json()['links']
    claimed.created[interview_id] = {'interviewer_key': key, 'candidate_key': links['candidate_key']}
    cara = RoomPage(new_page(), claimed, interview_id).join('Cara', role='candidate')
    expect(cara.page.get_by_test_id('prompt-title')).to_have_text(TWO_SUM.title)
    cara.wait_text(TWO_SUM.starters['python'])
    expect(cara.page.get_by_test_id('run-tests')).to_be_enabled()

"""Issue 15 §1 end to end: the question library at `/questions` in real Chromium against a real, claimed server.

A member opens `/questions` signed out (the sign-in form brings them back), adds the sample questions, edits one's
title and a test case, saves, finds it in the list and by search; a field error shows under its field; a hostile
title and prompt render as text; a file with two bad questions imports nothing and lists both problems, a good one
imports; the library exports as YAML that reads back. An unclaimed server sends `/questions` to the first-account form.
"""

import json
from pathlib import Path

import httpx
from playwright.sync_api import expect

from questions import read_questions
from tools.app_server import ADMIN_EMAIL, ADMIN_PASSWORD

WAIT = 15_000  # ms: the machine that runs these is shared and often loaded
HOSTILE = '<img src=x onerror=alert(1)>'
GOOD_YAML = b'''slug: ok
title: Fine
prompt: Print what you read.
tests:
- {name: echoes, stdin: "hi\\n", expected: "hi\\n"}
guide:
  solutions: {python: "print(input())"}
'''
HOSTILE_PROMPT = 'Read **n**. <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>'



def _row(page, slug: str):
    return page.locator(f'[data-testid=question-row][data-slug="{slug}"]')


def test_a_member_adds_the_samples_edits_one_and_finds_it(claimed, new_page):
    page = new_page()
    dialogs = []
    page.on('dialog', lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f'{claimed.url}/questions')
    page.get_by_test_id('sign-in-email').fill(ADMIN_EMAIL)
    page.get_by_test_id('sign-in-password').fill(ADMIN_PASSWORD)
    page.get_by_test_id('sign-in-submit').click()
    expect(page.get_by_test_id('q-empty')).to_be_visible(timeout=WAIT)  # back on /questions, signed in

    page.get_by_test_id('q-add-samples').click()
    expect(page.get_by_test_id('question-row')).to_have_count(5, timeout=WAIT)
    fizzbuzz = _row(page, 'fizzbuzz')
    expect(fizzbuzz.get_by_test_id('q-row-languages')).to_have_text('java, javascript, python', timeout=WAIT)
    expect(fizzbuzz.get_by_test_id('q-row-cases')).to_have_text('2 visible · 2 hidden tests', timeout=WAIT)
    page.get_by_test_id('q-add-samples').click()  # a second press adds nothing
    expect(page.get_by_text('Added 0 sample questions; the library already had 5.')).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id('q-count')).to_have_text('5 of 5 questions', timeout=WAIT)

    fizzbuzz.get_by_test_id('q-row-edit').click()
    form = page.get_by_test_id('question-form')
    expect(form.get_by_test_id('q-title')).to_have_value('FizzBuzz up to n', timeout=WAIT)
    form.get_by_test_id('q-title').fill('')
    form.get_by_test_id('q-save').click()  # an empty title: the error shows under the field, nothing is saved
    expect(form.locator('[data-testid=q-field-error][data-field=title]')).not_to_be_empty(timeout=WAIT)
    form.get_by_test_id('q-title').fill('FizzBuzz, edited')
    first_case = form.get_by_test_id('q-case').first
    first_case.get_by_test_id('q-case-name').fill('one to three')
    first_case.get_by_test_id('q-case-hidden').click()
    form.get_by_test_id('q-save').click()
    expect(form).to_be_hidden(timeout=WAIT)
    expect(fizzbuzz.get_by_test_id('q-row-title')).to_have_text('FizzBuzz, edited', timeout=WAIT)
    expect(fizzbuzz.get_by_test_id('q-row-cases')).to_have_text('1 visible · 3 hidden tests', timeout=WAIT)
    stored = httpx.get(f'{claimed.url}/api/questions/{fizzbuzz.get_attribute("data-id")}', timeout=10,
                       headers={'Authorization': f'Bearer {claimed.token}'}).json()['question']
    assert stored['title'] == 'FizzBuzz, edited' and stored['tests'][0]['name'] == 'one to three'
    assert stored['tests'][0]['hidden'] is True

    page.get_by_test_id('q-search').fill('EDITED')
    expect(page.get_by_test_id('question-row')).to_have_count(1, timeout=WAIT)
    expect(page.get_by_test_id('q-row-title')).to_have_text('FizzBuzz, edited', timeout=WAIT)

    page.get_by_test_id('q-new').click()
    form = page.get_by_test_id('question-form')
    form.get_by_test_id('q-title').fill(HOSTILE)
    form.get_by_test_id('q-prompt').fill(HOSTILE_PROMPT)
    preview = form.get_by_test_id('q-prompt-preview')
    expect(preview).to_contain_text('<img src=x onerror="window.__pwned=1">', timeout=WAIT)  # as text
    expect(preview.locator('strong')).to_have_text('n', timeout=WAIT)  # and the Markdown, rendered
    form.get_by_test_id('q-save').click()
    expect(form).to_be_hidden(timeout=WAIT)
    page.get_by_test_id('q-search').fill('onerror')
    hostile = page.get_by_test_id('question-row')
    expect(hostile).to_have_count(1, timeout=WAIT)
    expect(hostile.get_by_test_id('q-row-title')).to_have_text(HOSTILE, timeout=WAIT)
    assert page.locator('img').count() == 0 and page.evaluate('window.__pwned') is None and dialogs == []

    page.get_by_test_id('q-search').fill('')
    expect(page.get_by_test_id('question-row')).to_have_count(6, timeout=WAIT)
    page.get_by_test_id('q-import').click()
    upload = page.get_by_test_id('q-import-upload').locator('input[type=file]')
    bad = {'questions': [{'slug': 'ok', 'title': 'Fine', 'prompt': ''},
                         {'slug': 'bad', 'title': '', 'prompt': '', 'starters': {'klingon': ''}}]}
    upload.set_input_files(files=[{'name': 'bad.json', 'mimeType': 'application/json',
                                   'buffer': json.dumps(bad).encode()}])
    problems = page.get_by_test_id('q-import-problem')
    expect(problems).to_have_count(2, timeout=WAIT)  # each problem, by its field
    expect(problems.first).to_have_text('questions.1.title: String should have at least 1 character', timeout=WAIT)
    upload.set_input_files(files=[{'name': 'good.yaml', 'mimeType': 'application/yaml', 'buffer': GOOD_YAML}])
    expect(page.get_by_test_id('q-import-result')).to_have_text('Imported 1 new and replaced 0 from good.yaml.',
                                                                timeout=WAIT)
    page.get_by_test_id('q-import-close').click()
    expect(page.get_by_test_id('question-row')).to_have_count(7, timeout=WAIT)  # the bad file added nothing

    _row(page, 'ok').get_by_test_id('q-row-check').click()  # its reference solution, in the server's sandbox
    expect(page.get_by_test_id('q-check-status')).to_have_text('Done.', timeout=30_000)
    expect(page.locator('[data-testid=q-check-case][data-passed=true]')).to_have_count(1, timeout=WAIT)
    page.get_by_test_id('q-check-close').click()

    page.get_by_test_id('q-export').click()
    with page.expect_download() as download:
        page.get_by_test_id('q-export-yaml').click()
    exported = read_questions(Path(download.value.path()).read_bytes(), 'yaml')
    assert sorted(q.slug for q in exported) == sorted(['ok', 'img-src-x-onerror-alert-1', 'balanced-brackets',
                                                       'fizzbuzz', 'reverse-words', 'top-words', 'two-sum'])

    page.get_by_test_id('back-to-dashboard').click()  # and the dashboard leads back here
    page.get_by_test_id('open-questions').click()
    expect(page.get_by_test_id('q-count')).to_have_text('7 of 7 questions', timeout=WAIT)


def test_an_unclaimed_server_sends_questions_to_the_first_account_form(own_server):
    answer = httpx.get(f'{own_server.url}/questions', follow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers['location'] == '/'
    assert httpx.get(f'{own_server.url}/api/questions', timeout=10).status_code == 401

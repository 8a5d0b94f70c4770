"""Issue 2 end to end: two real Chromium contexts editing one interview on a real server."""

import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage, wait_in_page

RUSTCODE = (Path(__file__).parent.parent / 'data' / 'rustcode_end.txt').read_text(encoding='utf-8')
NON_ASCII = '\n// ÷ ¿ ƒ — naïve café, 漢字かな, emoji 😊🚀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n'


def test_create_interview_on_home_page_lands_in_its_room(own_server, new_page):
    # its own server: the first-run form claims it, and a claimed server creates interviews through REST only with
    # an API token (the other tests of this module use the shared unclaimed one)
    server = own_server
    page = new_page()
    page.goto(server.url)
    page.get_by_test_id('setup-name').fill('Ada')
    page.get_by_test_id('setup-email').fill('ada@example.com')
    page.get_by_test_id('setup-password').fill('ada password 1')
    page.get_by_test_id('setup-submit').click()
    page.get_by_test_id('title-input').fill('Backend <b>pairing</b>')
    page.get_by_test_id('language-input').click()
    page.get_by_role('option', name='Go', exact=True).click()
    page.get_by_test_id('create-interview').click()
    # the creator gets the interviewer link
    page.wait_for_url(re.compile(r'/room/[\w-]+\?key=[\w-]{22,}$'), wait_until='commit', timeout=45_000)
    expect(page.get_by_test_id('interview-title')).to_have_text('Backend <b>pairing</b>')  # text, not HTML
    expect(page.get_by_test_id('my-role')).to_have_attribute('data-role', 'interviewer')
    interview_id, key = re.search(r'/room/([\w-]+)\?key=([\w-]+)$', page.url).groups()
    room = RoomPage(page, server, interview_id)
    room.wait_synced()  # no name form: the member joins under the account's name
    expect(page.get_by_test_id('participant').filter(has_text='Ada')).to_have_count(1)
    assert room.text().startswith('package main')  # the Go template, written once by the server
    expect(room.editor).to_have_attribute('data-language', 'go')
    links = httpx.get(f'{server.url}/api/interviews/{interview_id}', headers={'X-Pairpad-Key': key}).json()['links']
    assert links['interviewer_url'] == page.url
    page.get_by_test_id('copy-candidate-link').click()
    wait_clipboard(page, links['candidate_url'])
    page.get_by_test_id('copy-interviewer-link').click()
    wait_clipboard(page, links['interviewer_url'])


def wait_clipboard(page, expected: str, timeout_ms: int = 10_000) -> None:
    """Wait until the page's clipboard holds `expected`: the copy buttons write it asynchronously."""
    held = wait_in_page(page, '() => navigator.clipboard.readText()', None, expected, timeout_ms)
    assert held == expected, f'the clipboard never held {expected!r}; it holds {held!r}'


def test_two_people_typing_at_the_same_spot_keep_every_keystroke_in_order(server, new_page):
    interview = server.create_interview(language='plaintext')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    alice_keys = 'abcdefghijklmnopqrst' * 10
    bob_keys = '0123456789' * 20
    alice.focus_end()
    bob.focus_end()
    # Interleave bursts without waiting for delivery, so each browser types while the other's edits are in flight.
    for i in range(0, 200, 10):
        alice.page.keyboard.type(alice_keys[i:i + 10])
        bob.page.keyboard.type(bob_keys[i:i + 10])
    bob.wait_text(alice.text_when_settled(len(alice_keys) + len(bob_keys)))
    final = alice.text()
    assert bob.text() == final
    assert len(final) == 400
    assert ''.join(ch for ch in final if ch.isalpha()) == alice_keys
    assert ''.join(ch for ch in final if ch.isdigit()) == bob_keys
    server.wait_code(interview['id'], final)


def test_language_change_reaches_everyone(server, new_page):
    interview = server.create_interview(language='python')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    alice.page.get_by_test_id('language-select').click()
    alice.page.get_by_role('option', name='Rust', exact=True).click()
    expect(bob.editor).to_have_attribute('data-language', 'rust')
    expect(bob.page.get_by_test_id('language-select')).to_contain_text('Rust')
    assert server.interview(interview['id'])['language'] == 'rust'


def test_reload_keeps_the_code_and_the_name(server, new_page):
    interview = server.create_interview(language='plaintext')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    alice.focus_end()
    alice.page.keyboard.type('kept across reloads')
    server.wait_code(interview['id'], 'kept across reloads')
    alice.page.reload()
    alice.wait_synced()
    expect(alice.page.get_by_test_id('participant')).to_have_count(1)
    expect(alice.page.get_by_test_id('name-input')).to_have_count(0)
    assert alice.text() == 'kept across reloads'
    # all tabs closed, then a new visitor: still there
    alice.page.context.close()
    carol = RoomPage(new_page(), server, interview['id']).join('Carol')
    assert carol.text() == 'kept across reloads'


def test_server_restart_keeps_the_code_and_open_tabs_resync_by_themselves(own_server, new_page):
    server = own_server
    interview = server.create_interview(language='plaintext')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    alice.focus_end()
    alice.page.keyboard.type('before restart ')
    bob.wait_text('before restart ')
    server.stop()
    expect(alice.editor).to_have_attribute('data-connection', 'offline')
    server.start()
    alice.wait_synced()
    bob.wait_synced()
    assert alice.text() == bob.text() == 'before restart '
    bob.focus_end()
    bob.page.keyboard.type('after')
    alice.wait_text('before restart after')
    server.wait_code(interview['id'], 'before restart after')


def test_pasted_rustcode_trace_arrives_exactly(server, new_page):
    interview = server.create_interview(language='plaintext')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    content = RUSTCODE + NON_ASCII
    alice.page.evaluate('text => navigator.clipboard.writeText(text)', content)
    alice.focus_end()
    alice.page.keyboard.press('Control+V')
    bob.wait_text(content, timeout=30_000)
    assert alice.text() == content
    server.wait_code(interview['id'], content)


def test_a_paste_followed_at_once_by_keys_is_kept_in_the_code_and_the_stdin_box(server, new_page):
    """Ctrl+V and then at once Ctrl+End and a key: Monaco's asynchronous 'paste as' dropped the whole paste when the
    caret moved before its providers answered (1 in 8 tries on an idle machine, most under load; clean-clone CI
    runs failed on it). Ten tries in each box: every paste is kept, and the other tab gets it."""
    interview = server.create_interview(language='python')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice', role='candidate')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob', role='interviewer')
    for box, testid in ((alice.editor, 'editor'), (alice.page.get_by_test_id('stdin'), 'stdin')):
        textarea = box.locator('.monaco-editor textarea')
        for attempt in range(10):
            pasted = f'def f{attempt}():\n    return {attempt}\n\n'
            alice.page.evaluate('text => navigator.clipboard.writeText(text)', pasted)
            textarea.focus()
            alice.page.keyboard.press('Control+A')
            alice.page.keyboard.press('Control+V')
            alice.page.keyboard.press('Control+End')
            alice.page.keyboard.type('x')
            wanted = pasted + 'x'
            alice.page.wait_for_function('([el, t]) => el.pairpad.text() === t', arg=[box.element_handle(), wanted],
                                         timeout=5_000)
        bob.page.wait_for_function('([el, t]) => el.pairpad && el.pairpad.text() === t',
                                   arg=[bob.page.get_by_test_id(testid).element_handle(), wanted])


def test_unknown_room_shows_a_polite_refusal(server, new_page):
    page = new_page()
    page.goto(f'{server.url}/room/does-not-exist')
    expect(page.get_by_test_id('link-refused')).to_contain_text('This link does not open an interview')
    response = httpx.get(f'{server.url}/api/interviews/does-not-exist')
    assert response.status_code == 404 and 'no interview' in response.json()['detail']


def test_a_cursor_moved_as_the_interview_is_deleted_is_a_warning_not_a_server_error(server, new_page):
    """A tab's event on its way while its interview is deleted finds no participant any more: the server logs a
    warning and sends the tab away, never an error (a clean-clone run logged a traceback for such a cursor event)."""
    interview = server.create_interview(language='plaintext')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    ada_id = ada.participant_id()
    joined = httpx.post(f'{server.url}/api/interviews/{interview["id"]}/participants',
                        headers=server.headers(interview['id']), json={'name': 'Ivan'}).json()
    status = ada.editor.evaluate('''async (el, token) => {
        const response = await fetch(`/api/interviews/${el.dataset.roomId}`,
                                     {method: "DELETE", headers: {Authorization: `Bearer ${token}`}});
        getElement(el.id.slice(1)).$emit("cursor", {line: 1, column: 1});
        return response.status;
    }''', joined['token'])
    assert status == 204
    expect(ada.page.get_by_test_id('link-refused')).to_be_visible()
    warning = f'participant {ada_id} of {interview["id"]} vanished'
    deadline = time.monotonic() + 10
    while warning not in server.log():  # it reached the server after the deletion; the teardown finds no error
        assert time.monotonic() < deadline, 'the cursor event never reached the server'
        time.sleep(0.1)


def test_deleting_the_interview_sends_open_tabs_away_and_clears_their_local_copy(server, new_page):
    interview = server.create_interview(language='plaintext')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    ada.focus_end()
    ada.page.keyboard.type('secret')
    ada.wait_local_saved(len('secret'))
    database = f'pairpad:{interview["id"]}'
    assert database in ada.page.evaluate('async () => (await indexedDB.databases()).map(d => d.name)')
    joined = httpx.post(f'{server.url}/api/interviews/{interview["id"]}/participants',
                        headers=server.headers(interview['id']), json={'name': 'Ivan'}).json()
    assert joined['participant']['role'] == 'interviewer'
    response = httpx.delete(f'{server.url}/api/interviews/{interview["id"]}',
                            headers={'Authorization': f'Bearer {joined["token"]}'})
    assert response.status_code == 204
    expect(ada.page.get_by_test_id('link-refused')).to_be_visible()
    assert wait_in_page(ada.page, 'async name => (await indexedDB.databases()).some(d => d.name === name)',
                        database, False) is False, f'the local copy {database} was not deleted'

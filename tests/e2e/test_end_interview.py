"""Issue 5 §4: an interviewer ends the interview (read-only for everybody, enforced by the server) and reopens it."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage
from tools.peers import SocketPeer
from tools.peers.loop_thread import LoopThread

REFUSED = 'the interview has ended'


@pytest.fixture
def loop():
    with LoopThread() as thread:
        yield thread


def test_ending_freezes_the_code_for_everybody_and_reopening_restores_editing(server, new_page, loop):
    interview = server.create_interview(language='plaintext')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    expect(cara.page.get_by_test_id('end-interview')).to_have_count(0)  # interviewer-only control
    cara.focus_end()
    cara.page.keyboard.type('answer')
    server.wait_code(interview['id'], 'answer')
    ivan.wait_text('answer')
    ivan.page.get_by_test_id('end-interview').click()
    expect(cara.page.get_by_test_id('ended-banner')).to_be_visible()
    expect(cara.editor).to_have_attribute('data-ended', 'true')
    cara.focus_end()
    cara.page.keyboard.type(' more')
    assert cara.text() == 'answer'
    assert server.interview(interview['id'])['ended'] is True

    # The server refuses, not only Monaco: a tab without the read-only flag (a socket peer with the candidate's
    # link) sends a real Yjs update that inserts text, and is told why it was not applied.
    mallory = loop.run(SocketPeer.join(server.url, interview['id'], 'Mallory', key=interview['candidate_key']))
    assert mallory.text == 'answer'
    loop.run(mallory.insert(len(mallory.text), ' forged'))
    loop.run(mallory.wait_for(lambda: any(REFUSED in n for n in mallory.notifications), 10,
                              lambda: f'no refusal containing {REFUSED!r}; got {mallory.notifications}'))
    assert server.interview(interview['id'])['code'] == 'answer'
    assert ivan.text() == cara.text() == 'answer'
    loop.run(mallory.close())  # before reopening: its refused insert is still in its own document (see the xfail below)

    ivan.page.get_by_test_id('reopen-interview').click()
    expect(cara.editor).to_have_attribute('data-ended', 'false')
    expect(cara.page.get_by_test_id('ended-banner')).to_be_hidden()
    cara.focus_end()
    cara.page.keyboard.type(' more')
    server.wait_code(interview['id'], 'answer more')
    ivan.wait_text('answer more')
    # and the socket path takes edits again: a new peer's insert reaches the server and both browsers
    pete = loop.run(SocketPeer.join(server.url, interview['id'], 'Pete', key=interview['candidate_key']))
    loop.run(pete.wait_text('answer more'))
    loop.run(pete.insert(len(pete.text), '!'))
    server.wait_code(interview['id'], 'answer more!')
    cara.wait_text('answer more!')
    ivan.wait_text('answer more!')
    assert pete.notifications == []
    loop.run(pete.close())


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "a protocol-level peer that ignores the server's discardLocal keeps its refused edit, and its next accepted "
    'update needs it (a Yjs client\'s clocks are consecutive), so it comes in after reopening; browser tabs drop '
    'theirs (the test above)'))
def test_an_edit_refused_while_ended_does_not_come_back_after_reopening(server, loop):
    # Synchronous, on the LoopThread: this module's browser fixture keeps sync Playwright's event loop running.
    interview = server.create_interview(language='plaintext')
    alice = loop.run(SocketPeer.join(server.url, interview['id'], 'Alice', key=interview['candidate_key']))
    mallory = loop.run(SocketPeer.join(server.url, interview['id'], 'Mallory', key=interview['candidate_key']))
    try:
        loop.run(alice.insert(0, 'answer'))
        loop.run(mallory.wait_text('answer'))
        assert httpx.post(f'{server.url}/api/interviews/{interview["id"]}/end',
                          headers=server.headers(interview['id'])).status_code == 204
        loop.run(mallory.insert(len(mallory.text), ' forged'))
        loop.run(mallory.wait_for(lambda: any(REFUSED in n for n in mallory.notifications), 10,
                                  lambda: f'no refusal containing {REFUSED!r}; got {mallory.notifications}'))
        assert httpx.post(f'{server.url}/api/interviews/{interview["id"]}/reopen',
                          headers=server.headers(interview['id'])).status_code == 204
        loop.run(mallory.insert(0, 'later '))
        loop.run(alice.wait_for(lambda: alice.text.startswith('later '), 10, lambda: f'alice has {alice.text!r}'))
        assert server.interview(interview['id'])['code'] == alice.text == 'later answer'
    finally:
        loop.run(alice.close())
        loop.run(mallory.close())


def test_a_tab_whose_edit_is_refused_after_the_end_drops_it_for_good(server, new_page):
    """A change that left a tab after the end (typed in the moment before the end reached it; here made through
    the tab's Y.Doc, as Monaco's read-only flag stops the keyboard) is refused by the server: the tab drops its
    copy, local storage included, and shows the server's; after reopening, the change does not come back."""
    interview = server.create_interview(language='plaintext')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    cara.focus_end()
    cara.page.keyboard.type('answer')
    server.wait_code(interview['id'], 'answer')
    ivan.page.get_by_test_id('end-interview').click()
    expect(cara.editor).to_have_attribute('data-ended', 'true')
    with cara.page.expect_navigation(timeout=15_000):  # the tab reloads with the server's copy
        cara.editor.evaluate('el => el.pairpad.doc.getText("code").insert(6, " late")')
    cara.wait_synced()
    cara.wait_text('answer')
    ivan.page.get_by_test_id('reopen-interview').click()
    expect(cara.editor).to_have_attribute('data-ended', 'false')
    cara.focus_end()
    cara.page.keyboard.type('!')
    server.wait_code(interview['id'], 'answer!')
    ivan.wait_text('answer!')
    assert cara.text() == 'answer!'

"""Issue 5 §4: an interviewer ends the interview (read-only for everybody, enforced by the server) and reopens it."""

from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage


def test_ending_freezes_the_code_for_everybody_and_reopening_restores_editing(server, new_page):
    interview = server.create_interview(language='plaintext')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    expect(cara.page.get_by_test_id('end-interview')).to_have_count(0)  # interviewer-only control
    cara.focus_end()
    cara.page.keyboard.type('answer')
    server.wait_code(interview['id'], 'answer')
    ivan.page.get_by_test_id('end-interview').click()
    expect(cara.page.get_by_test_id('ended-banner')).to_be_visible()
    expect(cara.editor).to_have_attribute('data-ended', 'true')
    cara.focus_end()
    cara.page.keyboard.type(' more')
    assert cara.text() == 'answer'
    assert server.interview(interview['id'])['ended'] is True
    assert server.interview(interview['id'])['code'] == 'answer'
    ivan.page.get_by_test_id('reopen-interview').click()
    expect(cara.editor).to_have_attribute('data-ended', 'false')
    expect(cara.page.get_by_test_id('ended-banner')).to_be_hidden()
    cara.focus_end()
    cara.page.keyboard.type(' more')
    server.wait_code(interview['id'], 'answer more')
    ivan.wait_text('answer more')

"""Issue 14 end to end: the team workspace in real Chromium against a real server.

First run → dashboard → create an interview → the candidate joins by link without an account → the dashboard shows
the room live with the candidate's name, then ended after End (pushed, never reloaded), then erased from it; a
member who opens an interviewer link joins under the account's name; a member invited by link
sees the team's interviews, and once disabled is out at once (page and API token); sign-out closes the dashboard
and the API; five wrong passwords lock sign-in with a clear message; hostile names and titles are text.
"""

import re

import httpx
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage, download, wait_in_page
from tools.app_server import ADMIN_EMAIL, ADMIN_PASSWORD

HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">Backend'
HOSTILE_NAME = '<b>Bob</b> & "Co"'



def _row(page, interview_id: str):
    return page.locator(f'[data-testid=interview-row][data-id="{interview_id}"]')


def test_first_run_to_a_live_then_ended_room_on_the_dashboard(own_server, new_page):
    page = new_page()
    page.goto(own_server.url)
    page.get_by_test_id('setup-name').fill('Ann')
    page.get_by_test_id('setup-email').fill('ann@example.com')
    page.get_by_test_id('setup-password').fill('ann password 1')
    page.get_by_test_id('setup-submit').click()
    expect(page.get_by_test_id('member-name')).to_have_text('Ann')
    page.get_by_test_id('title-input').fill(HOSTILE_TITLE)
    page.get_by_test_id('candidate-input').fill(HOSTILE_NAME)
    page.get_by_test_id('create-interview').click()
    page.wait_for_url(re.compile(r'/room/[\w-]+\?key=[\w-]{22,}$'), wait_until='commit', timeout=45_000)
    interviewer = RoomPage(page, own_server, page.url.split('/room/')[1].split('?')[0])
    interviewer.wait_synced()  # no name form: the member joined under the account's name
    interview_id, key = interviewer.interview_id, page.url.split('key=')[1]
    candidate_url = httpx.get(f'{own_server.url}/api/interviews/{interview_id}',
                              headers={'X-Pairpad-Key': key}).json()['links']['candidate_url']

    board = page.context.new_page()  # the same member's second tab: the dashboard
    board.goto(own_server.url)
    row = _row(board, interview_id)
    expect(row).to_have_attribute('data-state', 'live')
    expect(row.get_by_test_id('row-title')).to_have_text(HOSTILE_TITLE)  # text, not HTML
    expect(row.get_by_test_id('row-candidate')).to_have_text(HOSTILE_NAME)
    expect(row.get_by_test_id('row-people')).to_have_text('in the room: Ann')
    expect(row.get_by_test_id('row-created-by')).to_have_text('by Ann')

    again = page.context.new_page()  # the interviewer link opened by the signed-in member: no name form, and no
    # Referer sent (a proxy that sets this policy, a privacy setting): once, that sent the tab round /open for ever

    def no_referrer(route) -> None:
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != 'referer'}
        route.fulfill(response=route.fetch(headers=headers, max_redirects=0))
    again.route(re.compile(r'/(room|open)/'), no_referrer)
    again.goto(page.url)
    RoomPage(again, own_server, interview_id).wait_synced()
    expect(again.get_by_test_id('participant').filter(has_text='Ann')).to_have_count(2)  # two tabs, one name
    again.close()

    candidate = new_page()  # another browser, no account
    candidate.goto(candidate_url)
    candidate.get_by_test_id('name-input').fill('Cy')
    candidate.get_by_test_id('join-button').click()
    RoomPage(candidate, own_server, interview_id).wait_synced()
    expect(row.get_by_test_id('row-people')).to_have_text('in the room: Ann, Cy')

    assert 'Cy' in download(page, 'export-report')  # the room's Report button
    page.get_by_test_id('end-interview').click()
    expect(row).to_have_attribute('data-state', 'ended')
    expect(row.get_by_test_id('row-state')).to_have_text('ended')
    expect(row.get_by_test_id('row-erase-at')).to_contain_text('erased automatically on')
    token = own_server.users('token', '--email', 'ann@example.com')['token']
    activity = httpx.get(f'{own_server.url}/api/activity', headers={'Authorization': f'Bearer {token}'}).json()
    assert [(a['actor'], a['action']) for a in reversed(activity)] == [  # who did what, by name
        ('Ann', 'set up the team'), ('Ann', 'created'), ('Ann', 'report downloaded'), ('Ann', 'ended')]
    assert board.evaluate('window.__pwned') is None and page.evaluate('window.__pwned') is None

    row.get_by_test_id('row-erase').click()  # erase: the row goes, and so does the interview with everything of it
    board.get_by_test_id('erase-confirm').click()
    expect(row).to_have_count(0)
    assert httpx.get(f'{own_server.url}/api/interviews/{interview_id}', headers={'X-Pairpad-Key': key}).status_code \
        == 404
    for tab in (page, candidate):  # the open room tabs turn into the refusal and forget their local copies
        expect(tab.get_by_test_id('link-refused')).to_be_visible()
        left = wait_in_page(tab, 'async id => (await indexedDB.databases()).filter(d => d.name.includes(id)).length',
                            interview_id, 0)
        assert left == 0, f'{left} local copies of the erased interview are still in the browser'


def _sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_test_id('sign-in-email').fill(email)
    page.get_by_test_id('sign-in-password').fill(password)
    page.get_by_test_id('sign-in-submit').click()


def test_an_invited_member_then_disabled_and_sign_out_closes_access(claimed, new_page, browser):
    interview = claimed.create_interview('Team pairing')  # with the admin's API token
    admin = new_page()
    _sign_in(admin, claimed.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(admin.get_by_test_id('member-name')).to_have_text('Admin')
    admin.get_by_test_id('open-team').click()
    admin.get_by_test_id('invite-email-input').fill('bob@example.com')
    admin.get_by_test_id('invite-create').click()
    expect(admin.get_by_test_id('invite-link')).to_contain_text('/invite/')
    link = admin.get_by_test_id('invite-link').inner_text()

    bob = new_page()
    bob.goto(link)
    expect(bob.get_by_test_id('invite-email')).to_have_text('You join as bob@example.com.')
    bob.get_by_test_id('invite-name').fill('Bob')
    bob.get_by_test_id('invite-password').fill('bob password 1')
    bob.get_by_test_id('invite-submit').click()
    expect(bob.get_by_test_id('member-name')).to_have_text('Bob')
    expect(_row(bob, interview['id']).get_by_test_id('row-created-by')).to_have_text('by Admin')  # the team's
    bob_token = claimed.users('token', '--email', 'bob@example.com')['token']
    assert httpx.get(f'{claimed.url}/api/interviews', headers={'Authorization': f'Bearer {bob_token}'}).status_code \
        == 200

    bob_watching = bob.context.new_page()  # a second tab of Bob's, only watching the list
    bob_watching.goto(claimed.url)
    expect(_row(bob_watching, interview['id'])).to_be_visible()
    admin.reload()  # the members list as it is now
    bob_row = admin.locator('[data-testid=member-row][data-email="bob@example.com"]')
    bob_row.get_by_test_id('member-disable').click()
    expect(bob_row).to_have_attribute('data-disabled', 'true')
    assert httpx.get(f'{claimed.url}/api/interviews', headers={'Authorization': f'Bearer {bob_token}'}).status_code \
        == 401  # the disabled member's token, at once
    bob.get_by_test_id('create-interview').click()  # the open dashboard checks the session again: out
    expect(bob.get_by_test_id('sign-in-form')).to_be_visible()
    claimed.create_interview('Made after Bob was disabled')  # pushed to the team's open dashboards, but
    expect(bob_watching.get_by_test_id('sign-in-form')).to_be_visible()  # Bob's is checked first: out, not shown
    expect(bob_watching.get_by_text('Made after Bob was disabled')).to_have_count(0)
    bob.goto(link)
    expect(bob.get_by_test_id('invite-refused')).to_be_visible()  # an invite is used once
    admin.reload()
    actions = admin.get_by_test_id('activity-row').evaluate_all('rows => rows.map(r => r.dataset.action)')
    assert {'invited', 'joined', 'disabled', 'created'} <= set(actions)

    [cookie] = [c for c in admin.context.cookies() if c['name'] == 'pairpad_session']
    assert cookie['httpOnly']
    admin.get_by_test_id('back-to-dashboard').click()
    admin.get_by_test_id('sign-out').click()
    expect(admin.get_by_test_id('sign-in-form')).to_be_visible()
    assert admin.request.get(f'{claimed.url}/api/interviews').status == 401  # the browser's cookies open nothing
    assert httpx.post(f'{claimed.url}/api/interviews', json={'title': 'x'}).status_code == 401
    replay = browser.new_context()  # the signed-out cookie, kept and sent again
    try:
        replay.add_cookies([cookie])
        again = replay.new_page()
        again.goto(claimed.url)
        expect(again.get_by_test_id('sign-in-form')).to_be_visible()
    finally:
        replay.close()


def test_five_wrong_passwords_lock_sign_in_with_a_clear_message(claimed, new_page):
    claimed.users('create', '--email', 'dee@example.com', '--name', 'Dee', stdin='dee password 1\n')
    page = new_page()
    page.goto(claimed.url)
    error = page.get_by_test_id('sign-in-error')
    page.get_by_test_id('sign-in-email').fill('dee@example.com')
    for attempt in range(5):
        page.get_by_test_id('sign-in-password').fill(f'wrong password {attempt}')
        page.get_by_test_id('sign-in-submit').click()
        # answered: a click that reached the server while the last attempt was still checked would be ignored
        expect(error).to_have_attribute('data-attempts', str(attempt + 1))
        if attempt < 4:
            expect(error).to_have_text('Wrong email or password.')
    expect(error).to_have_attribute('data-locked', 'true')
    expect(error).to_contain_text('Too many failed sign-ins')
    expect(error).to_contain_text('try again in 15 minutes')
    page.get_by_test_id('sign-in-password').fill('dee password 1')  # even the right one, while locked
    page.get_by_test_id('sign-in-submit').click()
    expect(error).to_have_attribute('data-attempts', '6')
    expect(error).to_contain_text('Too many failed sign-ins')
    assert page.get_by_test_id('member-name').count() == 0

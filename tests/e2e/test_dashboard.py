"""The dashboard's list in a browser (issue 14 §2): 50 a page with Older/Newer, search by title or candidate, the
state and "mine" filters, the live filter following a room that fills while it is shown, a row's Copy candidate
link and Open, and a member changing their password (a wrong current one is refused; the new one signs in, the
old one no longer does).

Hooks used (docs/automation.md): `page-info` (`data-total`), `page-next`, `page-prev`, `search-input`,
`filter-state`, `filter-mine`, `interview-row` (`data-id`, `data-state`), `row-title`, `row-copy-link`, `row-open`,
`no-interviews`, `change-password`, `password-dialog`, `password-current`, `password-new`, `password-submit`,
`password-message`."""

import httpx
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage
from tests.e2e.test_room_editing import wait_clipboard
from tools.app_server import ADMIN_EMAIL, ADMIN_PASSWORD

ROUNDS = 53  # two pages: 50 and 3


def _sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_test_id('sign-in-email').fill(email)
    page.get_by_test_id('sign-in-password').fill(password)
    page.get_by_test_id('sign-in-submit').click()


def _rows(page):
    return page.get_by_test_id('interview-row')


def _state(page, label: str) -> None:
    page.get_by_test_id('filter-state').click()
    page.get_by_role('option', name=label, exact=True).click()


def test_pages_search_filters_and_a_room_that_goes_live_while_filtered(claimed, new_page):
    made = [claimed.create_interview(f'Round {i:02d}') for i in range(ROUNDS)]
    for interview in made[:4]:  # four ended, with the interviewer link's key
        httpx.post(f'{claimed.url}/api/interviews/{interview["id"]}/end',
                   headers={'X-Pairpad-Key': interview['interviewer_key']}, timeout=10).raise_for_status()
    claimed.users('create', '--email', 'bob@example.com', '--name', 'Bob', stdin='bob password 1\n')
    bob_token = claimed.users('token', '--email', 'bob@example.com')['token']
    httpx.post(f'{claimed.url}/api/interviews', json={'title': 'Bob round'}, timeout=10,
               headers={'Authorization': f'Bearer {bob_token}'}).raise_for_status()

    page = new_page()
    _sign_in(page, claimed.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    info = page.get_by_test_id('page-info')
    expect(info).to_have_attribute('data-total', str(ROUNDS + 1))
    expect(_rows(page)).to_have_count(50)
    expect(_rows(page).first.get_by_test_id('row-title')).to_have_text('Bob round')  # newest first
    page.get_by_test_id('page-next').click()
    expect(_rows(page)).to_have_count(ROUNDS + 1 - 50)
    expect(_rows(page).last.get_by_test_id('row-title')).to_have_text('Round 00')
    expect(page.get_by_test_id('page-next')).to_be_disabled()
    page.get_by_test_id('page-prev').click()
    expect(_rows(page)).to_have_count(50)

    page.get_by_test_id('search-input').fill('round 07')  # case-insensitive; a new search starts at page 1
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).get_by_test_id('row-title')).to_have_text('Round 07')
    page.get_by_test_id('search-input').fill('')
    expect(info).to_have_attribute('data-total', str(ROUNDS + 1))

    page.get_by_test_id('filter-mine').click()  # the admin's own: not Bob's
    expect(info).to_have_attribute('data-total', str(ROUNDS))
    page.get_by_test_id('filter-mine').click()
    _state(page, 'Ended')
    expect(_rows(page)).to_have_count(4)
    expect(page.locator('[data-testid=interview-row][data-state=ended]')).to_have_count(4)

    _state(page, 'Live now')
    expect(page.get_by_test_id('no-interviews')).to_be_visible()
    live = made[10]
    RoomPage(new_page(), claimed, live['id']).join('Cara')  # a candidate comes: the filtered list takes the row in
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page)).to_have_attribute('data-id', live['id'])
    expect(_rows(page)).to_have_attribute('data-state', 'live')
    _state(page, 'Not started')
    expect(info).to_have_attribute('data-total', str(ROUNDS + 1 - 4 - 1))

    row = page.locator(f'[data-testid=interview-row][data-id="{made[20]["id"]}"]')
    row.get_by_test_id('row-copy-link').click()  # the candidate's link, to send them
    wait_clipboard(page, claimed.room_url(made[20]['id'], 'candidate'))
    row.get_by_test_id('row-open').click()  # into the room as the interviewer, under the account's name
    room = RoomPage(page, claimed, made[20]['id'])
    room.wait_synced()
    expect(page.get_by_test_id('my-role')).to_have_attribute('data-role', 'interviewer')
    expect(page.get_by_test_id('join-form')).to_have_count(0)
    expect(page.get_by_test_id('participant').filter(has_text='Admin')).to_have_count(1)


def test_a_member_changes_their_password(claimed, new_page):
    claimed.users('create', '--email', 'dora@example.com', '--name', 'Dora', stdin='dora password 1\n')
    page = new_page()
    _sign_in(page, claimed.url, 'dora@example.com', 'dora password 1')
    expect(page.get_by_test_id('member-name')).to_have_text('Dora')
    page.get_by_test_id('change-password').click()
    dialog = page.get_by_test_id('password-dialog')
    dialog.get_by_test_id('password-current').fill('not my password')
    dialog.get_by_test_id('password-new').fill('dora password 2')
    dialog.get_by_test_id('password-submit').click()
    expect(dialog.get_by_test_id('password-message')).to_have_text('The current password is not right.')
    dialog.get_by_test_id('password-current').fill('dora password 1')
    dialog.get_by_test_id('password-submit').click()
    expect(dialog).to_be_hidden()
    page.get_by_test_id('sign-out').click()
    expect(page.get_by_test_id('sign-in-form')).to_be_visible()
    _sign_in(page, claimed.url, 'dora@example.com', 'dora password 1')  # the old one no longer
    expect(page.get_by_test_id('sign-in-error')).not_to_have_text('')
    _sign_in(page, claimed.url, 'dora@example.com', 'dora password 2')
    expect(page.get_by_test_id('member-name')).to_have_text('Dora')

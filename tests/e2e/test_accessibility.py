"""Issue 16 §3 in real Chromium: axe-core finds no serious or critical violation on the home page (a new server's
setup form; a team's sign-in form and dashboard), the join form and the room (interviewer and candidate, light and
dark); a screen reader is told who comes and goes, when runs start and end and when the interview ends, through one
polite live region; the room is usable by keyboard with a visible focus; remote cursors' name labels shrink to a
flag 2 s after their person's last move and show on hover.

axe-core comes from npm, pinned by tests/e2e/axe/package-lock.json (`make axe`: npm ci there)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage
from tools.app_server import ADMIN_EMAIL, ADMIN_PASSWORD

AXE = Path(__file__).parent / 'axe' / 'node_modules' / 'axe-core' / 'axe.min.js'
SEVERE = ('serious', 'critical')
CODE = 'print(6 * 7)\n'


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    if not AXE.exists():
        pytest.fail(f'{AXE} is missing: run `make axe` (npm ci in tests/e2e/axe)')
    yield from _run(tmp_path_factory.mktemp('a11y'), env={'PAIRPAD_RUN_WALL_SECONDS': '30'})


def severe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per rule with its nodes.
    Nothing is excluded: every rule runs on every node, Monaco's included."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate('async () => (await axe.run(document, {resultTypes: ["violations"]})).violations')
    return [f'{v["id"]} ({v["impact"]}): {v["help"]} at {[n["target"] for n in v["nodes"]][:5]}'
            for v in violations if v['impact'] in SEVERE]


def set_theme(page: Page, theme: str) -> None:
    toggle = page.get_by_test_id('theme-toggle')
    if toggle.get_attribute('data-theme') != theme:
        toggle.click()
    expect(toggle).to_have_attribute('data-theme', theme)
    expect(page.locator('body.body--dark')).to_have_count(1 if theme == 'dark' else 0)
    expect(page.locator('.q-loading-bar[aria-hidden=true]')).to_have_count(1)  # any request it showed for is over


def announcer(room: RoomPage):
    return room.page.get_by_test_id('announcer')


def chip(room: RoomPage, other: RoomPage):
    return room.page.locator(f'[data-testid=participant][data-participant-id="{other.participant_id()}"]')


# -- axe-core ------------------------------------------------------------------------------------------------------

def test_home_page_and_join_form_have_no_serious_violation(server, new_page):
    page = new_page()
    page.goto(server.url + '/')
    expect(page.locator('html')).to_have_attribute('lang', 'en-US')
    expect(page.locator('input').first).to_be_visible()
    assert severe_violations(page) == []
    page.evaluate('document.body.append(document.createElement("button"))')  # the check can fail: a nameless button
    assert [v for v in severe_violations(page) if v.startswith('button-name (critical)')]
    interview = server.create_interview()
    page.goto(server.room_url(interview['id'], 'candidate'))
    expect(page.get_by_test_id('name-input')).to_be_visible()
    for theme in ('light', 'dark'):
        set_theme(page, theme)
        assert severe_violations(page) == [], f'join form, {theme} theme'


def test_sign_in_form_and_dashboard_have_no_serious_violation(claimed, new_page):
    """What `/` shows once a server has a team: the sign-in form, then the dashboard with an interview listed."""
    claimed.create_interview('Listed')
    page = new_page()
    page.goto(claimed.url)
    expect(page.get_by_test_id('sign-in-form')).to_be_visible()
    assert severe_violations(page) == [], 'sign-in form'
    page.get_by_test_id('sign-in-email').fill(ADMIN_EMAIL)
    page.get_by_test_id('sign-in-password').fill(ADMIN_PASSWORD)
    page.get_by_test_id('sign-in-submit').click()
    expect(page.get_by_test_id('interview-row')).to_have_count(1)
    assert severe_violations(page) == [], 'dashboard'


def test_room_has_no_serious_violation_for_either_role_in_either_theme(server, new_page):
    interview = server.create_interview(language='python')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    cara.replace_code(CODE)
    server.wait_code(interview['id'], CODE)
    cara.page.get_by_test_id('run-button').click()  # the console with output, a run status, stdin's header
    for room in (ivan, cara):
        expect(room.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=30_000)
        expect(room.page.get_by_test_id('remote-cursor')).to_have_count(1)  # the other's cursor label is drawn
        for theme in ('light', 'dark'):
            set_theme(room.page, theme)
            assert severe_violations(room.page) == [], f'{room.page.get_by_test_id("my-role").inner_text()}, {theme}'


# -- announcements --------------------------------------------------------------------------------------------------

def test_screen_readers_are_told_who_comes_and_goes_runs_and_the_end(server, new_page):
    interview = server.create_interview(language='python')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    region = announcer(ivan)
    expect(region).to_have_attribute('aria-live', 'polite')
    expect(region).to_have_count(1)
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    expect(region).to_contain_text('Cara joined as candidate.')
    expect(announcer(cara)).not_to_contain_text('Cara')  # nobody is told of their own join
    said = region.get_by_test_id('announcement').count()

    cara.replace_code(CODE)  # typing is never announced
    server.wait_code(interview['id'], CODE)
    cara.set_visibility('hidden')
    expect(region.get_by_test_id('announcement').last).to_have_text('Cara is away from the room.')
    assert region.get_by_test_id('announcement').count() == said + 1
    cara.set_visibility('visible')
    expect(region.get_by_test_id('announcement').last).to_have_text('Cara is back.')

    cara.page.get_by_test_id('run-button').click()
    expect(region).to_contain_text('Run started by Cara.')
    expect(region).to_contain_text('Run ended: exit code 0', timeout=30_000)
    expect(announcer(cara)).to_contain_text('Run ended: exit code 0')

    ivan.page.get_by_test_id('end-interview').click()
    expect(announcer(cara)).to_contain_text('The interview has ended. The code is read-only.')
    ivan.page.get_by_test_id('reopen-interview').click()
    expect(announcer(cara)).to_contain_text('The interview was reopened.')

    cara.page.context.close()
    expect(region.get_by_test_id('announcement').last).to_have_text('Cara left.', timeout=10_000)


# -- keyboard -------------------------------------------------------------------------------------------------------

def tab_to(page: Page, selector: str, presses: int = 40) -> None:
    """Press Tab until the focused element is (inside) `selector`; fail if it never is."""
    for _ in range(presses):
        page.keyboard.press('Tab')
        if page.evaluate('s => !!document.activeElement?.closest(s)', selector):
            return
    raise AssertionError(f'{presses} presses of Tab never reached {selector}')


def assert_focus_visible(page: Page) -> None:
    """The focused element shows an outline ring (style, width and a colour that is not transparent)."""
    outline = page.evaluate('''() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }''')
    assert outline[0] != 'none' and outline[1] >= 2 and outline[2] not in ('transparent', 'rgba(0, 0, 0, 0)'), \
        f'no visible focus on {page.evaluate("document.activeElement.outerHTML.slice(0, 200)")}: {outline}'


def test_the_room_works_by_keyboard_with_a_visible_focus(server, new_page):
    interview = server.create_interview(language='python')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    cara.replace_code(CODE)
    server.wait_code(interview['id'], CODE)
    page = cara.page
    # accessible names: what a screen reader says of the controls
    expect(page.get_by_role('button', name='Run', exact=True)).to_have_count(1)
    expect(page.get_by_role('button', name='Dark theme')).to_have_count(1)
    expect(page.get_by_role('region', name='Run output')).to_have_count(1)
    expect(chip(cara, ivan)).to_have_role('button')
    expect(chip(cara, ivan)).to_have_accessible_name('Ivan interviewer · online')
    expect(chip(cara, ivan)).to_contain_text('Ivan')

    page.get_by_test_id('theme-toggle').focus()  # in the header: Tab goes on from there
    tab_to(page, '[data-testid=language-select]')
    assert_focus_visible(page)
    tab_to(page, f'[data-testid=participant][data-participant-id="{ivan.participant_id()}"]')
    assert_focus_visible(page)
    page.keyboard.press('Enter')
    expect(chip(cara, ivan)).to_have_attribute('data-following', 'true')
    # Tab reaches the editor, where Tab indents (as in any code editor) until Ctrl+M, Monaco's own "Tab moves
    # focus" toggle that its screen-reader help (Alt+F1) announces
    tab_to(page, '[data-testid=editor]')
    page.keyboard.press('Control+M')
    tab_to(page, '[data-testid=run-button]')
    assert_focus_visible(page)
    page.keyboard.press('Enter')
    for room in (cara, ivan):
        expect(room.page.get_by_test_id('run-status')).to_contain_text('exit code 0', timeout=30_000)
    tab_to(page, '[data-testid=run-output]')
    assert_focus_visible(page)
    assert cara.text() == CODE  # no Tab landed in the code


def test_the_interviewers_controls_work_by_keyboard_with_a_visible_focus(server, new_page):
    """The controls only interviewers get, in the order Tab reaches them: the header's report and links, playback,
    the scorecard, ending (Enter ends, and Enter on Reopen reopens), the question picker."""
    interview = server.create_interview(language='python')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    page = ivan.page
    page.get_by_test_id('theme-toggle').focus()
    for testid in ('export-report', 'copy-candidate-link', 'copy-interviewer-link', 'playback', 'scorecard',
                   'end-interview'):
        tab_to(page, f'[data-testid={testid}]')
        assert_focus_visible(page)
    page.keyboard.press('Enter')
    expect(ivan.editor).to_have_attribute('data-ended', 'true')
    expect(page.get_by_test_id('reopen-interview')).to_be_focused()  # what took the pressed button's place
    assert_focus_visible(page)
    page.keyboard.press('Enter')
    expect(ivan.editor).to_have_attribute('data-ended', 'false')
    expect(page.get_by_test_id('end-interview')).to_be_focused()
    tab_to(page, '[data-testid=pick-question]')
    assert_focus_visible(page)


# -- cursor labels --------------------------------------------------------------------------------------------------

def test_a_cursor_label_shrinks_after_its_person_stops_and_shows_again_on_hover_or_a_move(server, new_page):
    interview = server.create_interview(language='plaintext')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')
    ada.focus_end()
    ada.page.keyboard.type('first line\nsecond line\nthird line\n')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    bob.wait_text('first line\nsecond line\nthird line\n')
    ada.set_caret(len('first line\nsec'))
    label = bob.page.locator(f'[data-testid=remote-cursor][data-participant-id="{ada.participant_id()}"]')
    expect(label).to_have_attribute('data-line', '2')
    expect(label).to_have_attribute('aria-hidden', 'true')  # Monaco's screen-reader mode reads the code alone
    expect(label).to_have_attribute('data-shown', 'true')
    shown = label.bounding_box()
    expect(label).to_have_attribute('data-shown', 'false', timeout=5_000)  # the page's own 2 s timer
    flag = label.bounding_box()
    assert flag['width'] <= 10 and flag['height'] <= 6 < shown['height'], (shown, flag)
    expect(label).to_have_text('Ada')  # still there for automation, only not drawn

    label.hover()
    expect(label).to_have_attribute('data-shown', 'true')
    bob.page.mouse.move(1, 1)
    expect(label).to_have_attribute('data-shown', 'false', timeout=5_000)

    bob.set_caret(0)  # Bob typing above Ada's caret moves it along: her label stays a flag
    bob.page.keyboard.type('zero\n')
    expect(label).to_have_attribute('data-line', '3')
    assert label.get_attribute('data-shown') == 'false'

    ada.page.keyboard.press('ArrowRight')  # her own move shows it again
    expect(label).to_have_attribute('data-shown', 'true')
    expect(label).to_have_attribute('data-shown', 'false', timeout=5_000)
    ada.page.keyboard.type('x')  # and so does her typing
    expect(label).to_have_attribute('data-shown', 'true')

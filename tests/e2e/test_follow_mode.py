"""Issue 16 §2 in real Chromium: clicking a participant's chip follows them (the editor scrolls to keep their caret
in view as they move and type) until you move your own caret or click again; the chip says so
(`data-following`, `aria-pressed`); it works from the keyboard, and for a candidate following an interviewer."""

from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage, wait_in_page

LINES = 300
CODE = ''.join(f'value_{n} = {n}\n' for n in range(1, LINES + 1))


def chip(room: RoomPage, other: RoomPage):
    return room.page.locator(f'[data-testid=participant][data-participant-id="{other.participant_id()}"]')


def wait_line_visible(room: RoomPage, line: int, visible: bool = True) -> None:
    """Wait until `line` is (or is not) within the editor's viewport, and fail if it never is (or never stops
    being)."""
    seen = wait_in_page(room.page, '([el, n]) => el.pairpad.editor.getVisibleRanges().some('
                            'r => r.startLineNumber <= n && n <= r.endLineNumber)',
                 [room.editor.element_handle(), line], visible, timeout_ms=15_000)
    assert seen == visible, f'line {line} is {"not " if visible else ""}in view'


def wait_their_caret_on_line(room: RoomPage, other: RoomPage, line: int) -> None:
    """Wait until `room` shows `other`'s caret on `line`: what would make a following editor scroll there."""
    expect(room.page.locator(f'[data-testid=remote-cursor][data-participant-id="{other.participant_id()}"]')) \
        .to_have_attribute('data-line', str(line))


def move_caret_to_line(room: RoomPage, line: int) -> None:
    """Put the caret at the end of `line` by keyboard: Ctrl+Home, then Down (line - 1) times would be slow, so
    jump with Monaco's own Go to Line action and End, both key presses."""
    room.focus_end()
    room.page.keyboard.press('Control+g')
    room.page.keyboard.type(str(line))
    room.page.keyboard.press('Enter')
    room.page.keyboard.press('End')


def test_following_keeps_their_caret_in_view_until_you_move_your_own(server, new_page):
    interview = server.create_interview(language='python')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada', role='interviewer')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob', role='candidate')
    ada.replace_code(CODE)
    bob.wait_text(CODE)
    ada.page.keyboard.press('Control+Home')
    wait_line_visible(ada, 1)
    bob_chip = chip(ada, bob)
    expect(bob_chip).to_have_attribute('data-following', 'false')
    expect(bob_chip).to_have_role('button')  # a native button: Enter and Space click it

    bob_chip.click()
    expect(bob_chip).to_have_attribute('data-following', 'true')
    expect(bob_chip).to_have_attribute('aria-pressed', 'true')
    move_caret_to_line(bob, 250)
    bob.page.keyboard.type('  # here')
    wait_line_visible(ada, 250)                  # Ada's editor went where Bob is
    move_caret_to_line(bob, 40)
    wait_line_visible(ada, 40)                   # and follows him back up

    ada.focus_end()                              # Ada moves her own caret (Ctrl+End in her editor): following ends
    expect(bob_chip).to_have_attribute('data-following', 'false')
    wait_line_visible(ada, LINES)
    move_caret_to_line(bob, 120)
    bob.page.keyboard.type('  # not followed')
    ada.wait_text(bob.text())
    wait_their_caret_on_line(ada, bob, 120)
    wait_line_visible(ada, 120, visible=False)   # her view stays where she put it


def test_a_candidate_follows_by_keyboard_and_clicking_again_stops(server, new_page):
    interview = server.create_interview(language='python')
    ivan = RoomPage(new_page(), server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), server, interview['id']).join('Cara', role='candidate')
    ivan.replace_code(CODE)
    cara.wait_text(CODE)
    ivan_chip = chip(cara, ivan)
    ivan_chip.focus()
    cara.page.keyboard.press('Enter')
    expect(ivan_chip).to_have_attribute('data-following', 'true')
    move_caret_to_line(ivan, 200)
    ivan.page.keyboard.type('  # look here')
    wait_line_visible(cara, 200)
    ivan_chip.click()                            # clicking again stops following
    expect(ivan_chip).to_have_attribute('data-following', 'false')
    cara.editor.evaluate('el => el.pairpad.editor.revealLine(1)')
    wait_line_visible(cara, 1)
    move_caret_to_line(ivan, 280)
    ivan.page.keyboard.type('  # far away')
    cara.wait_text(ivan.text())
    wait_their_caret_on_line(cara, ivan, 280)
    wait_line_visible(cara, 280, visible=False)
    expect(cara.page.locator(f'[data-testid=participant][data-participant-id="{cara.participant_id()}"]')) \
        .not_to_have_attribute('role', 'button')  # nobody follows themselves

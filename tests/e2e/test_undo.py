"""Per-tab undo and redo: Ctrl+Z and Ctrl+Shift+Z / Ctrl+Y only ever touch the pressing tab's own edits.

Each scenario drives real keystrokes in two Chromium contexts and checks, in both editors and on the server,
that the other person's characters are intact and the document converged. Before the fix (Monaco's own undo
stack replaying stale ranges) the first scenario ended as `7; adawas_here = 42x = 1`.
"""

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage


def two_people(server, new_page, language: str = 'plaintext') -> tuple[dict, RoomPage, RoomPage]:
    interview = server.create_interview(language=language)
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    return interview, ada, bob


def type_at(room: RoomPage, offset: int, text: str) -> None:
    room.set_caret(offset)
    room.page.keyboard.type(text)


def can_undo(room: RoomPage) -> bool:
    return room.editor.evaluate('el => el.pairpad.undo.canUndo()')


def can_redo(room: RoomPage) -> bool:
    return room.editor.evaluate('el => el.pairpad.undo.canRedo()')


def caret_offset(room: RoomPage) -> int:
    return room.editor.evaluate('el => { const e = el.pairpad.editor; return e.getModel().getOffsetAt(e.getPosition()); }')


def press_until(room: RoomPage, keys: str, more: str, check=None, limit: int = 20) -> int:
    """Press `keys` in `room` until its history has nothing `more` ('canUndo'/'canRedo') to give; `check(text)`
    after each press. How many presses a burst of typing takes depends on Monaco's word grouping (and, on a
    stalled machine, on the capture timeout), not on anyone else's edits; returns the count."""
    room.editor.locator('.monaco-editor textarea').focus()
    for presses in range(1, limit + 1):
        room.page.keyboard.press(keys)
        if check is not None:
            check(room.text())
        if not room.editor.evaluate(f'el => el.pairpad.undo.{more}()'):
            return presses
    raise AssertionError(f'{keys} still had history after {limit} presses')


def undo_all(room: RoomPage, check=None) -> int:
    return press_until(room, 'Control+z', 'canUndo', check)


def redo_all(room: RoomPage, check=None) -> int:
    return press_until(room, 'Control+Shift+z', 'canRedo', check)


def everyone_has(server, interview: dict, rooms: list[RoomPage], expected: str) -> None:
    for room in rooms:
        room.wait_text(expected)
    server.wait_code(interview['id'], expected)


def test_undo_after_someone_typed_before_you_on_your_line_removes_only_your_text(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(bob, 0, 'x = 1')
    everyone_has(server, interview, [ada, bob], 'x = 1')
    type_at(ada, 0, 'ada_was_here = 42\n')
    everyone_has(server, interview, [ada, bob], 'ada_was_here = 42\nx = 1')
    type_at(bob, 0, 'bob_wrote_this = 7; ')
    expected = 'bob_wrote_this = 7; ada_was_here = 42\nx = 1'
    everyone_has(server, interview, [ada, bob], expected)
    ada.editor.locator('.monaco-editor textarea').focus()
    ada.page.keyboard.press('Control+z')  # Enter is a step of its own, as in Monaco
    everyone_has(server, interview, [ada, bob], 'bob_wrote_this = 7; ada_was_here = 42x = 1')

    def bobs_words_intact(text: str) -> None:
        assert text.startswith('bob_wrote_this = 7; ') and text.endswith('x = 1'), text
    presses = undo_all(ada, bobs_words_intact)  # then word by word, like Monaco: " 42", " =", "ada_was_here"
    assert presses >= 3
    everyone_has(server, interview, [ada, bob], 'bob_wrote_this = 7; x = 1')
    assert caret_offset(ada) == len('bob_wrote_this = 7; ')  # the caret went back to where she had typed
    redo_all(ada, bobs_words_intact)
    everyone_has(server, interview, [ada, bob], expected)
    # Bob's own undo takes back only his words (both bursts), Ada's line stays.
    undo_all(bob, lambda text: 'ada_was_here = 42\n' in text)
    everyone_has(server, interview, [ada, bob], 'ada_was_here = 42\n')


def test_undo_after_someone_deleted_part_of_your_word(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(bob, 0, 'BOB: ')
    everyone_has(server, interview, [ada, bob], 'BOB: ')  # else Ada's caret at 5 lands in a shorter text
    type_at(ada, 5, 'hello_world')
    everyone_has(server, interview, [ada, bob], 'BOB: hello_world')
    bob.select(8, 13)  # "lo_wo"
    bob.page.keyboard.press('Backspace')
    everyone_has(server, interview, [ada, bob], 'BOB: helrld')
    undo_all(ada, lambda text: text.startswith('BOB: '))
    everyone_has(server, interview, [ada, bob], 'BOB: ')


def test_undo_after_someone_typed_inside_your_word(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(ada, 0, 'abcdef')
    everyone_has(server, interview, [ada, bob], 'abcdef')
    type_at(bob, 3, 'XYZ')
    everyone_has(server, interview, [ada, bob], 'abcXYZdef')
    undo_all(ada)
    everyone_has(server, interview, [ada, bob], 'XYZ')
    press_until(ada, 'Control+y', 'canRedo')  # redo, the Windows/Linux way
    everyone_has(server, interview, [ada, bob], 'abcXYZdef')


def test_undo_of_a_paste_that_someone_then_edited_keeps_their_edit(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(ada, 0, 'typed ')
    block = 'def f():\n    return 1\n'
    ada.paste(block)  # right after typing: the paste is still a step of its own
    everyone_has(server, interview, [ada, bob], 'typed ' + block)
    type_at(bob, len('typed def f():\n    return '), 'BOB+')
    everyone_has(server, interview, [ada, bob], 'typed def f():\n    return BOB+1\n')
    ada.editor.locator('.monaco-editor textarea').focus()
    ada.page.keyboard.press('Control+z')  # the paste alone: a step of its own
    everyone_has(server, interview, [ada, bob], 'typed BOB+')
    undo_all(ada)
    everyone_has(server, interview, [ada, bob], 'BOB+')


def test_undo_after_a_reconnect(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(ada, 0, 'before the drop')
    everyone_has(server, interview, [ada, bob], 'before the drop')
    ada.page.context.set_offline(True)
    expect(ada.editor).to_have_attribute('data-connection', 'offline')
    type_at(bob, 0, 'Bob meanwhile, ')
    server.wait_code(interview['id'], 'Bob meanwhile, before the drop')
    ada.page.context.set_offline(False)
    expect(ada.editor).to_have_attribute('data-connection', 'online', timeout=20_000)
    ada.wait_synced()
    everyone_has(server, interview, [ada, bob], 'Bob meanwhile, before the drop')
    undo_all(ada, lambda text: text.startswith('Bob meanwhile, '))
    everyone_has(server, interview, [ada, bob], 'Bob meanwhile, ')


def test_redo_after_a_remote_edit(server, new_page):
    interview, ada, bob = two_people(server, new_page)
    type_at(ada, 0, 'abc def')
    everyone_has(server, interview, [ada, bob], 'abc def')
    undo_all(ada)
    everyone_has(server, interview, [ada, bob], '')
    type_at(bob, 0, 'Q')
    everyone_has(server, interview, [ada, bob], 'Q')
    redo_all(ada, lambda text: 'Q' in text)
    expected = ada.text()
    assert sorted(expected) == sorted('Qabc def') and expected.replace('abc def', '') == 'Q'
    everyone_has(server, interview, [ada, bob], expected)


def test_template_language_switch_and_restored_content_are_not_undoable(server, new_page):
    interview = server.create_interview(language='python')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    template = ada.text()
    assert template  # the server's template
    ada.page.get_by_test_id('language-select').click()
    ada.page.get_by_role('option', name='Go', exact=True).click()
    expect(ada.editor).to_have_attribute('data-language', 'go')
    ada.editor.locator('.monaco-editor textarea').focus()
    ada.page.keyboard.press('Control+z')
    assert not can_undo(ada)
    assert ada.text() == template
    expect(ada.editor).to_have_attribute('data-language', 'go')
    ada.focus_end()
    ada.page.keyboard.type('# mine')
    server.wait_code(interview['id'], template + '# mine')
    ada.page.reload()  # the reload restores the text from IndexedDB and the server: none of it is Ada's to undo
    ada.wait_synced()
    expect(ada.editor).to_have_attribute('data-local-saved', 'true')
    ada.editor.locator('.monaco-editor textarea').focus()
    ada.page.keyboard.press('Control+z')
    assert not can_undo(ada) and not can_redo(ada)
    assert ada.text() == template + '# mine'


def test_monaco_undo_command_goes_through_the_same_history(server, new_page):
    """The command (menu, command palette, keybinding) is the one Monaco's UI runs; it must not reach
    Monaco's own stack."""
    interview, ada, bob = two_people(server, new_page)
    type_at(ada, 0, 'mine')
    everyone_has(server, interview, [ada, bob], 'mine')  # else both type at 0 at once and either may come first
    type_at(bob, 0, 'his ')
    everyone_has(server, interview, [ada, bob], 'his mine')
    # as many times as her typing made steps (one, unless a stalled machine spread it past the capture timeout)
    for _ in range(10):
        ada.editor.evaluate('el => { el.pairpad.editor.focus(); el.pairpad.editor.trigger("menu", "undo", null); }')
        assert ada.text().startswith('his ')  # his words, whatever her undo took
        if not can_undo(ada):
            break
    everyone_has(server, interview, [ada, bob], 'his ')


SCHEDULES = (Path(__file__).parent / 'undo_schedules.js').read_text()


def run_schedules(server, new_page, **options) -> dict:
    interview = server.create_interview(language='plaintext')
    room = RoomPage(new_page(), server, interview['id']).join('Ada')  # a page that has loaded the editor bundle
    return room.page.evaluate(SCHEDULES, options)


def test_random_schedules_never_let_an_undo_touch_another_tabs_characters(server, new_page):
    result = run_schedules(server, new_page, seed=20261130, schedules=200, steps=40, native=False)
    assert result['failures'] == []
    assert result['undos'] > 500 and result['redos'] > 100  # the schedules did undo and redo for real


def test_the_schedule_checker_catches_monacos_own_undo(server, new_page):
    """The same schedules with Monaco's own undo stack (the bug this fixes): the checker must find failures."""
    result = run_schedules(server, new_page, seed=20261130, schedules=50, steps=40, native=True)
    assert result['failures'], 'the checker found nothing wrong with Monaco\'s own undo'

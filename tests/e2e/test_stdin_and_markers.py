"""Issue 13 §3, §4 and the language picker, in real Chromium: the shared stdin box (typed by one person, used by a
run another presses, shown in the run's header, kept through a reload, undone per tab), a run's errors as Monaco
markers in every editor of the room (a compile error, a Python exception), cleared when the next run starts, and
each language's toolchain version in the picker.

Hooks used (docs/automation.md): `stdin` (host of the stdin editor, `el.pairpad.text()`), `run-stdin`, the editor's
`data-markers` / `data-marker-lines` and `el.pairpad.markers()`, `language-option` / `language-note`, the Run
button's `data-refusal`."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _run
from tests.e2e.room_page import RoomPage


@pytest.fixture(scope='module')
def run_server(tmp_path_factory):
    """One server for the module (each test makes its own interview)."""
    yield from _run(tmp_path_factory.mktemp('stdin'), env={'PAIRPAD_RUN_WALL_SECONDS': '30'})



def stdin_box(room: RoomPage):
    return room.page.get_by_test_id('stdin')


def type_stdin(room: RoomPage, text: str) -> None:
    """Type at the end of the stdin box, key by key."""
    stdin_box(room).locator('.monaco-editor textarea').focus()
    room.page.keyboard.press('Control+End')
    room.page.keyboard.type(text)


def wait_stdin(room: RoomPage, expected: str) -> None:
    room.page.wait_for_function('([el, t]) => el.pairpad && el.pairpad.text() === t',
                                arg=[stdin_box(room).element_handle(), expected])


def choose_language(room: RoomPage, label: str) -> None:
    room.page.get_by_test_id('language-select').click()
    room.page.get_by_role('option', name=label, exact=True).click()


def run_and_wait(room: RoomPage, timeout: float = 60_000) -> None:
    room.page.get_by_test_id('run-button').click()
    expect(room.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=timeout)


RUST = ('use std::io::Read;\nfn main() {\nlet mut s = String::new();\n'
        'std::io::stdin().read_to_string(&mut s).unwrap();\n'
        'let n: i64 = s.split_whitespace().map(|x| x.parse::<i64>().unwrap()).sum();\n'
        'println!("sum={}", n);\n')


def test_interviewer_sets_stdin_candidate_runs_rust_both_see_the_output(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ivan = RoomPage(new_page(), run_server, interview['id']).join('Ivan', role='interviewer')
    cara = RoomPage(new_page(), run_server, interview['id']).join('Cara', role='candidate')
    choose_language(cara, 'Rust')
    expect(ivan.editor).to_have_attribute('data-language', 'rust')
    cara.focus_end()
    cara.page.keyboard.press('Control+A')
    cara.page.keyboard.press('Delete')
    cara.page.keyboard.type(RUST)
    if not cara.text().rstrip().endswith('}'):
        # Monaco closes main's brace itself once Rust's bracket rules have loaded (lazily, after the switch); when
        # the typing came first, the person types the brace
        cara.page.keyboard.type('}')
    typed = cara.text()
    assert typed.replace(' ', '').replace('\n', '').endswith('println!("sum={}",n);}'), typed
    type_stdin(ivan, '1 2 3\n4 5')
    wait_stdin(cara, '1 2 3\n4 5')
    run_server.wait_code(interview['id'], typed)
    cara.focus_end()
    cara.page.keyboard.press('Control+Enter')
    for room in (cara, ivan):
        output = room.page.get_by_test_id('run-output')
        expect(output).to_have_attribute('data-state', 'ended', timeout=60_000)
        expect(output.locator('[data-stream=stdout]')).to_have_text('sum=15\n')
        header = room.page.get_by_test_id('run-stdin')
        expect(header).to_contain_text('stdin: 2 lines')
        expect(header).to_contain_text('1 2 3\n4 5')
        expect(room.page.get_by_test_id('run-status')).to_contain_text('exit code 0')
        expect(room.editor).to_have_attribute('data-markers', '0')


CPP_ERROR = '#include <iostream>\n\nint main() {\n    std::cout << "hi" << std::endl;\n    return missing + 1;\n}\n'


def test_a_compile_error_is_marked_in_both_editors_and_cleared_by_the_next_run(run_server, new_page):
    interview = run_server.create_interview(language='cpp')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada', role='interviewer')
    bob = RoomPage(new_page(), run_server, interview['id']).join('Bob', role='candidate')
    bob.replace_code(CPP_ERROR)
    run_server.wait_code(interview['id'], CPP_ERROR)
    run_and_wait(bob)
    for room in (ada, bob):
        expect(room.page.get_by_test_id('run-status')).to_contain_text('compile error · exit code 1')
        expect(room.page.get_by_test_id('run-output').locator('[data-stream=stderr]').first) \
            .to_contain_text("main.cpp:5:12: error: ‘missing’ was not declared in this scope")
        expect(room.editor).to_have_attribute('data-marker-lines', '5')
        [marker] = room.editor.evaluate('el => el.pairpad.markers()')
        assert (marker['line'], marker['column'], marker['severity']) == (5, 12, 'error')
        assert 'not declared' in marker['message']
    fixed = '#include <iostream>\n#include <thread>\n\nint main() {\n    std::cout << "hi" << std::endl;\n' \
            '    std::this_thread::sleep_for(std::chrono::seconds(4));\n}\n'
    bob.replace_code(fixed)
    run_server.wait_code(interview['id'], fixed)
    ada.page.get_by_test_id('run-button').click()
    for room in (ada, bob):  # cleared as the run starts, while it still runs
        expect(room.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'running')
        expect(room.editor).to_have_attribute('data-markers', '0')
    assert bob.page.get_by_test_id('run-output').get_attribute('data-state') == 'running'
    for room in (ada, bob):
        expect(room.page.get_by_test_id('run-output')).to_have_attribute('data-state', 'ended', timeout=60_000)
        expect(room.page.get_by_test_id('run-output')).to_contain_text('hi')


def test_a_python_exception_marks_its_line_also_for_a_tab_that_joins_later(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    code = 'def f(n):\n    return 10 // n\n\n\nprint(f(0))\n'
    ada.replace_code(code)
    run_server.wait_code(interview['id'], code)
    run_and_wait(ada)
    expect(ada.editor).to_have_attribute('data-marker-lines', '2')  # the line that raised, not the call
    [marker] = ada.editor.evaluate('el => el.pairpad.markers()')
    assert 'ZeroDivisionError' in marker['message']
    late = RoomPage(new_page(), run_server, interview['id']).join('Late')
    expect(late.editor).to_have_attribute('data-marker-lines', '2')
    assert late.editor.evaluate('el => el.pairpad.markers()') == [marker]


def test_stdin_syncs_survives_a_reload_and_undo_is_per_tab(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    bob = RoomPage(new_page(), run_server, interview['id']).join('Bob')
    type_stdin(ada, 'first')
    wait_stdin(bob, 'first')
    type_stdin(bob, '\nsecond')
    wait_stdin(ada, 'first\nsecond')
    ada.page.keyboard.press('Control+Z')  # undoes Ada's own typing only, never Bob's
    wait_stdin(ada, '\nsecond')
    wait_stdin(bob, '\nsecond')
    assert ada.text() == bob.text()  # the code was not touched
    bob.page.reload()
    bob.wait_synced()
    wait_stdin(bob, '\nsecond')
    ada.page.get_by_test_id('run-button').click()
    expect(bob.page.get_by_test_id('run-stdin')).to_contain_text('stdin: 2 lines')


def test_the_picker_shows_each_toolchain_version_and_run_follows_the_language(run_server, new_page):
    interview = run_server.create_interview(language='python')
    ada = RoomPage(new_page(), run_server, interview['id']).join('Ada')
    bob = RoomPage(new_page(), run_server, interview['id']).join('Bob')
    ada.page.get_by_test_id('language-select').click()
    expect(ada.page.get_by_test_id('language-option').last).to_be_visible()
    notes = {option.get_attribute('data-language-id'): option.get_by_test_id('language-note').inner_text()
             for option in ada.page.get_by_test_id('language-option').all()}
    assert notes['python'].startswith('Python 3.')
    assert notes['java'].startswith('Java 17')
    assert notes['go'].startswith('Go 1.')
    assert notes['plaintext'] == ''
    buttons = [room.page.get_by_test_id('run-button') for room in (ada, bob)]
    assert [button.get_attribute('data-refusal') for button in buttons] == [None, None]
    ada.page.get_by_role('option', name='Plain text', exact=True).click()
    for button in buttons:  # plain text never runs: off in every tab, saying why
        expect(button).to_be_disabled()
        expect(button).to_have_attribute('data-refusal', re.compile('nothing to run'))
    choose_language(bob, 'Go')  # changed in the other tab: runnable again everywhere
    for button in buttons:
        expect(button).to_be_enabled()
        expect(button).not_to_have_attribute('data-refusal', re.compile('.'))

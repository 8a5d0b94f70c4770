"""Issue 5 §6 (part): download the code with the language's extension; the light/dark theme toggle."""

from playwright.sync_api import expect

from languages import LANGUAGES

from tests.e2e.room_page import RoomPage


def test_download_code_has_the_extension_of_the_language(server, new_page):
    interview = server.create_interview(title='Rust round <1>', language='rust')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    ada.focus_end()
    ada.page.keyboard.type('// done')
    expected = LANGUAGES['rust'].template + '// done'
    server.wait_code(interview['id'], expected)
    with ada.page.expect_download() as download:
        ada.page.get_by_test_id('export-code').click()
    assert download.value.suggested_filename == 'rust-round-1.rs'
    assert open(download.value.path(), encoding='utf-8').read() == expected


def test_theme_toggle_switches_ui_and_editor_and_is_remembered(server, new_page):
    interview = server.create_interview(language='python')
    ada = RoomPage(new_page(), server, interview['id']).join('Ada')
    toggle = ada.page.get_by_test_id('theme-toggle')
    expect(toggle).to_have_attribute('data-theme', 'light')
    toggle.click()
    expect(toggle).to_have_attribute('data-theme', 'dark')
    expect(ada.page.locator('body.body--dark')).to_have_count(1)
    expect(ada.editor.locator('.monaco-editor.vs-dark')).to_have_count(1)
    ada.page.reload()
    ada.wait_synced()
    expect(ada.page.get_by_test_id('theme-toggle')).to_have_attribute('data-theme', 'dark')
    expect(ada.editor.locator('.monaco-editor.vs-dark')).to_have_count(1)
    ada.page.get_by_test_id('theme-toggle').click()
    expect(ada.editor.locator('.monaco-editor.vs')).to_have_count(1)
    expect(ada.page.locator('body.body--dark')).to_have_count(0)

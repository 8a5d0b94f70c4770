"""A page object for the interview room: joining, typing into Monaco, reading the editor's text."""

from playwright.sync_api import Page, expect

from tools.app_server import AppServer


def received_frames(page) -> list[str]:
    """Every socket frame `page` receives from now on, as text (binary frames as Latin-1): for tests that check
    what never reaches a browser (a hidden test case, notes, another interviewer's scorecard)."""
    frames: list[str] = []
    page.on('websocket', lambda ws: ws.on(
        'framereceived', lambda payload: frames.append(payload if isinstance(payload, str) else payload.decode('latin-1'))))
    return frames


def wait_in_page(page, read: str, arg, expected, timeout_ms: int = 10_000):
    """Poll the async JS function `read(arg)` in the page until it gives `expected` (compared as JSON) or the
    timeout passes, and return its last value. Playwright's `wait_for_function` cannot do this: it does not await a
    predicate's promise, so an async predicate counts as true at once."""
    return page.evaluate(f'''async ([arg, expected, timeout]) => {{
        const read = {read};
        const deadline = Date.now() + timeout;
        let value = await read(arg);
        while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < deadline) {{
            await new Promise(resolve => setTimeout(resolve, 50));
            value = await read(arg);
        }}
        return value;
    }}''', [arg, expected, timeout_ms])


def download(page, testid: str, within=None) -> str:
    """Click the control `testid` (inside `within`, else the page) and return the text of the file it downloads."""
    with page.expect_download() as downloaded:
        (within or page).get_by_test_id(testid).click()
    return open(downloaded.value.path(), encoding='utf-8').read()


class RoomPage:
    def __init__(self, page: Page, server: AppServer, interview_id: str) -> None:
        self.page = page
        self.server = server
        self.interview_id = interview_id

    def join(self, name: str, role: str = 'candidate') -> 'RoomPage':
        """Open the private link of `role` and join with `name`."""
        self.page.goto(self.server.room_url(self.interview_id, role))
        expect(self.page.get_by_test_id('join-role')).to_have_attribute('data-role', role)
        self.page.get_by_test_id('name-input').fill(name)
        self.page.get_by_test_id('join-button').click()
        self.wait_synced()
        return self

    @property
    def editor(self):
        return self.page.get_by_test_id('editor')

    def wait_synced(self, timeout: float = 20_000) -> None:
        expect(self.editor).to_have_attribute('data-synced', 'true', timeout=timeout)

    def wait_local_saved(self, length: int) -> None:
        """Wait until this tab's IndexedDB copy (y-indexeddb) holds a document of `length` characters."""
        held = wait_in_page(self.page, '''async room => {
            const { Y, IndexeddbPersistence } = await import("pairpad-collab-editor");
            const doc = new Y.Doc();
            const local = new IndexeddbPersistence("pairpad:" + room, doc);
            await local.whenSynced;
            const length = doc.getText("code").length;
            await local.destroy();
            return length;
        }''', self.interview_id, length)
        assert held == length, f'the IndexedDB copy holds {held} characters, not {length}'


    def text(self) -> str:
        return self.editor.evaluate('el => el.pairpad.text()')

    def wait_text(self, expected: str, timeout: float = 30_000) -> None:
        """Until this editor holds exactly `expected`. 30 s: an update that went astray on a loaded machine is
        healed by the tabs' idle check (every 10 s, collab_editor.js CHECK_MS), which a shorter wait could miss."""
        self.page.wait_for_function('([el, t]) => el.pairpad.text() === t', arg=[self.editor.element_handle(), expected],
                                    timeout=timeout)

    def text_when_settled(self, length: int, timeout: float = 15_000) -> str:
        """This editor's text once it holds `length` characters (everything typed by everyone arrived)."""
        self.page.wait_for_function('([el, n]) => el.pairpad.text().length === n',
                                    arg=[self.editor.element_handle(), length], timeout=timeout)
        return self.text()

    def focus_end(self) -> None:
        """Click into the editor and put the caret at the very end of the document."""
        self.editor.locator('.monaco-editor textarea').focus()
        self.page.keyboard.press('Control+End')

    def participant_id(self) -> str:
        return self.editor.get_attribute('data-participant-id')

    def select(self, start: int, end: int) -> None:
        self.editor.evaluate('(el, [s, e]) => { const ed = el.pairpad.editor; const m = ed.getModel(); '
                             'const a = m.getPositionAt(s), b = m.getPositionAt(e); ed.focus(); '
                             'ed.setSelection({startLineNumber: a.lineNumber, startColumn: a.column, '
                             'endLineNumber: b.lineNumber, endColumn: b.column}); }', [start, end])

    def set_visibility(self, state: str) -> None:
        """Emulate the tab being hidden (another tab in front) or shown again."""
        self.page.evaluate('s => { Object.defineProperty(document, "visibilityState", {value: s, configurable: true}); '
                           'Object.defineProperty(document, "hidden", {value: s === "hidden", configurable: true}); '
                           'document.dispatchEvent(new Event("visibilitychange")); }', state)

    def set_caret(self, offset: int) -> None:
        self.editor.locator('.monaco-editor textarea').focus()
        self.editor.evaluate('(el, o) => { const e = el.pairpad.editor; const p = e.getModel().getPositionAt(o); '
                             'e.setPosition(p); e.focus(); }', offset)

    # -- interviewer notes ---------------------------------------------------------------------------------------

    @property
    def notes_editor(self):
        return self.page.get_by_test_id('notes-editor')

    def type_notes(self, text: str) -> None:
        """Type at the end of the notes, key by key."""
        self.notes_editor.locator('.monaco-editor textarea').focus()
        self.page.keyboard.press('Control+End')
        self.page.keyboard.type(text)

    def notes_text(self) -> str:
        return self.notes_editor.evaluate('el => el.pairpad.text()')

    def wait_notes(self, expected: str, timeout: float = 15_000) -> None:
        self.page.wait_for_function('([el, t]) => el.pairpad && el.pairpad.text() === t',
                                    arg=[self.notes_editor.element_handle(), expected], timeout=timeout)

    def paste_notes(self, text: str) -> None:
        """Paste at the end of the notes: one change that carries the whole text."""
        self.page.evaluate('text => navigator.clipboard.writeText(text)', text)
        self.notes_editor.locator('.monaco-editor textarea').focus()
        self.page.keyboard.press('Control+End')
        self.page.keyboard.press('Control+V')

    def paste(self, text: str) -> None:
        """Paste at the end of the code: one change that carries the whole text."""
        self.page.evaluate('text => navigator.clipboard.writeText(text)', text)
        self.focus_end()
        self.page.keyboard.press('Control+V')

    def replace_code(self, text: str) -> None:
        """Replace the code the way a person would: select all, paste (a paste is not auto-indented)."""
        self.page.evaluate('text => navigator.clipboard.writeText(text)', text)
        self.focus_end()
        self.page.keyboard.press('Control+A')
        self.page.keyboard.press('Control+V')

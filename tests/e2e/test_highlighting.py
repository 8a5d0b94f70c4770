"""Every language of the table is highlighted in the editor (issue 13 §1: a Monarch grammar for every one): one
snippet, shown under each language in turn (picked in the room's language select), is drawn in more than one token
colour. Plain text, drawn in one, shows that the check can fail: a language whose grammar is not in the editor's
bundle looks like it."""

from playwright.sync_api import expect

from languages import LANGUAGES, PLAIN_TEXT
from tests.e2e.room_page import RoomPage

# something each grammar colours: a keyword or a string in every one (PHP only inside <?php)
SNIPPET = '<?php echo "text"; if (x) { return 42; } // note'
TOKEN_CLASSES = ('el => [...new Set([...el.querySelectorAll(".view-lines span > span")]'
                 '.map((s) => [...s.classList].find((c) => /^mtk\\d+$/.test(c))))].filter(Boolean).length')


def _token_classes(room: RoomPage, language: str) -> int:
    expect(room.editor).to_have_attribute('data-language', language)
    # Monarch tokenizes the visible lines once the model's language is set: wait for a stable count
    counts = [room.editor.evaluate(TOKEN_CLASSES)]
    while len(counts) < 3 or counts[-1] != counts[-2]:
        room.page.wait_for_timeout(100)
        counts.append(room.editor.evaluate(TOKEN_CLASSES))
    return counts[-1]


def test_every_language_is_drawn_in_several_token_colours_and_plain_text_in_one(server, new_page):
    interview = server.create_interview(language=PLAIN_TEXT.id)
    room = RoomPage(new_page(), server, interview['id']).join('Hil')
    room.focus_end()
    room.page.keyboard.type(SNIPPET)
    server.wait_code(interview['id'], SNIPPET)
    seen = {PLAIN_TEXT.id: _token_classes(room, PLAIN_TEXT.id)}
    for language in LANGUAGES.values():
        if language.id == PLAIN_TEXT.id:
            continue
        room.page.get_by_test_id('language-select').click()
        room.page.get_by_role('option', name=language.label, exact=True).click()
        seen[language.id] = _token_classes(room, language.id)
    assert room.text() == SNIPPET  # a language switch leaves someone's code as it is
    assert seen.pop(PLAIN_TEXT.id) == 1
    assert {language: count for language, count in seen.items() if count < 2} == {}

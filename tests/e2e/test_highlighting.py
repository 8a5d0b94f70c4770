"""Every language of the table is highlighted in the editor (issue 13 §1: a Monarch grammar for every one): its
template, opened in a room of that language, is drawn in more than one token colour. Plain text, drawn in one,
shows that the check can fail: a language whose grammar is not in the editor's bundle looks like it."""

from playwright.sync_api import expect

from languages import LANGUAGES, PLAIN_TEXT
from tests.e2e.room_page import RoomPage

TOKEN_CLASSES = ('el => [...new Set([...el.querySelectorAll(".view-lines span > span")]'
                 '.map((s) => [...s.classList].find((c) => /^mtk\\d+$/.test(c))))].filter(Boolean).length')


def _token_classes(room: RoomPage, language: str) -> int:
    expect(room.editor).to_have_attribute('data-language', language)
    # Monarch tokenizes the visible lines right after the model is set; wait for a stable count
    room.page.wait_for_function('() => document.querySelector("[data-testid=editor]")'
                                '.querySelectorAll(".view-lines span > span").length > 0')
    counts = [room.editor.evaluate(TOKEN_CLASSES)]
    while len(counts) < 3 or counts[-1] != counts[-2]:
        room.page.wait_for_timeout(100)
        counts.append(room.editor.evaluate(TOKEN_CLASSES))
    return counts[-1]


def test_every_language_is_drawn_in_several_token_colours_and_plain_text_in_one(server, new_page):
    page = new_page()
    seen = {}
    for language in LANGUAGES:  # plain text among them
        room = RoomPage(page, server, server.create_interview(language=language)['id']).join('Hil')
        if language == PLAIN_TEXT.id:  # its template is empty: what a grammar would colour, in none
            room.focus_end()
            room.page.keyboard.type('if (x) { return "text" + 42; } // note')
        seen[language] = _token_classes(room, language)
    assert seen.pop(PLAIN_TEXT.id) == 1
    assert {language: count for language, count in seen.items() if count < 2} == {}

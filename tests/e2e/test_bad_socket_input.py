"""Hostile payloads sent by a browser over the real socket: that sender sees an error, nobody else is touched.

The payloads are emitted through the editor component's own event via NiceGUI's `getElement` (what a tampered page could do), so they take
the real path: Socket.IO → NiceGUI → CollabEditor framing → EditorSession → Room.
"""

import base64

import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage

GARBAGE_YJS = base64.b64encode(b'\x00\x02\x04\xff\xfe\xfd\xfc').decode()

PAYLOADS = {
    'invalid base64': "{room: el.dataset.roomId, m: ['%%% not base64 %%%']}",
    'not a Yjs message': f"{{room: el.dataset.roomId, m: ['{GARBAGE_YJS}']}}",
    'foreign room': f"{{room: 'someone-elses-room', m: ['{GARBAGE_YJS}']}}",
    'wrong shape': "{room: el.dataset.roomId, m: 'not a list'}",
    'oversized': "{room: el.dataset.roomId, part: {id: 'x', i: 0, n: 100000}, d: 'A'.repeat(600000)}",
}


@pytest.mark.parametrize('name', PAYLOADS)
def test_hostile_payload_gets_a_visible_error_and_harms_nothing(server, new_page, name):
    interview = server.create_interview(language='plaintext')
    mallory = RoomPage(new_page(), server, interview['id']).join('Mallory')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    alice.focus_end()
    alice.page.keyboard.type('safe')
    mallory.wait_text('safe')
    mallory.editor.evaluate(f'el => getElement(el.id.slice(1)).$emit("yjs", {PAYLOADS[name]})')
    expect(mallory.page.locator('.q-notification')).to_contain_text('could not be applied')
    expect(alice.page.locator('.q-notification')).to_have_count(0)
    assert server.interview(interview['id'])['code'] == 'safe'
    alice.page.keyboard.type(' still live')  # the room keeps serving both
    mallory.wait_text('safe still live')
    server.wait_code(interview['id'], 'safe still live')
    assert 'rejected a message' in server.log()

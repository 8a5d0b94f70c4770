"""Hostile payloads sent by a browser over the real socket: that sender sees an error, nobody else is touched.

The payloads are emitted through the editor component's own event via NiceGUI's `getElement` (what a tampered page could do), so they take
the real path: Socket.IO → NiceGUI → CollabEditor framing → EditorSession → Room.
"""

import base64
import socket

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.room_page import RoomPage
from tools.app_server import AppServer

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



def test_a_bad_presence_message_is_refused_as_a_status_not_as_a_lost_change(server, new_page):
    """A presence message is about the tab's status, not about anything typed: its refusal says so."""
    interview = server.create_interview(language='plaintext')
    mallory = RoomPage(new_page(), server, interview['id']).join('Mallory')
    alice = RoomPage(new_page(), server, interview['id']).join('Alice')
    mallory.editor.evaluate('el => getElement(el.id.slice(1)).$emit("presence", {status: "dancing"})')
    notification = mallory.page.locator('.q-notification')
    expect(notification).to_contain_text('Your status could not be updated')
    expect(notification).not_to_contain_text('could not be applied')
    expect(alice.page.locator('.q-notification')).to_have_count(0)
    chip = alice.page.locator(f'[data-testid="participant"][data-participant-id="{mallory.participant_id()}"]')
    expect(chip).to_have_attribute('data-status', 'online')
    assert 'refused a presence update' in server.log()

def test_a_socket_request_whose_client_left_before_its_body_logs_no_error(own_server):
    """A tab that navigates while a long-poll request of its socket is on the way: the request's headers arrive,
    its body never does (pages/socket_polls.py). python-engineio alone logs KeyError 'REQUEST_METHOD'; the guard
    inside NiceGUI's middlewares logged 'No response returned' (the clean-clone run at f473beb)."""
    path = '/_nicegui_ws/socket.io/?EIO=4&transport=polling&t=left'
    for _ in range(3):
        with socket.create_connection(('127.0.0.1', own_server.port)) as connection:
            connection.sendall(f'POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n'
                               f'Content-Length: 40\r\n\r\n'.encode())
    opened = httpx.get(f'{own_server.url}{path}', timeout=10)  # a poll that stays is still answered
    assert opened.status_code == 200 and opened.text.startswith('0{"sid":'), opened.text
    own_server.stop()  # uvicorn finishes the requests it started before it exits: their errors are in the log now
    log = own_server.log()
    assert 'Traceback' not in log and 'Exception in ASGI application' not in log, log[-3000:]


def _offered_deflate_answer(server) -> str:
    """The Sec-WebSocket-Extensions a socket handshake that offers permessage-deflate gets back ('' for none)."""
    with socket.create_connection(('127.0.0.1', server.port), timeout=10) as connection:
        connection.sendall(b'GET /_nicegui_ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                           b'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
                           b'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n')
        head = b''
        while b'\r\n\r\n' not in head:
            head += connection.recv(4096)
    lines = head.decode('latin-1').split('\r\n')
    assert lines[0].startswith('HTTP/1.1 101'), lines[0]
    return next((line.split(':', 1)[1].strip() for line in lines if line.lower().startswith('sec-websocket-extensions')),
                '')


def test_socket_compression_follows_its_setting(server, tmp_path):
    """PAIRPAD_WEBSOCKET_DEFLATE (main.serve): on by default; 0 answers a browser's offer of compression with none,
    which saves the per-connection compressor's memory (docs/benchmarks.md)."""
    assert _offered_deflate_answer(server).startswith('permessage-deflate')
    plain = AppServer(tmp_path, env={'PAIRPAD_WEBSOCKET_DEFLATE': '0'}).start()
    try:
        assert _offered_deflate_answer(plain) == ''
    finally:
        plain.stop()

"""Anti-entropy: a tab whose document differs from the server's heals while it stays connected.

Ada's socket goes through a Playwright WebSocket route that can drop what the server sends her, and counts every
frame. Her tab gets an update the server lacks (applied as if it came from the server, so it is never sent) and
misses one the server has (Bob's typing, dropped on its way); both heal within 20 s by the idle check, without a
reconnect. Then, while the documents are equal, only the checks (state vector and digest) travel: no sync frame
either way.
"""

import base64
import json
import re
import time

from playwright.sync_api import WebSocketRoute, expect

from tests.e2e.room_page import RoomPage

SOCKET = re.compile(r'/_nicegui_ws/')


class SocketTap:
    """Forwards a page's socket both ways, counts frames, drops the room's events to the page while `drop`."""

    def __init__(self) -> None:
        self.drop = False
        self.connections = 0
        self.up: list[tuple[float, str]] = []
        self.down: list[tuple[float, str]] = []

    def __call__(self, ws: WebSocketRoute) -> None:
        self.connections += 1
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            self.up.append((time.monotonic(), message if isinstance(message, str) else ''))
            server.send(message)

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else ''
            self.down.append((time.monotonic(), text))
            if self.drop and text.startswith('42["pairpad:yjs"'):
                return
            ws.send(message)
        ws.on_message(from_page)
        server.on_message(from_server)

    def payloads_since(self, t: float) -> list[bytes]:
        """The y-protocols messages the room sent the page since `t` (dropped or not)."""
        out = []
        for at, text in self.down:
            if at >= t and text.startswith('42["pairpad:yjs"'):
                out += [base64.b64decode(item) for item in json.loads(text[2:])[1]['m'] if isinstance(item, str)]
        return out

    def checks_since(self, t: float) -> int:
        return sum(1 for at, text in self.up if at >= t and '\\"sv\\"' in text)

    def sync_messages_since(self, t: float) -> tuple[list[bytes], list[bytes]]:
        """Document sync messages (y-protocols type 0) the page sent and the room sent it since `t`; awareness
        (type 1: cursors, renewed every 10 s) and presence are not about the document."""
        up = []
        for at, text in self.up:
            if at >= t and text.startswith('42["event"'):
                for arg in json.loads(text[2:])[1]['args']:
                    payload = json.loads(arg)
                    if isinstance(payload, dict) and isinstance(payload.get('m'), list):
                        up += [base64.b64decode(item) for item in payload['m'] if isinstance(item, str)]
        down = self.payloads_since(t)
        return [m for m in up if m[:1] == b'\x00'], [m for m in down if m[:1] == b'\x00']


def wait_until(page, condition, timeout: float, what: str) -> None:
    """Poll `condition` (pumping Playwright's events, which run the route's callbacks) until true or `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        page.wait_for_timeout(100)


def test_a_tab_and_the_server_heal_both_ways_without_reconnecting(server, new_page):
    interview = server.create_interview(language='plaintext')
    tap = SocketTap()
    ada_page = new_page()
    ada_page.route_web_socket(SOCKET, tap)
    ada = RoomPage(ada_page, server, interview['id']).join('Ada')
    bob = RoomPage(new_page(), server, interview['id']).join('Bob')
    bob.focus_end()
    bob.page.keyboard.type('shared ')
    ada.wait_text('shared ')
    server.wait_code(interview['id'], 'shared ')

    tap.drop = True  # what the server sends Ada now is lost
    dropping = time.monotonic()
    bob.paste('from Bob')  # one update
    server.wait_code(interview['id'], 'shared from Bob')
    wait_until(ada.page, lambda: any(b'from Bob' in m for m in tap.payloads_since(dropping)), 10,
               "the room's update never came to Ada's socket")
    tap.drop = False
    assert ada.text() == 'shared '
    # ... and Ada's tab holds an edit the server never got: applied with the origin of the server's messages
    ada.editor.evaluate('''async el => {
        const { Y } = await import("pairpad-collab-editor");
        const scratch = new Y.Doc();
        scratch.getText("code").insert(0, "held back ");
        Y.applyUpdate(el.pairpad.doc, Y.encodeStateAsUpdate(scratch), "remote");
    }''')
    assert 'held back ' in ada.text() and 'held back' not in server.interview(interview['id'])['code']

    started = time.monotonic()
    ada.page.wait_for_function('el => el.pairpad.text().includes("from Bob")', arg=ada.editor.element_handle(),
                               timeout=20_000)
    wait_until(ada.page, lambda: 'held back ' in server.interview(interview['id'])['code'],
               20 - (time.monotonic() - started), 'the server never got what the tab held back')
    everyone = ada.text()
    bob.wait_text(everyone)
    server.wait_code(interview['id'], everyone)
    assert tap.connections == 1  # healed on the same socket: no reconnect
    expect(ada.editor).to_have_attribute('data-connection', 'online')

    # Equal documents: two more checks go out and no sync message, in either direction.
    quiet = time.monotonic()
    wait_until(ada.page, lambda: tap.checks_since(quiet) >= 2, 30, 'fewer than 2 checks in 30 s')
    assert tap.sync_messages_since(quiet) == ([], [])
    assert tap.checks_since(quiet) <= 4  # one per 10 s interval

"""The bare-event floor: a tiny NiceGUI app that relays one element event from a browser to the same element in
every other browser (element event → server handler → `run_method` on the others), with no CRDT, no awareness and
no database: the least the app's keystroke path can cost on NiceGUI's socket.

It also serves the page through which browsers reach the y-websocket peers (tools/bench/peer_page.html, with the
app's own Monaco + Yjs bundle), so those run in the same Chromium with the same editor.

    python -m tools.bench.floor_app PORT
"""

import sys
from pathlib import Path

from fastapi.responses import HTMLResponse
from nicegui import app, ui
from nicegui.element import Element

HERE = Path(__file__).resolve().parent
DIST = HERE.parents[1] / 'components' / 'collab_editor' / 'dist'


class FloorRelay(Element, component='floor_relay.js'):
    """A textarea whose keystrokes and caret moves are emitted as bare events."""

    def __init__(self, relays: list['FloorRelay']) -> None:
        super().__init__()
        self.relays = relays
        relays.append(self)
        self.on('key', lambda e: self._relay('receive', e.args))
        self.on('caret', lambda e: self._relay('receiveCaret', e.args))

    def _relay(self, method: str, args: object) -> None:
        for other in list(self.relays):
            if other is self:
                continue
            if other.client.id not in other.client.instances:
                self.relays.remove(other)
                continue
            other.run_method(method, args)


RELAYS: list[FloorRelay] = []


@ui.page('/floor')
def floor() -> None:
    relay = FloorRelay(RELAYS).classes('w-full')
    ui.context.client.on_delete(lambda: relay in RELAYS and RELAYS.remove(relay))


@app.get('/peer')
def peer_page() -> HTMLResponse:
    return HTMLResponse((HERE / 'peer_page.html').read_text())


app.add_static_files('/dist', DIST)

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(host='127.0.0.1', port=int(sys.argv[1]), reload=False, show=False, title='floor')

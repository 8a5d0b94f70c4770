"""The app's protocol-level peers (tools/peers/) speaking the socket protocol as today's browser component does.

The component tells the server in its `yjs` payloads that it listens for the room's broadcasts on the socket
(`direct: 1`, components/collab_editor): the server then sends every tab of the room one Socket.IO event
(`pairpad:yjs`, `{room, m}`) per broadcast instead of one `run_method('receive', …)` JavaScript call each. The peers
of tools/peers/ do not say so (yet), so the server keeps sending them `run_method` calls; these subclasses do, so the
fan-out benchmark measures what browsers get. The plain tools/peers/ classes measure the `run_method` path.
"""

from typing import Any

from components.collab_editor.collab_editor import DIRECT_EVENT
from tools.peers import SocketPeer
from tools.peers.light import LightSocketPeer


class DirectSocketPeer(SocketPeer):
    """SocketPeer that listens for the room's broadcasts on the socket, as the browser component does."""

    def _register_handlers(self) -> None:
        super()._register_handlers()
        self.sio.on(DIRECT_EVENT, self._on_direct)

    async def _on_direct(self, msg: dict) -> None:
        if isinstance(msg, dict) and msg.get('room') == self.interview_id and isinstance(msg.get('m'), list):
            self.bytes_received += sum(len(item) if isinstance(item, str) else len(item.get('d', ''))
                                       for item in msg['m'])
            self._receive(msg['m'])

    def _emit_soon(self, event_name: str, payload: Any) -> None:
        if event_name == 'yjs':
            payload = {**payload, 'direct': 1}
        super()._emit_soon(event_name, payload)


class DirectLightSocketPeer(LightSocketPeer):
    """Write-mostly author that says it listens on the socket: it reads the room's events without decoding them."""

    async def _event(self, listener: str, arg: object) -> None:
        if listener == 'yjs' and isinstance(arg, dict):
            arg = {**arg, 'direct': 1}
        await super()._event(listener, arg)

    async def _answer(self, msg: dict) -> None:
        # A resync after the room had dropped this tab (e.g. the presence sweeper found it silent while a hundred
        # authors were joining): answer it as the component does, with our SyncStep1, or the room refuses our edits
        code = msg.get('code', '') if isinstance(msg, dict) else ''
        if self._ready.is_set() and self.editor_id is not None and \
                code.startswith(f'return runMethod({self.editor_id}, "resync"'):
            self.client.handshake()
            await self._event('presence', {'status': 'online'})
        await super()._answer(msg)

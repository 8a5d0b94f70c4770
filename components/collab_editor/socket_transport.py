"""SocketTransport: the one way a room's messages reach the CollabEditors of this process.

Called with the same messages for several tabs of one document (collab.fanout.Fanout is its caller), it frames
them once (base64, large ones in parts) and sends one Socket.IO event (`pairpad:yjs`, `{room, m}`) addressed to all
of their clients: python-socketio encodes it once and writes it to each connection; no JavaScript is evaluated
and no NiceGUI outbox entry is made per tab. A tab's component says in its payloads (`direct: 1`) that it listens
for that event, which it can only do once mounted; until then what is for it is held, in order, and released
when it says so, so nothing reaches a browser that cannot handle it yet.
"""

import logging

from nicegui import background_tasks, core

from .chunks import DIRECT_EVENT, encode
from .collab_editor import CollabEditor

log = logging.getLogger(__name__)

MAX_HELD = 1000  # held for a tab that has not said it listens; past that the oldest go (its idle check heals it)


class SocketTransport:
    def __init__(self) -> None:
        self._editors: dict[str, CollabEditor] = {}
        self._held: dict[str, list[bytes]] = {}

    def add(self, peer_id: str, editor: CollabEditor) -> None:
        """Route what is sent to `peer_id` to this editor's browser."""
        self._editors[peer_id] = editor
        if not editor.direct:
            editor.on_listening(lambda: self._release(peer_id))

    def remove(self, peer_id: str) -> None:
        self._editors.pop(peer_id, None)
        self._held.pop(peer_id, None)

    def __call__(self, peer_ids: list[str], messages: list[bytes]) -> None:
        editors = [e for p in peer_ids if (e := self._editors.get(p)) is not None
                   and not e.is_deleted and not e.client.is_deleted]
        if not messages or not editors:
            return
        listening = [e for e in editors if e.direct]
        for peer_id in peer_ids:
            editor = self._editors.get(peer_id)
            if editor is not None and not editor.direct:
                held = self._held.setdefault(peer_id, [])
                held.extend(messages)
                del held[:-MAX_HELD]
        if listening:
            self._emit(listening, messages)

    def _release(self, peer_id: str) -> None:
        editor, held = self._editors.get(peer_id), self._held.pop(peer_id, [])
        if editor is not None and held:
            self._emit([editor], held)

    @staticmethod
    def _emit(editors: list[CollabEditor], messages: list[bytes]) -> None:
        clients = sorted({e.client.id for e in editors if e.client.has_socket_connection})
        if not clients:
            return  # a tab that is not connected gets everything it lacks by the sync handshake of its reconnect
        items = encode(messages, chunk_chars=min(e.chunk_chars for e in editors))
        background_tasks.create(core.sio.emit(DIRECT_EVENT, {'room': editors[0].room_id, 'm': items}, room=clients),
                                name='pairpad fan-out')

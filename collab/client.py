"""A Yjs client in pure Python (pycrdt), speaking the same messages as the browser component.

Used wherever a peer without a browser is needed: unit tests, the schedule simulator and the protocol-level
peers of the benchmarks, which carry its messages over the app's socket instead of calling a Room directly.
"""

from typing import Callable

from pycrdt import Awareness, Doc, Map, Text

from . import protocol
from .document import CODE, META
from .protocol import Kind

Send = Callable[[bytes], None]


class ProtocolClient:
    def __init__(self, send: Send, *, client_id: int | None = None) -> None:
        self.send = send
        self.doc = Doc(client_id=client_id) if client_id is not None else Doc()
        self.code = self.doc.get(CODE, type=Text)
        self.meta = self.doc.get(META, type=Map)
        self.awareness = Awareness(self.doc)
        self.synced = False

    @property
    def text(self) -> str:
        return str(self.code)

    def handshake(self) -> None:
        """Open a (re)connect: our state vector, so the server answers with everything we lack."""
        self.send(protocol.sync_step1(self.doc.get_state()))

    def receive(self, data: bytes) -> None:
        message = protocol.parse(data)
        if message.kind is Kind.SYNC_STEP1:
            self.send(protocol.sync_step2(self.doc.get_update(message.payload)))
        elif message.kind in (Kind.SYNC_STEP2, Kind.UPDATE):
            self.doc.apply_update(message.payload)
            if message.kind is Kind.SYNC_STEP2:
                self.synced = True
        elif message.kind is Kind.AWARENESS:
            self.awareness.apply_awareness_update(message.payload, origin='remote')

    # -- local edits, indexed in code points like Python strings (pycrdt itself counts UTF-8 bytes) -------------

    def insert(self, index: int, text: str) -> None:
        self._edit(lambda: self.code.insert(self._byte_offset(index), text))

    def delete(self, index: int, length: int) -> None:
        start = self._byte_offset(index)
        end = self._byte_offset(index + length)
        self._edit(lambda: self.code.__delitem__(slice(start, end)))

    def set_language(self, language: str) -> None:
        self._edit(lambda: self.meta.__setitem__('language', language))

    def set_awareness(self, state: dict | None) -> None:
        self.awareness.set_local_state(state)
        self.send(protocol.awareness(self.awareness.encode_awareness_update([self.awareness.client_id])))

    def _byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode())

    def _edit(self, change: Callable[[], None]) -> None:
        before = self.doc.get_state()
        with self.doc.transaction():
            change()
        self.send(protocol.update(self.doc.get_update(before)))

"""A headless Yjs peer on the plain y-websocket wire (one binary y-protocols message per WebSocket frame), the
protocol of pycrdt-websocket's server and of `@y/websocket-server`. Same API as SocketPeer, so a benchmark
runs one workload against each server."""

import asyncio
import logging
import time
from typing import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from collab import protocol
from collab.client import ProtocolClient
from collab.errors import ProtocolError
from collab.protocol import Kind

from .socket_peer import RemoteUpdate

log = logging.getLogger(__name__)


class WebsocketPeer:
    def __init__(self, url: str, *, apply_remote: bool = True) -> None:
        self.url = url
        self.apply_remote = apply_remote
        self.client = ProtocolClient(self._send)
        self.updates_received = 0
        self.bytes_received = 0
        self.notifications: list[str] = []
        self._ws: ClientConnection | None = None
        self._emits: asyncio.Queue[bytes] = asyncio.Queue()
        self._callbacks: list[Callable[[RemoteUpdate], None]] = []
        self._synced = asyncio.Event()
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._remote = False
        self._inserted: list[str] = []
        self.client.code.observe(self._on_code_event)

    @classmethod
    async def join(cls, server_url: str, room: str, name: str = '', *, timeout: float = 20.0,
                   apply_remote: bool = True) -> 'WebsocketPeer':
        """Connect to `server_url/room` and wait for the sync handshake (the server's SyncStep2)."""
        peer = cls(f'{server_url.rstrip("/")}/{room}', apply_remote=apply_remote)
        peer._ws = await connect(peer.url, max_size=None, open_timeout=timeout, compression=None)
        peer._tasks = [asyncio.create_task(peer._read_forever()), asyncio.create_task(peer._write_forever())]
        peer.client.handshake()
        if name:
            peer.client.set_awareness({'user': {'name': name}})
        await asyncio.wait_for(peer._synced.wait(), timeout)
        return peer

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            await self._ws.close()

    @property
    def text(self) -> str:
        return self.client.text

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    async def insert(self, index: int, text: str) -> None:
        self.client.insert(index, text)
        await asyncio.sleep(0)

    async def delete(self, index: int, length: int) -> None:
        self.client.delete(index, length)
        await asyncio.sleep(0)

    def on_update(self, callback: Callable[[RemoteUpdate], None]) -> 'WebsocketPeer':
        self._callbacks.append(callback)
        return self

    async def wait_text(self, expected: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.text != expected:
            if time.monotonic() > deadline:
                raise AssertionError(f'text never became {expected[:80]!r}; last {self.text[:80]!r}')
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 0.25)
            except asyncio.TimeoutError:
                pass

    def _send(self, message: bytes) -> None:
        self._emits.put_nowait(message)

    async def _write_forever(self) -> None:
        assert self._ws is not None
        while True:
            message = await self._emits.get()
            try:
                await self._ws.send(message)
            except ConnectionClosed:
                return

    async def _read_forever(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                if isinstance(message, bytes):
                    self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            self._changed.set()

    def _receive(self, message: bytes) -> None:
        now = time.time()
        self.updates_received += 1
        self.bytes_received += len(message)
        if not self.apply_remote and self._synced.is_set():
            self._report(RemoteUpdate(now, Kind.UPDATE, len(message), ''))
            return
        try:
            kind = protocol.parse(message).kind
            self._remote, self._inserted = True, []
            self.client.receive(message)
        except (ProtocolError, ValueError) as e:
            log.warning('could not apply a message from the server: %s', e)
            return
        finally:
            self._remote = False
        if kind is Kind.SYNC_STEP2:
            self._synced.set()
        self._report(RemoteUpdate(now, kind, len(message), ''.join(self._inserted)))
        self._changed.set()

    def _report(self, update: RemoteUpdate) -> None:
        for callback in self._callbacks:
            callback(update)

    def _on_code_event(self, event) -> None:
        if self._remote:
            self._inserted.extend(d['insert'] for d in event.delta if isinstance(d.get('insert'), str))

"""Write-mostly authors for fan-out benchmarks: they speak the same wire protocols as SocketPeer and
WebsocketPeer, but read what the server sends them without decoding it.

A fan-out run with N authors makes the server send N² messages a second; if every simulated author decoded
them, the authors (on the same 2 cores) would measure their own CPU, not the server's. The server cannot tell
the difference: it sends these authors everything, and they read every frame off the socket. Only the few
observer peers of a run (full SocketPeer / WebsocketPeer) apply and time what they receive.

LightSocketPeer is a minimal Engine.IO 4 / Socket.IO 5 client over one WebSocket: open packet, namespace
connect (NiceGUI's implicit handshake), ping → pong, the identity request of the room page, the editor's
listener ids from the `update` message, `resync`, heartbeats and acks, and element `event`s for its edits.
Behind the proxy (tools/cluster) the socket carries the cookies the page request got, so it reaches the instance
that served the page, as a browser's does.
"""

import ast
import asyncio
import base64
import json
import re
import time
import uuid

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from collab.client import ProtocolClient
from components.collab_editor.chunks import DIRECT_EVENT

from .socket_peer import HEARTBEAT_S, HEARTBEAT_TICK_S, QUERY, SOCKET_PATH, JoinError

MESSAGE_ID = re.compile(r'"_id":(\d+)')


class LightSocketPeer:
    apply_remote = False

    def __init__(self, base_url: str, interview_id: str) -> None:
        self.base_url = base_url.rstrip('/')
        self.interview_id = interview_id
        self.client = ProtocolClient(self._send_message)
        self.frames_received = 0
        self.bytes_received = 0
        self.editor_id: int | None = None
        self.listeners: dict[str, str] = {}
        self._identity: str | None = None
        self._client_id: str | None = None
        self._ws: ClientConnection | None = None
        self._ready = asyncio.Event()
        self._told_at = 0.0  # time.monotonic() of our last event: the heartbeat waits for a second without one
        self._resynced = False
        self._last_frame = ''
        self._tasks: list[asyncio.Task] = []
        self.on_frame = None  # called with every frame once synced (the capacity benchmark times its keystrokes)

    @property
    def text(self) -> str:
        return self.client.text

    @classmethod
    async def join(cls, base_url: str, interview_id: str, name: str, *, key: str | None,
                   timeout: float = 60.0) -> 'LightSocketPeer':
        peer = cls(base_url, interview_id)
        async with httpx.AsyncClient(base_url=peer.base_url, timeout=timeout) as http:
            response = await http.post(f'/api/interviews/{interview_id}/participants', json={'name': name},
                                       headers={'X-Pairpad-Key': key} if key else {})
            if response.status_code != 201:
                raise JoinError(f'join refused with {response.status_code}: {response.text[:200]}')
            body = response.json()
            peer._identity = json.dumps({'participantId': body['participant']['id'], 'token': body['token']})
            page = await http.get(f'/room/{interview_id}', params={'key': key} if key else {})
            cookies = '; '.join(f'{cookie}={value}' for cookie, value in http.cookies.items())
        match = QUERY.search(page.text)
        if match is None:
            raise JoinError('room page without a socket query')
        query = ast.literal_eval(match.group(1))
        peer._client_id = query['client_id']
        params = httpx.QueryParams({'client_id': query['client_id'], 'next_message_id': query['next_message_id'],
                                    'implicit_handshake': 'true', 'document_id': str(uuid.uuid4()),
                                    'tab_id': str(uuid.uuid4()), 'EIO': '4', 'transport': 'websocket'})
        ws_url = peer.base_url.replace('http', 'ws', 1) + f'{SOCKET_PATH}/?{params}'
        # behind the proxy the socket must reach the instance that served the page: its stickiness cookie goes along
        peer._ws = await connect(ws_url, max_size=None, compression=None, open_timeout=timeout,
                                 additional_headers={'Cookie': cookies} if cookies else None)
        opened = await peer._ws.recv()
        if not str(opened).startswith('0'):
            raise JoinError(f'no Engine.IO open packet: {str(opened)[:80]}')
        await peer._ws.send('40')
        peer._tasks = [asyncio.create_task(peer._read_forever()), asyncio.create_task(peer._heartbeat())]
        try:
            await asyncio.wait_for(peer._ready.wait(), timeout)
        except asyncio.TimeoutError as e:
            await peer.close()
            raise JoinError(f'no editor within {timeout} s') from e
        return peer

    async def insert(self, index: int, text: str) -> None:
        self.client.insert(index, text)
        await asyncio.sleep(0)

    def on_update(self, callback) -> 'LightSocketPeer':
        raise TypeError('a light peer does not decode what it receives; use SocketPeer to observe')

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _emit(self, event: str, payload: dict) -> None:
        assert self._ws is not None
        try:
            await self._ws.send('42' + json.dumps([event, payload], separators=(',', ':')))
        except ConnectionClosed:
            pass

    async def _event(self, listener: str, arg: object) -> None:
        self._told_at = time.monotonic()
        await self._emit('event', {'id': self.editor_id, 'client_id': self._client_id,
                                   'listener_id': self.listeners[listener], 'args': [json.dumps(arg)]})

    def _send_message(self, message: bytes) -> None:
        if 'yjs' in self.listeners:  # `direct`: we listen for the room's event, as the component does
            payload = {'room': self.interview_id, 'm': [base64.b64encode(message).decode()], 'direct': 1}
            self._tasks.append(asyncio.create_task(self._event('yjs', payload)))
            if len(self._tasks) > 64:
                self._tasks = [t for t in self._tasks if not t.done()]

    async def _read_forever(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                self.frames_received += 1
                self.bytes_received += len(frame)
                if frame == '2':
                    await self._ws.send('3')
                elif self._ready.is_set():
                    self._last_frame = frame  # for the ack; nothing else is decoded once the editor is synced
                    if self.on_frame is not None:
                        self.on_frame(frame)
                    if '"request_id"' in frame:
                        await self._answer(json.loads(frame[2:])[1])
                else:
                    await self._handle_while_joining(frame)
        except ConnectionClosed:
            pass

    async def _handle_while_joining(self, frame: str) -> None:
        if not frame.startswith('42'):
            return
        event, msg = json.loads(frame[2:])[:2]
        if event == 'update':
            for element_id, element in msg.items():
                if isinstance(element, dict) and element.get('props', {}).get('room-id') == self.interview_id:
                    self.editor_id = int(element_id)
                    self.listeners = {e['type']: e['listener_id'] for e in element.get('events', [])}
        elif event == DIRECT_EVENT and self._resynced:
            self._ready.set()  # the room's answer to our SyncStep1 (not decoded: we write only)
        elif event == 'run_javascript':
            code = msg.get('code', '')
            if self.editor_id is not None and code.startswith(f'return runMethod({self.editor_id}, "resync"'):
                self.client.handshake()
                await self._event('presence', {'status': 'online'})
                self._resynced = True
            if msg.get('request_id'):
                await self._answer(msg)

    async def _answer(self, msg: dict) -> None:
        code = msg.get('code', '')
        if self._ready.is_set() and self.editor_id is not None and \
                code.startswith(f'return runMethod({self.editor_id}, "resync"'):
            # A resync after the room had dropped this tab (the presence sweeper found it silent, say): answer it
            # as the component does, with our SyncStep1, or the room refuses our edits.
            self.client.handshake()
            await self._event('presence', {'status': 'online'})
        result = self._identity if code.startswith('sessionStorage.getItem(') and \
            f'pairpad:participant:{self.interview_id}' in code else None
        await self._emit('javascript_response', {'request_id': msg['request_id'], 'client_id': self._client_id,
                                                 'result': result})

    async def _heartbeat(self) -> None:
        """As the component: a heartbeat after HEARTBEAT_S without any event of ours (an edit is a sign of life)."""
        acked_at = time.monotonic()
        while True:
            await asyncio.sleep(HEARTBEAT_TICK_S)
            if 'presence' in self.listeners and time.monotonic() - self._told_at >= HEARTBEAT_S:
                await self._event('presence', {'status': 'online'})
            if time.monotonic() - acked_at >= 3 and (found := MESSAGE_ID.findall(self._last_frame)):
                await self._emit('ack', {'client_id': self._client_id, 'next_message_id': int(found[-1]) + 1})
                acked_at = time.monotonic()


class LightWebsocketPeer:
    """A y-websocket author that reads every frame the server sends and decodes none after the handshake."""

    apply_remote = False

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = ProtocolClient(self._send)
        self.frames_received = 0
        self.bytes_received = 0
        self._ws: ClientConnection | None = None
        self._synced = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    @property
    def text(self) -> str:
        return self.client.text

    @classmethod
    async def join(cls, server_url: str, room: str, name: str = '', *, timeout: float = 60.0) -> 'LightWebsocketPeer':
        peer = cls(f'{server_url.rstrip("/")}/{room}')
        peer._ws = await connect(peer.url, max_size=None, open_timeout=timeout, compression=None)
        peer._tasks = [asyncio.create_task(peer._read_forever())]
        peer.client.handshake()
        await asyncio.wait_for(peer._synced.wait(), timeout)
        return peer

    async def insert(self, index: int, text: str) -> None:
        self.client.insert(index, text)
        await asyncio.sleep(0)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._ws is not None:
            await self._ws.close()

    def _send(self, message: bytes) -> None:
        if self._ws is not None:
            self._tasks.append(asyncio.create_task(self._send_now(message)))
            if len(self._tasks) > 64:
                self._tasks = [t for t in self._tasks if not t.done()]

    async def _send_now(self, message: bytes) -> None:
        try:
            await self._ws.send(message)
        except ConnectionClosed:
            pass

    async def _read_forever(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                self.frames_received += 1
                self.bytes_received += len(frame)
                if not self._synced.is_set() and frame[:2] == bytes((0, 1)):
                    self._synced.set()
                elif not self._synced.is_set() and frame[:2] == bytes((0, 0)):
                    self.client.receive(frame)  # answer the server's SyncStep1 (an empty SyncStep2 for us)
        except ConnectionClosed:
            pass

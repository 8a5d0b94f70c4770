"""A headless participant that speaks the app's real socket protocol, exactly as a browser tab does.

    peer = await SocketPeer.join('http://127.0.0.1:8080', interview_id, 'Ada')
    await peer.insert(0, 'hello')
    await peer.wait_text('hello world')
    await peer.close()

What a tab does, and so what this does:
1. join through REST (`POST /api/interviews/{id}/participants`), which gives a participant and its token, the
   pair a tab keeps in sessionStorage;
2. `GET /room/{id}`: the page embeds NiceGUI's socket query (`client_id`, `next_message_id`,
   `implicit_handshake`); connect Socket.IO at `/_nicegui_ws/socket.io` with it plus `tab_id` and
   `document_id` (the implicit handshake happens on connect);
3. answer the server's `run_javascript` requests (`javascript_response`); the room page asks for
   `sessionStorage.getItem("pairpad:participant:<id>")` and gets the stored identity, so it builds the editor;
4. find the CollabEditor in the `update` messages (the element whose props hold `room-id`) and its listener
   ids, then send element `event`s as nicegui.js does (`{id, client_id, listener_id, args: [json]}`);
5. execute the server's `runMethod(<id>, "receive" | "resync" | "setLocalUser" | ..., [args])` calls;
6. hold a pycrdt document in a `collab.client.ProtocolClient`, so the Yjs sync handshake, the edits and the
   awareness are the real ones.

Every applied remote update is reported with its arrival time (`on_update`), for the benchmarks.
`emit_raw` sends anything through the real socket, for hostile-input tests.
With `apply_remote=False` the peer is write-mostly (load generators): it reads every message off the socket but
applies none, answering only the server's SyncStep1 with what the server lacks of its own edits, and its own
SyncStep1 claims the server's state vector, so a reconnection does not fetch the whole document; `sync()` fetches
it when it is wanted.

With `reconnect=True` the peer also behaves like a tab after an unexpected drop (a server restart, or the server
giving up on the socket after a missed Engine.IO ping): it keeps the document and keeps taking edits while offline,
then retries with backoff (about 1, 2, 4, 5, 5… s, jittered, as the Socket.IO client does), re-opening the page
each time for a fresh NiceGUI client, as the browser reloads. The room asks the new connection to `resync`: the
SyncStep1/SyncStep2 handshake both ways brings whatever the server lacks (edits made offline, and edits sent into
a socket the server had already closed) and whatever the peer missed. Every drop is kept in `disconnects`.
"""

import ast
import asyncio
import json
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import httpx
import socketio

from collab import protocol
from collab.client import ProtocolClient
from collab.errors import ProtocolError
from collab.protocol import Kind
from components.collab_editor.chunks import CHUNK_CHARS, DIRECT_EVENT, FramingError, Reassembler, decode_base64, encode

log = logging.getLogger(__name__)

SOCKET_PATH = '/_nicegui_ws/socket.io'
# The browser component's heartbeat: after HEARTBEAT_S without any event, looked at every HEARTBEAT_TICK_S; the
# server turns a tab silent for 3.5 s offline
HEARTBEAT_S = 1.0
HEARTBEAT_TICK_S = 0.25
ACK_S = 3.0        # nicegui.js acknowledges received message ids every 3 s
RECONNECT_DELAY_S = 1.0      # Socket.IO client defaults: first retry after ~1 s, doubling,
RECONNECT_DELAY_MAX_S = 5.0  # at most 5 s apart, each delay jittered by ±50 %
RUN_METHOD = re.compile(r'^return runMethod\((\d+), ("(?:[^"\\]|\\.)*"), (.*)\)$', re.DOTALL)
GET_ITEM = re.compile(r'^sessionStorage\.getItem\(("(?:[^"\\]|\\.)*")\)$')
QUERY = re.compile(r'query: (\{[^\n]*\}),\n')
SYNC_STEP1_PREFIX, SYNC_STEP2_PREFIX = bytes((0, 0)), bytes((0, 1))  # y-protocols: message type sync, step 1 / 2


class JoinError(RuntimeError):
    """The peer could not join: the REST call, the page or the socket refused, or the editor never came."""


@dataclass(frozen=True)
class RemoteUpdate:
    """One y-protocols message from the server, applied to the peer's document."""

    received_at: float  # time.time() when the socket message carrying it was handled
    kind: Kind
    size: int           # bytes of the y-protocols message
    inserted: str       # text inserted into `code` by it ('' for deletions, awareness, meta)


@dataclass
class Disconnect:
    """One unexpected drop of the socket and, if the peer reconnects, when it was synced again."""

    at: float                      # time.time() when the client noticed the drop
    reason: str                    # python-socketio's reason: 'transport error', 'server disconnect', ...
    back_at: float | None = None   # time.time() when the new connection had completed its sync handshake
    attempts: int = 0              # connection attempts it took

    @property
    def offline_s(self) -> float | None:
        return None if self.back_at is None else self.back_at - self.at


class SocketPeer:
    def __init__(self, base_url: str, interview_id: str, *, apply_remote: bool = True,
                 max_message_bytes: int = 8 * 1024 * 1024, reconnect: bool = False,
                 connect_timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip('/')
        self.interview_id = interview_id
        self.key: str | None = None  # of the private link this peer opens the room page with
        self.apply_remote = apply_remote
        self.reconnect = reconnect           # behave like a tab after an unexpected drop (see the module doc)
        self.connect_timeout = connect_timeout
        self.disconnects: list[Disconnect] = []
        self._told_at = 0.0  # time.monotonic() of our last event: the heartbeat waits for a second without one
        self.participant: dict | None = None
        self.token: str | None = None
        self.client_id: str | None = None
        self.tab_id = str(uuid.uuid4())
        self.document_id = str(uuid.uuid4())
        self.editor_id: int | None = None
        self.listeners: dict[str, str] = {}  # event type → listener id of the CollabEditor
        self.user: dict | None = None        # awareness `user` the server set for this tab
        self.client = ProtocolClient(self._send_message)
        self.notifications: list[str] = []   # texts of ui.notify calls shown to this tab
        self.updates_received = 0
        self.bytes_received = 0              # payload characters of the socket messages handled
        self._callbacks: list[Callable[[RemoteUpdate], None]] = []
        self._max_message_bytes = max_message_bytes
        self._reassembler = Reassembler(max_bytes=max_message_bytes)
        self._outgoing: list[bytes] = []
        self._flush_scheduled = False
        self._next_message_id = 0
        self._acked = -1
        self._editor_ready = asyncio.Event()
        self._synced = asyncio.Event()
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._emits: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._remote = False
        self._inserted: list[str] = []
        self._opened = False                 # a connection was opened before: the next one is a reconnection
        self._closing = False
        self._reconnecting: asyncio.Task | None = None
        self._take_state = False             # apply_remote=False: apply the server's next SyncStep2 (sync())
        self._server_state: bytes | None = None  # apply_remote=False: the server's state vector on this connection
        self._handshake_opened = False       # apply_remote=False: our SyncStep1 went out on this connection
        self._awaiting_server_state = False
        self.sio = self._new_socket()

    # -- joining ---------------------------------------------------------------------------------------------

    @classmethod
    async def join(cls, base_url: str, interview_id: str, name: str, *, key: str | None, timeout: float = 20.0,
                   **options: Any) -> 'SocketPeer':
        """Join as a new participant through a private link's `key` (which decides the role) and wait until the
        first sync handshake completed. `key=None` only for a build from before private links (bench baselines)."""
        peer = cls(base_url, interview_id, **options)
        peer.key = key
        async with httpx.AsyncClient(base_url=peer.base_url, timeout=timeout) as http:
            response = await http.post(f'/api/interviews/{interview_id}/participants', json={'name': name},
                                       headers={'X-Pairpad-Key': key} if key else {})
            if response.status_code != 201:
                raise JoinError(f'join refused with {response.status_code}: {response.text[:200]}')
            body = response.json()
            peer.participant, peer.token = body['participant'], body['token']
        await peer.connect(timeout=timeout)
        return peer

    def page_path(self) -> str:
        """The room page this tab opens (its private link): the one place its URL is built."""
        return f'/room/{self.interview_id}' + (f'?{httpx.QueryParams({"key": self.key})}' if self.key else '')

    async def connect(self, *, timeout: float = 20.0) -> None:
        """Open the room page's socket as this participant's tab and wait for the synced editor."""
        try:
            await self._open(timeout)
        except JoinError:
            await self.close()
            raise

    async def _open(self, timeout: float) -> None:
        """Load the page (a new NiceGUI client), connect its socket and wait until the editor has synced.

        A reconnection starts from a fresh page, as a reloaded tab does: what belonged to the old page (its
        element and listener ids, message ids, queued events, half-received chunks) is dropped. The document and
        the awareness state are kept; the sync handshake the room asks for carries the rest."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self._opened:
            old, self.sio = self.sio, self._new_socket()
            await self._dispose(old)
        self._opened = True
        self.editor_id, self.listeners, self.client_id = None, {}, None
        self._editor_ready.clear()
        self._synced.clear()
        self._reassembler = Reassembler(max_bytes=self._max_message_bytes)
        self._outgoing.clear()
        self._emits = asyncio.Queue()
        self._acked = -1
        self._server_state, self._handshake_opened, self._awaiting_server_state = None, False, False
        self.document_id = str(uuid.uuid4())  # per page load; tab_id stays, as sessionStorage keeps it over a reload
        async with httpx.AsyncClient(base_url=self.base_url, timeout=timeout) as http:
            page = await http.get(self.page_path())
        match = QUERY.search(page.text)
        if page.status_code != 200 or match is None:
            raise JoinError(f'room page gave {page.status_code} without a socket query')
        query = ast.literal_eval(match.group(1))  # a Python dict repr in the template
        self.client_id = query['client_id']
        self._next_message_id = int(query.get('next_message_id', 0))
        params = {'client_id': self.client_id, 'next_message_id': self._next_message_id,
                  'implicit_handshake': 'true' if query.get('implicit_handshake') else 'false',
                  'document_id': self.document_id, 'tab_id': self.tab_id}
        url = f'{self.base_url}?{httpx.QueryParams(params)}'
        try:
            await self.sio.connect(url, socketio_path=SOCKET_PATH, transports=['websocket'], wait_timeout=timeout)
        except socketio.exceptions.ConnectionError as e:
            raise JoinError(f'the socket did not connect: {e}') from e
        if not query.get('implicit_handshake'):
            ok = await self.sio.call('handshake', {**params, 'old_tab_id': None}, timeout=timeout)
            if not ok:
                raise JoinError('the server refused the handshake')
        self._tasks.append(asyncio.create_task(self._heartbeat(), name='socket-peer-heartbeat'))
        self._tasks.append(asyncio.create_task(self._write_forever(), name='socket-peer-writer'))
        deadline = time.monotonic() + timeout
        while not (self._editor_ready.is_set() and self._synced.is_set()):
            if not self.sio.connected:
                raise JoinError('the socket closed before the editor had synced')
            if time.monotonic() > deadline:
                log.info('join of %s timed out: editor %s, listeners %s, messages up to %d, text %r', self.participant,
                         self.editor_id, list(self.listeners), self._next_message_id, self.text[:40])
                raise JoinError(f'no synced editor within {timeout} s (notifications: {self.notifications})')
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 0.25)
            except asyncio.TimeoutError:
                pass

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None and self._reconnecting is not asyncio.current_task():
            self._reconnecting.cancel()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self.sio.connected:
            await self.sio.disconnect()

    @property
    def connected(self) -> bool:
        """The socket is up and the editor of the current page has synced."""
        return self.sio.connected and self._synced.is_set()

    @property
    def reconnecting(self) -> bool:
        return self._reconnecting is not None and not self._reconnecting.done()

    @property
    def reconnections(self) -> int:
        return sum(1 for drop in self.disconnects if drop.back_at is not None)

    def _new_socket(self) -> socketio.AsyncClient:
        self.sio = socketio.AsyncClient(reconnection=False)  # reconnection is ours: a new page, as a tab reloads
        self._register_handlers()
        sio = self.sio
        sio.on('disconnect', lambda reason=None: self._on_disconnect(sio, reason))
        return sio

    @staticmethod
    async def _dispose(sio: socketio.AsyncClient) -> None:
        try:
            await sio.disconnect()
        except Exception as e:  # a socket that is already gone
            log.debug('disposing of an old socket: %s', e)

    def _on_disconnect(self, sio: socketio.AsyncClient, reason: str | None = None) -> None:
        self._changed.set()
        if sio is not self.sio or self._closing or reason == socketio.AsyncClient.reason.CLIENT_DISCONNECT:
            return  # our own close, or a socket already replaced
        if self.reconnecting:
            return  # dropped while reconnecting: the attempt in progress notices and retries
        drop = Disconnect(at=time.time(), reason=str(reason))
        self.disconnects.append(drop)
        log.info('%s lost its socket (%s)%s', self._name, reason, '; reconnecting' if self.reconnect else '')
        if self.reconnect:
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect(drop),
                                                                        name='socket-peer-reconnect')

    async def _reconnect(self, drop: Disconnect) -> None:
        delay = RECONNECT_DELAY_S
        while not self._closing:
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, RECONNECT_DELAY_MAX_S)
            drop.attempts += 1
            try:
                await self._open(self.connect_timeout)
            except Exception as e:  # JoinError, the server still down (httpx, OSError), a socket that dropped again
                log.info('%s: reconnection attempt %d failed: %s: %s', self._name, drop.attempts, type(e).__name__, e)
                continue
            drop.back_at = time.time()
            log.info('%s reconnected after %.1f s (%d attempts)', self._name, drop.offline_s, drop.attempts)
            return

    @property
    def _name(self) -> str:
        return str(self.participant['name']) if self.participant else self.tab_id[:8]

    # -- the document ----------------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.client.text

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    async def sync(self, timeout: float = 30.0) -> None:
        """Open the sync handshake again and wait for the server's answer: afterwards this peer's document holds
        everything the server held when it answered, also for a peer that does not apply remote updates."""
        self._synced.clear()
        self._take_state = True
        try:
            self.client.handshake()
            await self.wait_for(self._synced.is_set, timeout, lambda: f'{self._name}: no answer to sync step 1')
        finally:
            self._take_state = False

    async def insert(self, index: int, text: str) -> None:
        """Insert at a code-point index and send the update (in the same tick, like the browser)."""
        self.client.insert(index, text)
        await asyncio.sleep(0)

    async def insert_utf8(self, offset: int, text: str) -> None:
        """Insert at a UTF-8 byte offset (pycrdt's own index; 0 and `len(self.client.code)` are always character
        boundaries) without converting the document to a str, which `insert` does to count code points: 14 ms
        at 90,000 characters typed at random places, so a peer holding such a document cannot type 5/s cheaply."""
        doc = self.client.doc
        before = doc.get_state()
        with doc.transaction():
            self.client.code.insert(offset, text)
        self.client.send(protocol.update(doc.get_update(before)))
        await asyncio.sleep(0)

    async def delete(self, index: int, length: int) -> None:
        self.client.delete(index, length)
        await asyncio.sleep(0)

    async def set_language(self, language: str) -> None:
        self.client.set_language(language)
        await asyncio.sleep(0)

    def set_awareness(self, state: dict | None) -> None:
        self.client.set_awareness(state)

    def on_update(self, callback: Callable[[RemoteUpdate], None]) -> 'SocketPeer':
        """Call `callback` after every remote y-protocols message was applied."""
        if not self._callbacks:
            # Only now: with an observer on a Text, pycrdt computes a delta for every update it applies, which walks
            # the document (10 ms per update at 60,000 characters typed at random places, 0.01 ms without one).
            self.client.code.observe(self._on_code_event)
        self._callbacks.append(callback)
        return self

    async def wait_text(self, expected: str, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.text == expected, timeout,
                            lambda: f'text never became {expected[:80]!r}; last {self.text[:80]!r}')

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0,
                       message: Callable[[], str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(message() if message else 'condition not met in time')
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.25))
            except asyncio.TimeoutError:
                pass

    # -- raw access, for hostile-input tests -----------------------------------------------------------------

    async def emit_raw(self, event_name: str, args: Any) -> None:
        """Emit one of the editor's element events with any arguments (already JSON-able), unchecked."""
        await self.emit_event(self.listeners[event_name], [args])

    async def emit_event(self, listener_id: str, args: list[Any], *, element_id: int | None = None) -> None:
        """Send a NiceGUI `event` message as nicegui.js does: every argument as a JSON string."""
        self._told_at = time.monotonic()
        await self.sio.emit('event', {'id': self.editor_id if element_id is None else element_id,
                                      'client_id': self.client_id, 'listener_id': listener_id,
                                      'args': [json.dumps(arg) for arg in args]})

    # -- socket messages -------------------------------------------------------------------------------------

    def _register_handlers(self) -> None:
        self.sio.on(DIRECT_EVENT, self._on_direct)  # the room's messages, as the component receives them
        self.sio.on('update', self._on_update_message)
        self.sio.on('run_javascript', self._on_run_javascript)
        self.sio.on('notify', self._on_notify)
        self.sio.on('*', self._on_other)

    def _track(self, msg: dict) -> None:
        message_id = msg.pop('_id', None) if isinstance(msg, dict) else None
        if message_id is not None:
            self._next_message_id = max(self._next_message_id, int(message_id) + 1)

    async def _on_direct(self, msg: dict) -> None:
        if isinstance(msg, dict) and msg.get('room') == self.interview_id and isinstance(msg.get('m'), list):
            self.bytes_received += sum(len(item) if isinstance(item, str) else len(item.get('d', ''))
                                       for item in msg['m'])
            self._receive(msg['m'])

    async def _on_other(self, event: str, *args: Any) -> None:
        if args and isinstance(args[0], dict):
            self._track(args[0])

    async def _on_notify(self, msg: dict) -> None:
        self._track(msg)
        self.notifications.append(str(msg.get('message')))
        self._changed.set()

    async def _on_update_message(self, msg: dict) -> None:
        self._track(msg)
        for element_id, element in msg.items():
            if not isinstance(element, dict) or 'room-id' not in element.get('props', {}):
                continue
            if element['props']['room-id'] != self.interview_id:
                continue
            self.editor_id = int(element_id)
            self.listeners = {e['type']: e['listener_id'] for e in element.get('events', [])}
            self._editor_ready.set()

    async def _on_run_javascript(self, msg: dict) -> None:
        self._track(msg)
        code, request_id = msg.get('code', ''), msg.get('request_id')
        self.bytes_received += len(code)
        result = None
        method = RUN_METHOD.match(code)
        if method is not None:
            element_id, name, args = int(method.group(1)), json.loads(method.group(2)), json.loads(method.group(3))
            if element_id == self.editor_id:
                self._run_method(name, args)
        elif (getter := GET_ITEM.match(code)) is not None:
            if json.loads(getter.group(1)) == f'pairpad:participant:{self.interview_id}' and self.participant:
                result = json.dumps({'participantId': self.participant['id'], 'token': self.token})
        if request_id:
            await self.sio.emit('javascript_response', {'request_id': request_id, 'client_id': self.client_id,
                                                        'result': result})

    def _run_method(self, name: str, args: list) -> None:
        if name == 'receive':
            self._receive(args[0])
        elif name == 'resync':
            self._resync()
        elif name == 'setLocalUser':
            self.user = args[0]
            state = dict(self.client.awareness.get_local_state() or {})
            self.client.set_awareness({**state, 'user': self.user})

    def _resync(self) -> None:
        self._synced.clear()
        state = self.client.awareness.get_local_state()
        if state:
            self.client.set_awareness(dict(state))  # a new clock: the server dropped our old state
        if self.apply_remote or self._take_state:
            self.client.handshake()
        elif self._server_state is not None:
            self._open_handshake(self._server_state)
        else:
            self._awaiting_server_state = True  # opened when the room's SyncStep1 (its state vector) arrives
        self._emit_soon('presence', {'status': 'online'})

    def _open_handshake(self, state_vector: bytes) -> None:
        """apply_remote=False: a SyncStep1 that claims the server's own state vector, so the answer carries none
        of the document this peer does not want (a tab that holds the document gets what it missed, a few KB;
        with our own state vector every reconnection would fetch the whole document, 2 MB at 90,000 characters).
        Our edits still reach the server in full: our SyncStep2 answers its SyncStep1."""
        self.client.send(protocol.sync_step1(state_vector))
        self._handshake_opened = True

    def _receive(self, items: list) -> None:
        now = time.time()
        for item in items:
            try:
                message = self._reassembler.add(item['part'], item.get('d')) if isinstance(item, dict) \
                    else decode_base64(item)
            except (FramingError, KeyError) as e:
                log.warning('bad framing from the server: %s', e)
                continue
            if message is None:
                continue
            self.updates_received += 1
            if not self.apply_remote and not self._take_state:
                self._skim(message, now)
                continue
            try:
                kind = protocol.parse(message).kind
                self._remote, self._inserted = True, []
                self.client.receive(message)
            except (ProtocolError, ValueError) as e:
                log.warning('could not apply a message from the server: %s', e)
                continue
            finally:
                self._remote = False
            if kind is Kind.SYNC_STEP2:
                self._synced.set()
            self._report(RemoteUpdate(now, kind, len(message), ''.join(self._inserted)))
        self._changed.set()

    def _skim(self, message: bytes, now: float) -> None:
        """apply_remote=False: apply nothing from the server, but answer its SyncStep1 with what it lacks of ours,
        so nothing typed here is lost over a reconnection; its SyncStep2 only says that the handshake completed."""
        if message[:2] == SYNC_STEP1_PREFIX:
            try:
                self._server_state = protocol.parse(message).payload
                if not self._handshake_opened or self._awaiting_server_state:
                    self._awaiting_server_state = False
                    self._open_handshake(self._server_state)  # before our SyncStep2: the room wants ours first
                self.client.receive(message)  # our SyncStep2: what the server lacks of our edits
            except (ProtocolError, ValueError) as e:
                log.warning('could not answer a sync step 1 from the server: %s', e)
            self._report(RemoteUpdate(now, Kind.SYNC_STEP1, len(message), ''))
        elif message[:2] == SYNC_STEP2_PREFIX:
            self._synced.set()
            self._report(RemoteUpdate(now, Kind.SYNC_STEP2, len(message), ''))
        else:
            self._report(RemoteUpdate(now, Kind.UPDATE, len(message), ''))

    def _report(self, update: RemoteUpdate) -> None:
        for callback in self._callbacks:
            callback(update)

    def _on_code_event(self, event) -> None:
        if self._remote:
            self._inserted.extend(d['insert'] for d in event.delta if isinstance(d.get('insert'), str))

    # -- sending ---------------------------------------------------------------------------------------------

    def _send_message(self, message: bytes) -> None:
        """ProtocolClient's send: messages of one tick go out as one `yjs` event, as the component does."""
        self._outgoing.append(message)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        messages, self._outgoing = self._outgoing, []
        if not messages or 'yjs' not in self.listeners:
            return
        items = encode(messages, chunk_chars=CHUNK_CHARS)
        whole = [item for item in items if isinstance(item, str)]
        for item in items:
            if isinstance(item, dict):
                self._emit_soon('yjs', {'room': self.interview_id, **item})
        if whole:
            self._emit_soon('yjs', {'room': self.interview_id, 'm': whole})

    def _emit_soon(self, event_name: str, payload: Any) -> None:
        """Queue an element event; one writer task sends them in order."""
        listener = self.listeners.get(event_name)
        if event_name == 'yjs' and isinstance(payload, dict):
            payload = {**payload, 'direct': 1}  # we listen for DIRECT_EVENT, as the component does
        if listener is not None and self.sio.connected:
            self._emits.put_nowait((listener, payload))

    async def _write_forever(self) -> None:
        while True:
            listener, payload = await self._emits.get()
            if self.sio.connected:
                await self.emit_event(listener, [payload])

    async def _heartbeat(self) -> None:
        """As the component: a heartbeat after HEARTBEAT_S without any event of ours (an edit is a sign of life)."""
        last_ack = time.monotonic()
        while True:
            await asyncio.sleep(HEARTBEAT_TICK_S)
            if not self.sio.connected:
                continue
            if 'presence' in self.listeners and time.monotonic() - self._told_at >= HEARTBEAT_S:
                await self.emit_event(self.listeners['presence'], [{'status': 'online'}])
            if time.monotonic() - last_ack >= ACK_S and self._acked < self._next_message_id:
                await self.sio.emit('ack', {'client_id': self.client_id, 'next_message_id': self._next_message_id})
                self._acked, last_ack = self._next_message_id, time.monotonic()

"""A Room is one interview's live document: the pycrdt Doc, its Awareness, and the peers connected to it.

Peers are opaque ids with a `send(bytes)` callback, so the same Room serves NiceGUI clients, in-process pycrdt
peers in tests and protocol-level peers in benchmarks. Every transaction is tagged with its origin (a peer id,
or STORE for what was loaded), which decides whom an update goes to and whether it is persisted.
"""

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from pycrdt import Awareness, Decoder, Doc, Map, Text, get_update, merge_updates

from . import protocol
from .document import CODE, META, read_code, set_ended
from .errors import NotSynced, ProtocolError, RateLimited, RoomClosed
from .limits import Limits
from .protocol import Kind

log = logging.getLogger(__name__)

STORE = 'store'
SERVER = 'server'
EMPTY_UPDATE = b'\x00\x00'

Send = Callable[[bytes], None]
OnUpdate = Callable[[str, bytes, str | None], None]  # (room id, update, author participant id or None)


class Channel(Protocol):
    """A transport that reaches several peers of a room at once (the NiceGUI tabs of one process).

    Peers connected with a channel get the room's broadcasts through it, one call per broadcast for all of them,
    instead of one `send` each; the channel may gather them in time and encode them once. What the room sends to
    one peer only (the handshake, the answer to a SyncStep1) still goes through that peer's `send`."""

    def deliver(self, message: bytes, members: tuple[str, ...], *, exclude: str | None = None,
                update: bytes | None = None) -> None:
        """Send `message` to the room's peers connected through this channel (`members`, the same tuple object
        until one joins or leaves), except `exclude`. `update` is the document update the message carries, if it
        is a sync update, so the channel can merge several into one."""


@dataclass
class Peer:
    send: Send
    identity: dict | None = None  # the awareness `user` this peer must present, when the transport knows it
    awareness_ids: set[int] = field(default_factory=set)
    tokens: float = 0.0  # message-rate token bucket
    refilled: float = field(default_factory=time.monotonic)
    dropped: bool = False  # messages were dropped by the rate limit: ask for a resync once it is respected again
    asked_at_state: bytes | None = None  # our state vector when we last asked this peer to resend what we lack
    opened: bool = False  # sent its SyncStep1 on this connection: only then may it change the document
    author: str | None = None  # the participant whose edits these are, recorded with each stored update (playback)
    channel: Channel | None = None  # broadcasts reach this peer through its channel, not its `send`


class Room:
    """One document and its peers; see the module docstring. Not thread-safe: use from one event loop."""

    def __init__(self, room_id: str, *, limits: Limits | None = None, on_update: OnUpdate | None = None) -> None:
        self.id = room_id
        self.limits = limits or Limits()
        self.doc = Doc()
        # The root types, got once: `Doc.get` opens a write transaction (and fires the observers) on every call.
        self._code = self.doc.get(CODE, type=Text)
        self._meta = self.doc.get(META, type=Map)
        self._ended: bool | None = None
        self._state_after: bytes | None = None
        # An upper bound of the code's size in bytes: exact when taken, plus the size of every update applied since
        # (an update is at least as large as the text it inserts). `len(Text)` costs a transaction; the bound
        # spares it on nearly every update (docs/benchmarks.md, trace replay). None: take it again.
        self._size_bound: int | None = None
        self._applying = False
        self._waiting: list[bytes] = []  # content the doc holds only as pending (see encoded_state)
        self._meta_observer = self._meta.observe(self._meta_changed)
        self.awareness = Awareness(self.doc)
        self.awareness.set_local_state(None)  # the server is not a participant: no cursor of its own
        self._on_update = on_update
        self._peers: dict[str, Peer] = {}
        self._changes: list[bytes] = []
        self._close_callbacks: list[Callable[[str], None]] = []
        self._plain: list[tuple[str, Peer]] = []  # peers reached one by one
        self._grouped: dict[Channel, tuple[str, ...]] = {}  # peers reached through a channel, per channel
        self.closed: str | None = None
        self._observer = self.doc.observe(self._collect_change)
        self.last_active = time.monotonic()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def load(self, updates: list[bytes]) -> None:
        """Apply stored updates. A row that does not decode is skipped with a log line, never fatal."""
        try:  # all rows in one transaction: a cold join of a long history is dominated by per-row transactions
            with self.doc.transaction(origin=STORE):
                for stored in updates:
                    self.doc.apply_update(stored)
        except ValueError:  # one row at a time, to skip the bad one (applying a row twice changes nothing)
            for stored in updates:
                try:
                    with self.doc.transaction(origin=STORE):
                        self.doc.apply_update(stored)
                except ValueError as e:
                    log.warning('room %s: skipped a stored update that does not decode (%s)', self.id, e)
        self._changes.clear()
        state = self.doc.get_state()
        for stored in updates:  # rows that depend on what the store lacks (a lost commit window) stay pending
            try:
                missing = get_update(stored, state)
            except ValueError:
                continue
            if not covers(state, missing):
                self._note_waiting(missing)

    def encoded_state(self) -> bytes:
        """The whole document as one update (what a join receives, 1 x the document), including what it holds only
        as pending (content that waits for what it depends on), which `Doc.get_update()` leaves out: a Room loaded
        from it is the same document. What a hibernating room keeps (registry)."""
        update = self.doc.get_update()
        if not self._waiting:
            return update
        state = self.doc.get_state()
        self._waiting = [missing for part in self._waiting if not covers(state, missing := get_update(part, state))]
        return merge_updates(update, *self._waiting) if self._waiting else update

    def _note_waiting(self, missing: bytes) -> None:
        self._waiting.append(missing)
        if len(self._waiting) > 64:  # bounded: drop what was integrated meanwhile, merge the rest
            state = self.doc.get_state()
            waiting = [m for part in self._waiting if not covers(state, m := get_update(part, state))]
            self._waiting = [merge_updates(*waiting)] if len(waiting) > 1 else waiting

    @property
    def peer_ids(self) -> list[str]:
        return list(self._peers)

    @property
    def text(self) -> str:
        return str(self._code)

    @property
    def language(self) -> str | None:
        value = self._meta.get('language')
        return value if isinstance(value, str) else None

    @property
    def ended(self) -> bool:
        if self._ended is None:  # read again after the meta map changed (rare: language, end, reopen)
            self._ended = self._meta.get('ended') is True
        return self._ended

    def _meta_changed(self, _event) -> None:
        self._ended = None  # the doc is borrowed inside an observer: read it later

    def set_ended(self, ended: bool) -> None:
        """End (read-only for everybody) or reopen the interview. The flag lives in the shared document, so every
        browser learns it by the same sync as the code, and it is stored with it; while it is set the room
        refuses every peer's update."""
        if self.ended == ended:
            return
        with self.doc.transaction(origin=SERVER):
            set_ended(self.doc, ended)
        self._publish()

    def connect(self, peer_id: str, send: Send, *, identity: dict | None = None, author: str | None = None,
                channel: Channel | None = None) -> None:
        """Add a peer (or refresh a reconnecting one) and open the sync handshake from the server's side.

        The server sends its state vector (SyncStep1) so the peer answers with what the server lacks; the
        peer sends its own SyncStep1 and gets what it lacks. Both ways on every (re)connect. With an `identity`,
        the peer's awareness states may only carry exactly that `user` (its name, colour, participant id), so
        nobody can wear someone else's cursor. With a `channel`, the room's broadcasts reach the peer through it.
        """
        if self.closed:
            raise RoomClosed(self.closed)
        peer = self._peers.get(peer_id)
        if peer is None:
            if len(self._peers) >= self.limits.max_peers:
                raise ProtocolError(f'this interview is full ({self.limits.max_peers} connections)')
            self._peers[peer_id] = Peer(send, identity, tokens=self.limits.message_burst, author=author,
                                        channel=channel)
        else:
            peer.send, peer.identity, peer.opened, peer.author, peer.channel = send, identity, False, author, channel
        self._regroup()
        self.last_active = time.monotonic()
        send(protocol.sync_step1(self.doc.get_state()))
        others = [cid for pid, p in self._peers.items() if pid != peer_id for cid in p.awareness_ids]
        if others:
            send(protocol.awareness(self.awareness.encode_awareness_update(others)))

    def disconnect(self, peer_id: str) -> None:
        """Remove a peer and, at once, the cursors it owned (no waiting for the 30 s awareness timeout)."""
        peer = self._peers.pop(peer_id, None)
        self.last_active = time.monotonic()
        self._regroup()
        if peer is None or not peer.awareness_ids:
            return
        ids = sorted(peer.awareness_ids)
        self.awareness.remove_awareness_states(ids, origin=peer_id)
        self._broadcast(protocol.awareness(self.awareness.encode_awareness_update(ids)), exclude=peer_id)

    def on_close(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` when the room closes for good (its interview was deleted); once per callback."""
        if callback not in self._close_callbacks:
            self._close_callbacks.append(callback)

    def dispose(self, reason: str = 'this room was unloaded') -> None:
        """Retire a room its registry dropped: it refuses peers and messages from now on, and its document can be
        freed. (A pycrdt observer callback that refers back to the room keeps the Doc alive for good, garbage
        collector or not, until it is unobserved: a room dropped without this never gives its memory back.)"""
        if self._observer is not None:
            self.doc.unobserve(self._observer)
            self._meta.unobserve(self._meta_observer)
            self._observer = None
        self.closed = self.closed or reason
        self._peers.clear()
        self._regroup()

    def close(self, reason: str) -> None:
        self.dispose(reason)
        self.closed = reason
        self._peers.clear()
        for callback in self._close_callbacks:
            try:
                callback(reason)
            except Exception:
                log.exception('room %s: close callback failed', self.id)

    # -- messages --------------------------------------------------------------------------------------------

    def receive(self, peer_id: str, data: bytes) -> None:
        """Handle one y-protocols message from a connected peer; a bad one raises ProtocolError untouched."""
        if self.closed:
            raise RoomClosed(self.closed)
        peer = self._peers.get(peer_id)
        if peer is None:
            raise ProtocolError(f'peer {peer_id!r} has not joined room {self.id!r}')
        self._take_token(peer)
        if len(data) > self.limits.max_message_bytes:
            raise ProtocolError(f'message of {len(data)} bytes exceeds the limit of {self.limits.max_message_bytes}')
        message = _parse(data)
        self.last_active = time.monotonic()
        if message.kind is Kind.SYNC_STEP1:
            peer.opened = True
            try:
                missing = self.doc.get_update(message.payload)
            except ValueError as e:
                raise ProtocolError(f'invalid state vector: {e}') from e
            peer.send(protocol.sync_step2(missing))
        elif message.kind in (Kind.SYNC_STEP2, Kind.UPDATE):
            if not peer.opened:
                # Writing blind (e.g. "delete everything" without having synced) is refused; an honest client's
                # held edits come back through its SyncStep2 once it opened the handshake.
                raise NotSynced('send your document state (sync step 1) before changing the document')
            self._apply(peer_id, message.payload)
        elif message.kind is Kind.AWARENESS:
            self._apply_awareness(peer_id, peer, message.payload, data)
        else:  # Kind.QUERY_AWARENESS
            ids = [cid for p in self._peers.values() for cid in p.awareness_ids]
            peer.send(protocol.awareness(self.awareness.encode_awareness_update(ids)))

    def _take_token(self, peer: Peer) -> None:
        now = time.monotonic()
        peer.tokens = min(self.limits.message_burst, peer.tokens + (now - peer.refilled) * self.limits.message_rate)
        peer.refilled = now
        if peer.tokens < 1:
            peer.dropped = True
            raise RateLimited(f'too many messages (over {self.limits.message_rate:.0f} per second): slow down')
        peer.tokens -= 1
        if peer.dropped:  # the peer is back under its rate: have it send again whatever we dropped
            peer.dropped = False
            peer.send(protocol.sync_step1(self.doc.get_state()))

    def _collect_change(self, event) -> None:
        # The doc is mutably borrowed inside this callback: only record the change, act after the transaction.
        self._changes.append(event.update)
        if not self._applying:
            self._size_bound = None  # changed other than by _apply (load, the server, a test): measure again

    def _apply(self, peer_id: str, update: bytes) -> None:
        if update == EMPTY_UPDATE:
            return
        # One transaction for the checks, the update and the state read after it (each pycrdt transaction costs
        # a few microseconds of Python and fires the doc's observers): the trace replay of docs/benchmarks.md.
        self._applying = True
        try:
            with self.doc.transaction(origin=peer_id):
                if self.ended:
                    raise ProtocolError('the interview has ended: the code is read-only')
                self._check_size(update)
                self.doc.apply_update(update)
                self._state_after = self.doc.get_state()
        except ProtocolError:
            self._changes.clear()
            raise
        except ValueError as e:
            self._changes.clear()
            self._size_bound = None
            raise ProtocolError(f'invalid Yjs update: {e}') from e
        finally:
            self._applying = False
        self._publish(sender=peer_id, sent=update)
        self._ask_for_what_is_missing(peer_id, update)

    def _publish(self, *, sender: str | None = None, sent: bytes | None = None) -> None:
        """Forward what the last transaction changed to the peers and hand it to persistence.

        The sender gets it too unless the change is exactly what it sent: an update can also integrate pending
        content that waited for it (after a restart lost the commit window, say), and the sender may lack that.
        """
        changes, self._changes = self._changes, []
        author = self._peers[sender].author if sender in self._peers else None
        for change in changes:
            if change == EMPTY_UPDATE:
                continue  # a duplicate, or an update still waiting for the ones it depends on
            self._broadcast(_update_message(change), exclude=sender if change == sent else None, update=change)
            if self._on_update is not None:
                self._on_update(self.id, change, author)

    def _ask_for_what_is_missing(self, peer_id: str, update: bytes) -> None:
        """If the doc does not cover everything the update carried (it waits for dependencies, or Yrs dropped a
        pending struct: see docs/fuzzing.md, finding 2), ask the peer for what we lack — once per state of ours,
        so a peer that cannot supply the dependencies either is not asked forever."""
        state, self._state_after = self._state_after or self.doc.get_state(), None  # read in _apply's transaction
        missing = get_update(update, state)
        if covers(state, missing):
            return
        self._note_waiting(missing)
        peer = self._peers.get(peer_id)
        if peer is not None and peer.asked_at_state != state:
            peer.asked_at_state = state
            peer.send(protocol.sync_step1(state))

    def _check_size(self, update: bytes) -> None:
        """Refuse an update that would grow the code past the document limit, before it touches the doc.

        An update is at least as large as the text it inserts, so the exact check (on a scratch copy) only runs
        when the document is already near the limit.
        """
        limit = self.limits.max_document_bytes
        if self._size_bound is not None and self._size_bound + len(update) <= limit:
            self._size_bound += len(update)
            return
        current = len(self._code)  # pycrdt Text length is in UTF-8 bytes: no copy of the text
        if current + len(update) <= limit:
            self._size_bound = current + len(update)
            return
        self._size_bound = None
        scratch = Doc()
        try:
            scratch.apply_update(self.doc.get_update())
            scratch.apply_update(update)
        except ValueError as e:
            raise ProtocolError(f'invalid Yjs update: {e}') from e
        size = len(read_code(scratch).encode())
        if size > max(limit, current):
            raise ProtocolError(f'this change would make the code {size:,} bytes, over the limit of {limit:,} bytes')

    def _apply_awareness(self, peer_id: str, peer: Peer, update: bytes, raw: bytes) -> None:
        entries = self._read_awareness(update)
        owners = {cid: pid for pid, p in self._peers.items() for cid in p.awareness_ids}
        for client_id, _ in entries:
            owner = owners.get(client_id)
            if owner is not None and owner != peer_id:
                raise ProtocolError(f'awareness client id {client_id} belongs to another participant')
        if peer.identity is not None:
            for _, state in entries:
                if state is not None and 'user' in state and state['user'] != peer.identity:
                    raise ProtocolError('awareness user does not match your participant')
        new_ids = {cid for cid, state in entries if state is not None} - peer.awareness_ids
        if len(peer.awareness_ids) + len(new_ids) > self.limits.max_awareness_ids_per_peer:
            raise ProtocolError('too many awareness client ids for one connection')
        self.awareness.apply_awareness_update(update, origin=peer_id)
        for client_id, state in entries:
            if state is None:
                peer.awareness_ids.discard(client_id)
            else:
                peer.awareness_ids.add(client_id)
        self._broadcast(raw, exclude=peer_id)

    def _read_awareness(self, update: bytes) -> list[tuple[int, dict | None]]:
        """Decode and validate an awareness update fully before the Awareness object sees it."""
        decoder = Decoder(update)
        entries = []
        try:
            for _ in range(decoder.read_var_uint()):
                client_id = decoder.read_var_uint()
                decoder.read_var_uint()  # clock
                declared = decoder.read_var_uint()
                raw = bytes(decoder.stream[decoder.i0:decoder.i0 + declared])
                if len(raw) != declared:
                    raise ProtocolError('truncated awareness update')
                decoder.i0 += declared
                decoder.length -= declared
                if declared > self.limits.max_awareness_state_bytes:
                    raise ProtocolError(f'awareness state of {declared} bytes exceeds the limit of '
                                        f'{self.limits.max_awareness_state_bytes}')
                state = json.loads(raw) if raw else None
                if state is not None and not isinstance(state, dict):
                    raise ProtocolError('awareness state must be a JSON object or null')
                entries.append((client_id, state))
        except (IndexError, RuntimeError) as e:
            raise ProtocolError('truncated awareness update') from e
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ProtocolError(f'awareness state is not JSON: {e}') from e
        if decoder.length != 0:
            raise ProtocolError('trailing bytes after awareness update')
        return entries

    def _regroup(self) -> None:
        """Recompute who is reached how, when a peer joins or leaves (not on every broadcast)."""
        grouped: dict[Channel, list[str]] = {}
        for peer_id, peer in self._peers.items():
            if peer.channel is not None:
                grouped.setdefault(peer.channel, []).append(peer_id)
        self._plain = [(peer_id, peer) for peer_id, peer in self._peers.items() if peer.channel is None]
        self._grouped = {channel: tuple(members) for channel, members in grouped.items()}

    def _broadcast(self, message: bytes, *, exclude: str | None, update: bytes | None = None) -> None:
        for peer_id, peer in self._plain:
            if peer_id != exclude:
                peer.send(message)
        for channel, members in self._grouped.items():
            channel.deliver(message, members, exclude=exclude, update=update)


def covers(state: bytes, missing: bytes) -> bool:
    """Whether a document with state vector `state` holds everything of `missing` (`get_update(update, state)`:
    the structs of the update beyond the state, and always the update's whole delete set).

    No struct may be left, and every deleted range must lie below the state (a delete of an item the document
    does not have waits as pending). A plain `missing == EMPTY_UPDATE` test would count every update that deletes
    anything as incomplete and ask its sender for a resync after each backspace. Conservative on anything it
    cannot read: it then says "not covered", which costs one SyncStep1."""
    if missing == EMPTY_UPDATE:
        return True
    try:
        structs, i = _var_uint(missing, 0)
        if structs:
            return False
        clients, i = _var_uint(missing, i)
        known: dict[int, int] | None = None
        for _ in range(clients):
            client, i = _var_uint(missing, i)
            ranges, i = _var_uint(missing, i)
            for _ in range(ranges):
                clock, i = _var_uint(missing, i)
                length, i = _var_uint(missing, i)
                if known is None:
                    known = _state_vector(state)
                if clock + length > known.get(client, 0):
                    return False
        return i == len(missing)
    except IndexError:
        return False


def _var_uint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _state_vector(state: bytes) -> dict[int, int]:
    count, i = _var_uint(state, 0)
    known = {}
    for _ in range(count):
        client, i = _var_uint(state, i)
        known[client], i = _var_uint(state, i)
    return known


_UPDATE = protocol.update(b'')[:2]  # y-protocols: sync message, update


def _parse(data: bytes) -> protocol.Message:
    """protocol.parse, with a fast path for the message nearly every keystroke is (a sync update): the same strict
    check (the declared length is exactly what follows), without a Decoder object per message."""
    if data[:2] == _UPDATE:
        try:
            length, i = _var_uint(data, 2)
        except IndexError:
            length, i = -1, 0
        if i + length == len(data):
            return protocol.Message(Kind.UPDATE, bytes(data[i:]))
    return protocol.parse(data)


def _update_message(update: bytes) -> bytes:
    """protocol.update(update) (the y-protocols sync update message), without an Encoder object per message."""
    length, prefix = len(update), bytearray(_UPDATE)
    while length > 0x7F:
        prefix.append(0x80 | (length & 0x7F))
        length >>= 7
    prefix.append(length)
    return bytes(prefix) + update

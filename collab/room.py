"""A Room is one interview's live document: the pycrdt Doc, its Awareness, and the peers connected to it, with the
Yjs sync handshake between them.

Peers are opaque ids reached through a `send(bytes)` callback or through a Channel that reaches many at once, so the
same Room serves NiceGUI tabs (collab.fanout), in-process pycrdt peers in tests and protocol-level peers in
benchmarks. Every transaction is tagged with its origin (a peer id, STORE for what was loaded, SERVER for the
server's own changes), which decides whom an update goes to and whether it is persisted. Elsewhere: a peer's bounds
(guards.py), cursors' owners, messages (protocol.py), stored rows, the code's lines for cursors (line_index.py).
"""

import logging
import time
from typing import Callable

from pycrdt import Awareness, Doc, Map, Text

from . import protocol
from .anti_entropy import compare
from .awareness_owners import AwarenessOwners
from .channel import Channel, Send
from .peer import Peer, unicast_through
from .document import CODE, LANGUAGES, META, STDIN, set_ended
from .errors import Ended, NotSynced, ProtocolError, RateLimited, RoomClosed
from .guards import DocumentSizeGuard, MetaGuard, TokenBucket
from .line_index import LineIndex
from .pending import Pending
from .stored import apply_stored
from .limits import Limits
from .protocol import EMPTY_UPDATE, Kind
from .relay import Kind as RelayKind

log = logging.getLogger(__name__)

STORE = 'store'
SERVER = 'server'
RELAY = 'relay'  # what another instance's room observed (collab/relay.py): neither stored nor relayed again

OnUpdate = Callable[[str, bytes, str | None], None]  # (room id, update, author participant id or None)
Outbound = Callable[[RelayKind, bytes], None]  # to the other instances that hold the room


class Room:
    """One document and its peers; see the module docstring. Not thread-safe: use from one event loop."""

    def __init__(self, room_id: str, *, limits: Limits | None = None, on_update: OnUpdate | None = None,
                 channel: Channel | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        """:param channel: how this process's tabs are reached (the registry gives each room its own)
        :param clock: monotonic seconds, for the rate limit and idleness (a test moves it by hand)"""
        self.id = room_id
        self.limits = limits or Limits()
        self.channel = channel
        self.clock = clock
        self.doc = Doc()
        # The root types, got once: `Doc.get` opens a write transaction (and fires the observers) on every call.
        self._code = self.doc.get(CODE, type=Text)
        self._stdin = self.doc.get(STDIN, type=Text)
        self._meta = self.doc.get(META, type=Map)
        self.lines = LineIndex(self._code)  # what cursors are checked against: read again after a change
        self._ended: bool | None = None
        self._state_after: bytes | None = None
        self._size = DocumentSizeGuard(self.limits.max_document_bytes, self.doc, self._code, self._stdin)
        self._meta_guard = MetaGuard(self.doc, self._meta, LANGUAGES, SERVER)
        self._owners = AwarenessOwners(max_ids_per_peer=self.limits.max_awareness_ids_per_peer,
                                       max_state_bytes=self.limits.max_awareness_state_bytes)
        self._applying = False
        self._pending = Pending(self.doc)
        self._meta_observer = self._meta.observe(self._meta_changed)
        self.awareness = Awareness(self.doc)
        self.awareness.set_local_state(None)  # the server is not a participant: no cursor of its own
        self._on_update = on_update
        self.outbound: Outbound | None = None  # set by the registry when a relay joins instances
        self._peers: dict[str, Peer] = {}
        self._changes: list[bytes] = []
        self._close_callbacks: list[Callable[[str], None]] = []
        self._plain: list[tuple[str, Peer]] = []  # peers reached one by one
        self._grouped: dict[Channel, tuple[str, ...]] = {}  # peers reached through a channel, per channel
        self.closed: str | None = None
        self._observer = self.doc.observe(self._collect_change)
        self.last_active = clock()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def load(self, updates: list[bytes]) -> None:
        """Apply stored updates. A row that does not decode is skipped with a log line, never fatal."""
        apply_stored(self.doc, updates, origin=STORE, room_id=self.id)
        self._changes.clear()
        state = self.doc.get_state()
        for stored in updates:  # rows that depend on what the store lacks (a lost commit window) stay pending
            try:
                self._pending.note_unless_covered(stored, state)
            except ValueError:
                continue

    def encoded_state(self) -> bytes:
        """The whole document as one update, pending content included (collab/pending.py): what a hibernating room
        keeps (registry), and what a survivor stores of a room whose other instance died."""
        return self._pending.with_document()

    @property
    def peer_ids(self) -> list[str]:
        return list(self._peers)

    @property
    def text(self) -> str:
        return str(self._code)

    @property
    def stdin(self) -> str:
        """What a run of this room gets on its standard input: the shared stdin box, never a browser's claim."""
        return str(self._stdin)

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
        self._meta_guard.changed()

    def set_ended(self, ended: bool) -> None:
        """End (read-only for everybody) or reopen the interview. The flag lives in the shared document, so every
        browser learns it by the same sync as the code, and it is stored with it; while it is set the room
        refuses every peer's update."""
        if self.ended != ended:
            self.write(lambda doc: set_ended(doc, ended))

    def write(self, change: Callable[[Doc], None]) -> None:
        """A change the server makes itself (origin SERVER; a question's starter code): to every peer, the other
        instances and the store, like a peer's, but never refused as one would be."""
        with self.doc.transaction(origin=SERVER):
            change(self.doc)
        self._publish()

    def connect(self, peer_id: str, send: Send | None = None, *, identity: dict | None = None,
                author: str | None = None, channel: Channel | None = None) -> None:
        """Add a peer (or refresh a reconnecting one) and open the sync handshake from the server's side.

        The server sends its state vector (SyncStep1) so the peer answers with what the server lacks; the peer
        sends its own SyncStep1 and gets what it lacks: both ways on every (re)connect. With an `identity`, the
        peer's awareness states may only carry exactly that `user` (its name, colour, participant id), so nobody
        can wear someone else's cursor. With a `channel` (and no `send`), everything reaches it through the channel.
        """
        if self.closed:
            raise RoomClosed(self.closed)
        if send is None:
            if channel is None:
                raise ValueError('a peer needs a send callback or a channel')
            send = unicast_through(channel, peer_id)
        peer = self._peers.get(peer_id)
        if peer is None:
            if len(self._peers) >= self.limits.max_peers:
                raise ProtocolError(f'this interview is full ({self.limits.max_peers} connections)')
            bucket = TokenBucket(self.limits.message_rate, self.limits.message_burst, self.clock)
            self._peers[peer_id] = Peer(send, bucket, identity, author=author, channel=channel)
        else:
            peer.send, peer.identity, peer.opened, peer.author, peer.channel = send, identity, False, author, channel
        self._regroup()
        self.last_active = self.clock()
        send(protocol.sync_step1(self.doc.get_state()))
        others = self._owners.all(besides=peer_id)
        if others:
            send(protocol.awareness(self.awareness.encode_awareness_update(others)))

    def disconnect(self, peer_id: str) -> None:
        """Remove a peer and, at once, the cursors it owned (no waiting for the 30 s awareness timeout)."""
        peer = self._peers.pop(peer_id, None)
        self.last_active = self.clock()
        self._regroup()
        if peer is not None and peer.channel is not None:
            peer.channel.leave(peer_id)
        ids = self._owners.release(peer_id)
        if peer is None or not ids:
            return
        self.awareness.remove_awareness_states(ids, origin=peer_id)
        self._broadcast(protocol.awareness(removal := self.awareness.encode_awareness_update(ids)), exclude=peer_id)
        if self.outbound is not None:
            self.outbound(RelayKind.AWARENESS, removal)

    def on_close(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` when the room closes for good (its interview was deleted); once per callback."""
        self._close_callbacks += [] if callback in self._close_callbacks else [callback]

    @property
    def close_callbacks(self) -> list[Callable[[str], None]]:
        """Who wants to hear that the room closed (a registry keeps them while the room hibernates)."""
        return list(self._close_callbacks)

    def dispose(self, reason: str = 'this room was unloaded') -> None:
        """Retire a room its registry dropped: it refuses peers and messages from now on, and its Doc can be freed
        (a pycrdt observer that refers back to the room keeps the Doc alive for good until it is unobserved)."""
        if self._observer is not None:
            self.doc.unobserve(self._observer)
            self._meta.unobserve(self._meta_observer)
            self._observer = None
        self.closed = self.closed or reason
        self._peers.clear()
        self._regroup()

    def close(self, reason: str) -> None:
        """Close for good (the interview was deleted): dispose, then tell whoever asked (on_close)."""
        self.closed = reason
        self.dispose(reason)
        for callback in self._close_callbacks:
            try:
                callback(reason)
            except Exception:
                log.exception('room %s: close callback failed', self.id)

    # -- messages --------------------------------------------------------------------------------------------

    def receive(self, peer_id: str, data: bytes) -> None:
        """Handle one y-protocols message from a connected peer; a bad one raises ProtocolError untouched."""
        peer = self._admit(peer_id, data)
        message = protocol.parse(data)
        self.last_active = self.clock()
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
            ids = self._owners.all()
            peer.send(protocol.awareness(self.awareness.encode_awareness_update(ids)))

    def check(self, peer_id: str, state_vector: bytes, deleted_digest: str) -> None:
        """A connected, idle peer's anti-entropy check: its state vector and the digest of what it deleted
        (protocol.delete_set_digest). What differs is exchanged with the ordinary sync messages: a SyncStep2 with
        what the peer lacks, a SyncStep1 so that it sends what the room lacks; when nothing differs, nothing is
        sent back. Heals a peer that missed a message, or holds one the room missed, without a reconnect."""
        peer = self._admit(peer_id, state_vector)
        if not peer.opened:
            return  # the handshake of this connection is still under way: it exchanges everything anyway
        difference = compare(self.doc, state_vector, deleted_digest)
        if difference.give is not None:
            peer.send(protocol.sync_step2(difference.give))
        if difference.ask:
            peer.send(protocol.sync_step1(self.doc.get_state()))

    def _admit(self, peer_id: str, data: bytes) -> Peer:
        """The joined peer a message comes from, within its rate and the size limit; ProtocolError otherwise."""
        if self.closed:
            raise RoomClosed(self.closed)
        peer = self._peers.get(peer_id)
        if peer is None:
            raise ProtocolError(f'peer {peer_id!r} has not joined room {self.id!r}')
        self._take_token(peer)
        if len(data) > self.limits.max_message_bytes:
            raise ProtocolError(f'message of {len(data)} bytes exceeds the limit of {self.limits.max_message_bytes}')
        return peer

    def _take_token(self, peer: Peer) -> None:
        if not peer.bucket.take():
            peer.dropped = True
            raise RateLimited(f'too many messages (over {self.limits.message_rate:.0f} per second): slow down')
        if peer.dropped:  # the peer is back under its rate: have it send again whatever we dropped
            peer.dropped = False
            peer.send(protocol.sync_step1(self.doc.get_state()))

    def _collect_change(self, event) -> None:
        # The doc is mutably borrowed inside this callback: only record the change, act after the transaction.
        self._changes.append(event.update)
        self.lines.changed()
        if not self._applying:
            self._size.forget()  # changed other than by _apply (load, the server, a test): measure again

    def _apply(self, peer_id: str, update: bytes) -> None:
        if update == EMPTY_UPDATE:
            return
        # One transaction for the checks, the update and the state read after it (each pycrdt transaction costs
        # a few microseconds of Python and fires the doc's observers): the trace replay of docs/benchmarks.md.
        self._applying = True
        self._meta_guard.before()
        try:
            with self.doc.transaction(origin=peer_id):
                if self.ended:
                    raise Ended('the interview has ended: the code is read-only')
                self._size.check(update)
                self.doc.apply_update(update)
                self._state_after = self.doc.get_state()
        except ProtocolError:
            self._changes.clear()
            raise
        except ValueError as e:
            self._changes.clear()
            self._size.forget()
            raise ProtocolError(f'invalid Yjs update: {e}') from e
        finally:
            self._applying = False
        refused = self._meta_guard.after()  # set back before anything goes out: both changes go together
        self._publish(sender=peer_id, sent=update)
        self._ask_for_what_is_missing(peer_id, update)
        if refused:
            raise ProtocolError(refused)

    def _publish(self, *, sender: str | None = None, sent: bytes | None = None, relayed: bool = False) -> None:
        """Forward what the last transaction changed to the peers, the other instances and persistence (what came
        from another instance goes to this instance's peers only: its own instance stored it).

        The sender gets it too unless the change is exactly what it sent: an update can also integrate pending
        content that waited for it (after a restart lost the commit window, say), which the sender may lack."""
        changes, self._changes = self._changes, []
        author = self._peers[sender].author if sender in self._peers else None
        for change in changes:
            if change == EMPTY_UPDATE:
                continue  # a duplicate, or an update still waiting for the ones it depends on
            self._broadcast(protocol.update(change), exclude=sender if change == sent else None, update=change)
            if relayed:
                continue
            if self.outbound is not None:
                self.outbound(RelayKind.UPDATE, change)
            if self._on_update is not None:
                self._on_update(self.id, change, author)

    # -- what other instances of the room send (collab/relay_link.py decides when) ---------------------------

    def apply_relayed(self, update: bytes) -> bool:
        """Apply a change another instance's room observed and send it to this instance's peers. False when it
        depends on content this room lacks (it waits as pending; the caller asks the other instances)."""
        if self.closed:
            return True
        try:
            with self.doc.transaction(origin=RELAY):
                self.doc.apply_update(update)
                state = self.doc.get_state()
        except ValueError as e:
            self._changes.clear()
            raise ProtocolError(f'invalid Yjs update from the relay: {e}') from e
        self._publish(relayed=True)
        return self._pending.note_unless_covered(update, state)

    def apply_relayed_awareness(self, owner: str, update: bytes) -> None:
        """Cursors of another instance's tabs (validated there), owned by `owner` here: they go when it does."""
        entries = self._owners.admit_relayed(owner, update)
        self.awareness.apply_awareness_update(update, origin=RELAY)
        self._owners.record(owner, entries)
        self._broadcast(protocol.awareness(update), exclude=None)

    def release_owner(self, owner: str) -> None:
        """Remove at once every awareness state `owner` (a gone instance) held."""
        if ids := self._owners.release(owner):
            self.awareness.remove_awareness_states(ids, origin=RELAY)
            self._broadcast(protocol.awareness(self.awareness.encode_awareness_update(ids)), exclude=None)

    def local_awareness(self) -> bytes | None:
        """The awareness states of this instance's own peers, as one update (for an instance that just came)."""
        ids = [cid for peer_id in self._peers for cid in self._owners.of(peer_id)]
        return self.awareness.encode_awareness_update(ids) if ids else None

    def _ask_for_what_is_missing(self, peer_id: str, update: bytes) -> None:
        """If the doc does not cover everything the update carried (it waits for dependencies, or Yrs dropped a
        pending struct: see docs/fuzzing.md, finding 2), ask the peer for what we lack — once per state of ours,
        so a peer that cannot supply the dependencies either is not asked forever."""
        state, self._state_after = self._state_after or self.doc.get_state(), None  # read in _apply's transaction
        if self._pending.note_unless_covered(update, state):
            return
        peer = self._peers.get(peer_id)
        if peer is not None and peer.asked_at_state != state:
            peer.asked_at_state = state
            peer.send(protocol.sync_step1(state))

    def _apply_awareness(self, peer_id: str, peer: Peer, update: bytes, raw: bytes) -> None:
        entries = self._owners.admit(peer_id, peer.identity, update)
        self.awareness.apply_awareness_update(update, origin=peer_id)
        self._owners.record(peer_id, entries)
        self._broadcast(raw, exclude=peer_id)
        if self.outbound is not None:
            self.outbound(RelayKind.AWARENESS, update)

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

"""Fanout: every message a room sends to the tabs of this process, paced per tab and handed to a transport.

It is the room's `Channel` (collab.channel) and the one way out to a tab: the room's broadcasts and what it sends a
single peer (the handshake, the answer to a SyncStep1) travel the same queue, in order. Each tab gets at most one
transport call per interval: what is addressed to a tab that got one less than an interval ago waits and goes with
whatever else arrives meanwhile. So a keystroke after a quiet spell goes out at once (the messages of one
event-loop turn travel together), a reply from another tab (its cursor, moved by that keystroke) goes back at once
too, and N typing authors cost each tab one message per interval instead of one per update. In a room of more than
`frames_per_s × interval` tabs the interval grows so that the room costs at most `frames_per_s` socket frames a
second (each frame is framed and written by pure-Python code in the socket stack: docs/benchmarks.md, fan-out).

Tabs that were sent the same entries so far form a cohort and are due at the same moment (a tab due within a
quarter interval joins in), and the tabs of a round that are to get the same messages get them in one transport
call (encoded once). A broadcast skips its sender; when that splits a round into more than a few different sets
(many authors in one interval), everybody gets every broadcast instead: an update a tab already has changes
nothing there. The document updates of a send are merged (`pycrdt.merge_updates` keeps every insert and delete)
and go first. No NiceGUI here: the transport is a callable, time an injected Clock.
"""

import logging
from typing import Callable, NamedTuple

from pycrdt import merge_updates

from config import Settings

from . import protocol
from .clock import Cancellable, Clock, LoopClock

log = logging.getLogger(__name__)

Transport = Callable[[list[str], list[bytes]], None]  # the same messages to each of these peers


class _Entry(NamedTuple):
    seq: int
    message: bytes
    update: bytes | None  # the document update a sync update message carries (merged with the others of a send)
    exclude: str | None  # a broadcast skips its sender
    only: str | None  # a message for this one peer (handshake), in order with the broadcasts


class Fanout:
    EXACT_GROUPS = 4  # more different message sets than this in one round: everybody gets every broadcast

    def __init__(self, transport: Transport, *, interval: float = Settings.fanout_interval,
                 frames_per_s: float = Settings.fanout_frames_per_s, clock: Clock | None = None) -> None:
        self.transport = transport
        self.interval = interval
        self.frames_per_s = frames_per_s
        self.clock = clock or LoopClock()
        self._entries: list[_Entry] = []  # not yet sent to every peer they are for; seq increases by one
        self._seq = 0
        self._members: tuple[str, ...] | None = None  # the room's peers here, as of the last broadcast
        self._cursor: dict[str, int] = {}  # peer → seq of the first entry it was not sent yet
        self._next_at: dict[str, float] = {}  # peer → earliest time of its next transport call
        self._handle: Cancellable | None = None

    def deliver(self, message: bytes, members: tuple[str, ...], *, exclude: str | None = None,
                update: bytes | None = None) -> None:
        """A broadcast to `members` (the same tuple object until a peer joins or leaves) except `exclude`."""
        if members is not self._members:
            present = set(members)
            for peer_id in [p for p in self._cursor if p not in present]:
                self.leave(peer_id)
            for peer_id in members:
                self._cursor.setdefault(peer_id, self._seq)  # a newcomer starts with this entry
            self._members = members
        self._append(_Entry(self._seq, message, update, exclude, None))
        if self._handle is None:
            self._handle = self.clock.call_later(0, self._round)

    def unicast(self, peer_id: str, message: bytes) -> None:
        """A message for one peer: it goes at once (no interval), after what that peer was still due."""
        self._cursor.setdefault(peer_id, self._seq)
        self._append(_Entry(self._seq, message, None, None, peer_id))
        self._next_at.pop(peer_id, None)
        if self._handle is not None:
            self._handle.cancel()  # a later round may be pending for paced peers; this one is due now
        self._handle = self.clock.call_later(0, self._round)

    def leave(self, peer_id: str) -> None:
        """Forget a peer that left: nothing more is sent to it."""
        self._cursor.pop(peer_id, None)
        self._next_at.pop(peer_id, None)

    def _append(self, entry: _Entry) -> None:
        self._entries.append(entry)
        self._seq += 1

    def _round(self) -> None:
        """Send every peer whose interval is over what it was not sent yet, cohort by cohort."""
        self._handle = None
        now = self.clock.now()
        soon = now + self.interval / 4
        base = self._entries[0].seq if self._entries else self._seq
        gap = max(self.interval, len(self._cursor) / self.frames_per_s)
        cohorts: dict[int, list[str]] = {}
        for peer_id, cursor in self._cursor.items():
            if cursor < self._seq:
                cohorts.setdefault(cursor, []).append(peer_id)
        wake: float | None = None
        for cursor, peer_ids in cohorts.items():
            ready = [p for p in peer_ids if self._next_at.get(p, now) <= soon]
            if len(ready) < len(peer_ids):
                later = min(self._next_at[p] for p in peer_ids if self._next_at.get(p, now) > soon)
                wake = later if wake is None else min(wake, later)
            if ready:
                sent = self._send_round(self._entries[cursor - base:], ready)
                for peer_id in ready:
                    self._cursor[peer_id] = self._seq
                    if peer_id in sent:  # a peer that was due nothing keeps its interval
                        self._next_at[peer_id] = now + gap
        oldest = min(self._cursor.values(), default=self._seq)
        self._entries = self._entries[max(0, oldest - base):]
        if wake is not None:
            self._handle = self.clock.call_later(max(0.0, wake - self.interval / 4 - now), self._round)

    def _send_round(self, entries: list[_Entry], ready: list[str]) -> set[str]:
        """Send `entries` to the `ready` peers of one cohort, each only what is for it; returns who got something."""
        solo: dict[str, list[_Entry]] = {}
        excluded: set[str] = set()
        for entry in entries:
            if entry.only is not None:
                solo.setdefault(entry.only, []).append(entry)
            elif entry.exclude is not None:
                excluded.add(entry.exclude)
        broadcast = [e for e in entries if e.only is None]
        ready_set = set(ready)
        special = (excluded | set(solo)) & ready_set  # peers that must not get exactly `broadcast`
        sent: set[str] = set()
        if len(special) >= self.EXACT_GROUPS:  # many authors: one set for everybody, own updates echoed
            if broadcast:
                self._send(broadcast, ready)
                sent |= ready_set
            for peer_id in solo.keys() & ready_set:
                self._send(solo[peer_id], [peer_id])
                sent.add(peer_id)
            return sent
        common = [p for p in ready if p not in special]
        if common and broadcast:
            self._send(broadcast, common)
            sent.update(common)
        for peer_id in special:
            own = [e for e in entries if (e.only is None or e.only == peer_id) and e.exclude != peer_id]
            if own:
                self._send(own, [peer_id])
                sent.add(peer_id)
        return sent

    def _send(self, entries: list[_Entry], peer_ids: list[str]) -> None:
        updates = [e.update for e in entries if e.update is not None]
        messages = [e.message for e in entries if e.update is None]
        if len(updates) > 1:
            messages.insert(0, protocol.update(merge_updates(*updates)))
        elif updates:
            messages.insert(0, next(e.message for e in entries if e.update is not None))
        try:
            self.transport(peer_ids, messages)
        except Exception:  # one failing transport call must not stop the room's other sends
            log.exception('fan-out to %d peers failed', len(peer_ids))

"""Integrity signals, checked: what one tab says about itself is believed only as far as the server can see it.

A tab reports two things (components/collab_editor/src/signals.js): a paste into the code editor, and whether it is
away (its page hidden, or its window without focus). Neither is taken at its word:

- A paste claim is matched against the insertion this tab's own last change made to the code, as the server's
  document observed it (the change travels before the claim on the same socket). A claim with no such insertion
  (none, or one already claimed, or older than PASTE_WINDOW) is refused. When the sizes differ, what is recorded is
  what the change inserted, never the claimed figures: the document is the evidence, the claim only says that the
  insertion was a paste. (A modified browser can insert text without claiming a paste; that is not recorded as one.)
- Time away is measured by the server's clock between the tab's "away" and "back" (or the end of its connection:
  a tab that closes while away ends its away period then). The browser never sends a duration, so a negative or
  absurd one cannot come from it; a payload that carries one is malformed. A measured period shorter than
  MIN_AWAY_SECONDS is not recorded (a focus flicker), one longer than MAX_AWAY_SECONDS is refused as absurd.

Everything here is NiceGUI-free and takes its clock as an argument, so tests move time by hand.
"""

import math
import time
import weakref
from dataclasses import dataclass
from typing import Callable

from pycrdt import Text

from collab.document import CODE
from collab.guards import TokenBucket

PASTE_WINDOW = 5.0  # seconds a claim may come after the insertion it names (the change goes first on one socket)
MIN_AWAY_SECONDS = 1.0
MAX_AWAY_SECONDS = 24 * 3600.0
MAX_CLAIMED = 50_000_000  # characters or lines: more than any document the server accepts
RATE, BURST = 1.0, 30  # signal events per second per tab, with bursts (a person may paste several times fast)
PAYLOAD_KEYS = {'paste': {'room', 'kind', 'characters', 'lines', 'participant'},
                'away': {'room', 'kind', 'away', 'participant'}}


class SignalRefused(ValueError):
    """The event is not believed (malformed, too fast, or not matched by what the server saw); logged at WARNING."""


@dataclass(frozen=True)
class Fact:
    """What the server records of one event (store.Signal's fields but the interview, participant and time)."""

    kind: str
    characters: int = 0
    lines: int = 0
    seconds: float = 0.0
    detail: str = ''


def count_lines(text: str) -> int:
    """Lines of a pasted text: 'a' and 'a\\n' are one line, 'a\\nb' two, '' none."""
    return 0 if not text else text.count('\n') + (0 if text.endswith('\n') else 1)


def inserted(delta: list[dict]) -> tuple[int, int]:
    """(characters, lines) that a pycrdt TextEvent's delta inserted; characters are code points."""
    pieces = [item['insert'] for item in delta if isinstance(item.get('insert'), str)]
    return sum(len(piece) for piece in pieces), sum(count_lines(piece) for piece in pieces)


class InsertionWatch:
    """Each tab's own changes to a room's code, as the room applies them: one observer per room for all the tabs of
    this process (it runs on every keystroke's change, so one TextEvent per change, not one per tab), handing the
    change to the tab whose peer id is the transaction's origin (collab/room.py tags each peer's updates so)."""

    def __init__(self) -> None:
        # Room → (its code Text, the subscription, {origin: callback}); a room that is gone takes its entry along
        self._rooms: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def add(self, room, origin: str, callback: Callable[[list[dict]], None]) -> Callable[[], None]:
        """Call `callback(delta)` for each change `origin` makes to `room`'s code; returns the remover."""
        if room not in self._rooms:
            text = room.doc.get(CODE, type=Text)
            tabs: dict[str, Callable[[list[dict]], None]] = {}

            def changed(event) -> None:  # inside a pycrdt observer: only the event is read, never the document
                tab = tabs.get(event.transaction.origin) if tabs else None
                if tab is not None:
                    tab(event.delta)
            self._rooms[room] = (text, text.observe(changed), tabs)
        text, subscription, tabs = self._rooms[room]
        tabs[origin] = callback

        def remove() -> None:
            if tabs.get(origin) is callback:
                del tabs[origin]
            if not tabs and self._rooms.get(room, (None, None, None))[2] is tabs:
                del self._rooms[room]
                text.unobserve(subscription)
        return remove


class TabSignals:
    """One tab's signal events: validated, rate-limited, and checked against what the server saw."""

    def __init__(self, room_id: str, participant_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.room_id = room_id
        self.participant_id = participant_id
        self.clock = clock
        self._bucket = TokenBucket(RATE, BURST, clock)
        self._insertion: tuple[int, int, float] | None = None  # (characters, lines, when) of its last own change
        self._away_since: float | None = None

    @property
    def away(self) -> bool:
        return self._away_since is not None

    def saw_insertion(self, delta: list[dict]) -> None:
        """The server's document applied a change of this tab that touched the code (delta as pycrdt gives it)."""
        characters, lines = inserted(delta)
        if characters:
            self._insertion = (characters, lines, self.clock())

    def receive(self, payload: object) -> Fact | None:
        """Check one event from the tab: the fact to record, None if there is nothing to record, SignalRefused."""
        kind = self._validate(payload)
        if not self._bucket.take():
            raise SignalRefused(f'too many signal events (over {RATE:.0f} per second)')
        assert isinstance(payload, dict)
        return self._paste(payload) if kind == 'paste' else self._set_away(payload['away'])

    def end(self) -> Fact | None:
        """The tab's connection ended: an away period in progress ends now."""
        return self._set_away(False)

    def _validate(self, payload: object) -> str:
        if not isinstance(payload, dict):
            raise SignalRefused('a signal event must be an object')
        kind = payload.get('kind')
        if kind not in PAYLOAD_KEYS:
            raise SignalRefused(f'unknown signal kind {str(kind)[:20]!r}')
        unknown = set(payload) - PAYLOAD_KEYS[kind]
        if unknown:
            raise SignalRefused(f'a {kind} event does not carry {", ".join(sorted(map(str, unknown)))[:80]}'
                                + (' (the server measures durations itself)' if kind == 'away' else ''))
        if payload.get('room') != self.room_id:
            raise SignalRefused(f'signal for room {str(payload.get("room"))[:40]!r}, which this tab did not join')
        if 'participant' in payload and payload['participant'] != self.participant_id:
            raise SignalRefused(f'signal names participant {str(payload["participant"])[:40]!r}, not this tab\'s')
        return kind

    def _paste(self, payload: dict) -> Fact:
        claimed = [payload.get('characters'), payload.get('lines')]
        if not all(type(value) is int and 0 < value <= MAX_CLAIMED for value in claimed):
            raise SignalRefused('a paste needs characters and lines, whole numbers from 1')
        insertion, self._insertion = self._insertion, None
        if insertion is None or not 0 <= self.clock() - insertion[2] <= PASTE_WINDOW:
            raise SignalRefused('a paste claim with no insertion of this tab to match: not believed')
        characters, lines, _ = insertion
        detail = '' if [characters, lines] == claimed else \
            f'the browser reported {claimed[0]} characters in {claimed[1]} lines; recorded is what its change inserted'
        return Fact('paste', characters=characters, lines=lines, detail=detail)

    def _set_away(self, away: object) -> Fact | None:
        if not isinstance(away, bool):
            raise SignalRefused('away must be true or false')
        now = self.clock()
        if away:
            if self._away_since is None:
                self._away_since = now
            return None
        since, self._away_since = self._away_since, None
        if since is None:
            return None  # back without having left (a tab says where it is on every reconnect)
        seconds = now - since
        if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_AWAY_SECONDS:
            raise SignalRefused(f'an away period of {seconds:.0f} s is not believable')
        return Fact('away', seconds=round(seconds, 1)) if seconds >= MIN_AWAY_SECONDS else None


@dataclass
class Counts:
    """One participant's signals, summed for the chip."""

    pastes: int = 0
    pasted_lines: int = 0
    away: int = 0
    away_seconds: float = 0.0


def totals(signals) -> dict[str, Counts]:
    """Per participant id, from stored signals (store.Signal rows or anything with the same fields)."""
    found: dict[str, Counts] = {}
    for signal in signals:
        counts = found.setdefault(signal.participant_id, Counts())
        if signal.kind == 'paste':
            counts.pastes += 1
            counts.pasted_lines += signal.lines
        elif signal.kind == 'away':
            counts.away += 1
            counts.away_seconds += signal.seconds
    return found


def duration(seconds: float) -> str:
    """'3 s', '2 min', '1 h 5 min': how long, rounded for reading."""
    seconds = round(seconds)
    if seconds < 60:
        return f'{seconds} s'
    minutes = round(seconds / 60)
    if minutes < 60:
        return f'{minutes} min'
    return f'{minutes // 60} h' + (f' {minutes % 60} min' if minutes % 60 else '')


def chip_text(counts: Counts) -> str:
    """'2 pastes · 1 min away', or '' when there is nothing to say."""
    parts = []
    if counts.pastes:
        parts.append(f'{counts.pastes} paste{"s" if counts.pastes != 1 else ""}')
    if counts.away:
        parts.append(f'{duration(counts.away_seconds)} away')
    return ' · '.join(parts)

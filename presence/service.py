"""The presence service: the one writer of participant state.

Every change goes through `update_participant`, which validates, applies it in memory, notifies the
interview's subscribers at once (so browsers see it within a tick, no polling) and marks it dirty; a background
task writes dirty participants in one transaction per `write_interval`, so a storm of cursor moves is a handful
of database writes. Heartbeats keep a quiet tab online; a participant silent for `offline_after` seconds
(`away_offline_after` when its tab is hidden, since browsers throttle hidden tabs' timers) turns offline.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, NamedTuple

from sqlalchemy import Engine

from config import Settings
from store import Participant, create_participant, list_participants, save_participants, token_matches
from store.models import utcnow
from store.participants import PRESENCE_FIELDS

from .colors import pick_color
from .cursor import Cursor, LinesOf, parse_cursor
from .errors import Forbidden, InterviewFull, NotFound, PresenceError

log = logging.getLogger(__name__)

ROLES = ('interviewer', 'candidate')
# A heartbeat that changes nothing but the time is written at most this often: the stored last_seen_at of someone
# still here is at most this old (what a report reads of a person who left is the time of the offline change,
# written at once). Writing every heartbeat was a row update per person per second.
SEEN_STORED_EVERY = 30.0
STATUSES = ('online', 'away', 'offline')
MAX_NAME = 40


@dataclass(frozen=True)
class ParticipantView:
    """A participant as subscribers and the REST API see it: no token, never a live database object."""

    id: str
    interview_id: str
    name: str
    color: str
    role: str
    status: str
    is_typing: bool
    cursor: Cursor | None
    joined_at: datetime
    last_seen_at: datetime


Subscriber = Callable[[ParticipantView], None]


class _PresenceRow(NamedTuple):
    """What the presence writer stores of a participant (store.participants.PRESENCE_FIELDS)."""

    id: str
    status: str
    is_typing: bool
    cursor_line: int | None
    cursor_column: int | None
    last_seen_at: datetime


def clean_name(name: object) -> str:
    """Names are shown as text everywhere; here they are only trimmed, checked and kept printable."""
    if not isinstance(name, str):
        raise PresenceError('name must be a string')
    name = ' '.join(''.join(ch for ch in name if ch.isprintable()).split())
    if not name:
        raise PresenceError('Please enter a display name.')
    if len(name) > MAX_NAME:
        raise PresenceError(f'A display name has at most {MAX_NAME} characters.')
    return name


def _view(p: Participant) -> ParticipantView:
    cursor = Cursor(p.cursor_line, p.cursor_column) if p.cursor_line and p.cursor_column else None
    return ParticipantView(id=p.id, interview_id=p.interview_id, name=p.name, color=p.color, role=p.role,
                           status=p.status, is_typing=p.is_typing, cursor=cursor, joined_at=p.joined_at,
                           last_seen_at=p.last_seen_at)


class PresenceService:
    def __init__(self, engine: Engine, *, lines: LinesOf = lambda _: None,
                 write_interval: float = Settings.presence_write_interval,
                 offline_after: float = Settings.presence_offline_after,
                 away_offline_after: float = Settings.presence_away_offline_after,
                 sweep_interval: float = Settings.presence_sweep_interval,
                 max_present: int = Settings.max_participants,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """The timings and the cap are config.Settings' (`from_settings`); `clock` is what silence is measured
        with, monotonic seconds (a test passes one it moves by hand). `lines(interview_id)`: what cursors are
        checked against (presence/cursor.py; None, when the room is not loaded: no check)."""
        self.engine = engine
        self.lines = lines
        self.write_interval = write_interval
        self.offline_after = offline_after
        self.away_offline_after = away_offline_after
        self.sweep_interval = sweep_interval
        self.max_present = max_present  # people online or away in one interview at once
        self.clock = clock
        self.writes = 0  # database transactions issued, for the coalescing figures
        self._participants: dict[str, dict[str, Participant]] = {}
        self._heard: dict[str, float] = {}  # participant id → self.clock() at its last sign of life
        self._seen_stored: dict[str, float] = {}  # participant id → self.clock() when its row was last made dirty
        self._subscribers: dict[str, list[tuple[Subscriber, bool]]] = {}  # (callback, wants cursor moves)
        self._dirty: set[tuple[str, str]] = set()
        self._tasks: list[asyncio.Task] = []
        # Several instances (pages/presence_link.py): a change of ours goes out through `outbound`; a participant
        # whose tab is on another instance is that instance's to sweep (`_remote`: participant id → instance).
        self.outbound: Callable[[ParticipantView], None] | None = None
        self.on_interview: Callable[[str], None] = lambda interview_id: None  # an interview's people were loaded
        self._remote: dict[str, str] = {}

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, *,
                      lines: LinesOf = lambda _: None) -> 'PresenceService':
        return cls(engine, lines=lines, write_interval=settings.presence_write_interval,
                   offline_after=settings.presence_offline_after,
                   away_offline_after=settings.presence_away_offline_after,
                   sweep_interval=settings.presence_sweep_interval, max_present=settings.max_participants)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._write_forever(), name='pairpad-presence-writer'),
                       asyncio.create_task(self._sweep_forever(), name='pairpad-presence-sweeper')]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        await self.flush()

    async def flush(self) -> None:
        keys, self._dirty = self._dirty, set()
        members = [self._participants.get(iid, {}).get(pid) for iid, pid in keys]
        # A plain copy of the fields presence changes, taken on the event loop: the write runs in a thread
        snapshot = [_PresenceRow(id=p.id, **{name: getattr(p, name) for name in PRESENCE_FIELDS})
                    for p in members if p is not None]
        if not snapshot:
            return
        try:
            await asyncio.to_thread(self._write, snapshot)
        except BaseException:
            self._dirty |= keys  # written next time; the state stays in memory meanwhile
            raise

    # -- reading -----------------------------------------------------------------------------------------------

    def participants(self, interview_id: str) -> list[ParticipantView]:
        return [_view(p) for p in self._members(interview_id).values()]

    def participant(self, interview_id: str, participant_id: str) -> ParticipantView:
        return _view(self._get(interview_id, participant_id))

    def authenticate(self, interview_id: str, participant_id: str, token: str | None) -> ParticipantView:
        """The participant a token belongs to, or Forbidden; used to resume a tab and to guard the REST API."""
        participant = self._get(interview_id, participant_id)
        if not token or not token_matches(participant, token):
            raise Forbidden('this token does not belong to that participant')
        return _view(participant)

    def owner_of(self, interview_id: str, token: str | None) -> ParticipantView | None:
        if not token:
            return None
        for participant in self._members(interview_id).values():
            if token_matches(participant, token):
                return _view(participant)
        return None

    # -- writing -----------------------------------------------------------------------------------------------

    def join(self, interview_id: str, *, name: object, role: object) -> tuple[ParticipantView, str]:
        """A new participant (a new tab); returns it and the secret token its tab keeps to resume later."""
        name = clean_name(name)
        if role not in ROLES:
            raise PresenceError(f'role must be one of: {", ".join(ROLES)}')
        members = self._members(interview_id)
        present = {p.id for p in members.values() if p.status != 'offline'}
        if len(present) >= self.max_present:
            raise self._full()

        def admit(stored: list[Participant]) -> None:
            """Again under the interview's seat lock, with the rows of those who joined on other instances and
            whose news has not reached this one yet; what this instance knows of a person wins over a row whose
            status is written only every write_interval."""
            if len(present | {p.id for p in stored if p.id not in members and p.status != 'offline'}) \
                    >= self.max_present:
                raise self._full()
        color = pick_color([p.color for p in members.values()])
        participant, token = create_participant(self.engine, interview_id=interview_id, name=name, color=color,
                                                role=str(role), admit=admit)
        self.writes += 1
        members[participant.id] = participant
        self._heard[participant.id] = self.clock()
        self._notify(participant)
        return _view(participant), token

    def update_participant(self, interview_id: str, participant_id: str, *, cursor: object = None,
                           is_typing: object = None, status: object = None) -> ParticipantView:
        """The only writer of presence: validate, apply, notify the interview's clients, persist (coalesced).

        A call with no field is a heartbeat: it only records that the participant is still there.
        """
        participant = self._get(interview_id, participant_id)
        new_cursor = parse_cursor(cursor, self.lines(interview_id)) if cursor is not None else None
        if is_typing is not None and not isinstance(is_typing, bool):
            raise PresenceError('is_typing must be true or false')
        if status is not None and status not in STATUSES:
            raise PresenceError(f'status must be one of: {", ".join(STATUSES)}')
        before = _view(participant)
        if new_cursor is not None:
            participant.cursor_line, participant.cursor_column = new_cursor.line, new_cursor.column
        if is_typing is not None:
            participant.is_typing = is_typing
        if status is not None:
            participant.status = str(status)
        now = self.clock()
        if participant.status == 'offline':
            participant.is_typing = False
        else:
            self._heard[participant_id] = now
        self._remote.pop(participant_id, None)  # its tab is here now
        participant.last_seen_at = utcnow()
        after = _view(participant)
        visible = replace(after, last_seen_at=before.last_seen_at)  # what others see of it: all but the time
        if visible != before or now - self._seen_stored.get(participant_id, -SEEN_STORED_EVERY) >= SEEN_STORED_EVERY:
            self._dirty.add((interview_id, participant_id))
            self._seen_stored[participant_id] = now
        if visible != before:
            self._notify(participant, cursor_only=replace(visible, cursor=before.cursor) == before)
        return after

    def heard(self, interview_id: str, participant_id: str) -> None:
        """A sign of life that is not a presence event (the tab sent an edit): it keeps the participant online as a
        heartbeat does, so a typing tab sends none (components/collab_editor: a heartbeat goes only after a second
        of silence). Nothing changes that anyone sees, so nothing is notified or written."""
        participant = self._members(interview_id).get(participant_id)
        if participant is not None and participant.status != 'offline':
            self._heard[participant_id] = self.clock()

    def subscribe(self, interview_id: str, callback: Subscriber, *, cursors: bool = False) -> Callable[[], None]:
        """Call `callback` with every change of a participant of this interview; returns the unsubscriber.

        A change of someone's cursor alone reaches only `cursors=True` subscribers: no page shows the stored caret
        (browsers draw carets from awareness), and every tab subscribes (its chips, its session), so in a room of
        N tabs each cursor event (4 a second per moving caret) would otherwise run 2 N callbacks that change
        nothing."""
        self._members(interview_id)
        entry = (callback, cursors)
        self._subscribers.setdefault(interview_id, []).append(entry)

        def unsubscribe() -> None:
            entries = self._subscribers.get(interview_id, [])
            if entry in entries:
                entries.remove(entry)
        return unsubscribe

    def forget(self, interview_id: str) -> None:
        """Drop a deleted interview's participants from memory (the store deleted their rows)."""
        for participant_id in self._participants.pop(interview_id, {}):
            self._heard.pop(participant_id, None)
            self._seen_stored.pop(participant_id, None)
        self._dirty = {(iid, pid) for iid, pid in self._dirty if iid != interview_id}

    async def sweep(self) -> None:
        """Turn silent participants offline (their tab died or lost the network without a goodbye)."""
        now = self.clock()
        for interview_id, members in list(self._participants.items()):
            for participant in list(members.values()):
                if participant.status == 'offline' or participant.id in self._remote:
                    continue
                limit = self.away_offline_after if participant.status == 'away' else self.offline_after
                if now - self._heard.get(participant.id, now) > limit:
                    log.info('participant %s of %s went silent: offline', participant.id, interview_id)
                    self.update_participant(interview_id, participant.id, status='offline')

    # -- internals ---------------------------------------------------------------------------------------------

    def _members(self, interview_id: str) -> dict[str, Participant]:
        members = self._participants.get(interview_id)
        if members is None:
            members = {p.id: p for p in list_participants(self.engine, interview_id)}
            for participant in members.values():
                if self.outbound is not None:  # their tabs may be on other instances: they say so, or go silent
                    self._heard.setdefault(participant.id, self.clock())
                elif participant.status != 'offline':  # nobody is connected to a server that just started
                    participant.status, participant.is_typing = 'offline', False
                    self._dirty.add((interview_id, participant.id))
            self._participants[interview_id] = members
            self.on_interview(interview_id)
        return members

    def _full(self) -> InterviewFull:
        return InterviewFull(f'This interview is full: {self.max_present} people are in it already.')

    def _get(self, interview_id: str, participant_id: str) -> Participant:
        participant = self._members(interview_id).get(participant_id) if isinstance(participant_id, str) else None
        if participant is None:
            raise NotFound(f'participant {str(participant_id)[:40]!r} is not in this interview')
        return participant

    # -- several instances -------------------------------------------------------------------------------------

    def apply_remote(self, instance: str, interview_id: str, participant_id: str, *, status: object,
                     is_typing: object, cursor: object) -> None:
        """A change another instance made (its tab, its validation, its write): shown here, not written again.
        PresenceError if the values are not what an instance sends."""
        if status not in STATUSES or not isinstance(is_typing, bool):
            raise PresenceError('relayed presence with an invalid status or typing flag')
        line, column = cursor if isinstance(cursor, list) and len(cursor) == 2 else (None, None)
        if cursor is not None and not (isinstance(line, int) and isinstance(column, int)):
            raise PresenceError('relayed presence with an invalid cursor')
        members = self._members(interview_id)
        participant = members.get(participant_id)
        new = participant is None
        if new:  # joined on another instance: its row (and token hash) is in the store
            stored = {p.id: p for p in list_participants(self.engine, interview_id)}
            if participant_id not in stored:
                return
            participant = members[participant_id] = stored[participant_id]
        before = _view(participant)
        participant.status, participant.is_typing = str(status), is_typing
        participant.cursor_line, participant.cursor_column = line, column
        self._remote[participant_id] = instance
        # Someone this instance had not seen is news for every subscriber (their chip), whatever changed.
        cursor_only = not new and replace(_view(participant), cursor=before.cursor) == before
        self._notify(participant, relay=False, cursor_only=cursor_only)

    def local_participants(self, interview_id: str) -> list[ParticipantView]:
        """The participants whose tabs are on this instance (for an instance that asks who is where)."""
        return [_view(p) for p in self._participants.get(interview_id, {}).values()
                if p.id not in self._remote and p.status != 'offline']

    def drop_instance(self, instance: str) -> None:
        """An instance is gone: its people are offline (until a tab of theirs comes back elsewhere)."""
        for participant_id, owner in list(self._remote.items()):
            if owner != instance:
                continue
            del self._remote[participant_id]
            for interview_id, members in self._participants.items():
                if participant_id in members and members[participant_id].status != 'offline':
                    self.update_participant(interview_id, participant_id, status='offline')

    def _notify(self, participant: Participant, *, relay: bool = True, cursor_only: bool = False) -> None:
        """Tell the other instances (`relay`: every change) and this one's subscribers (see `subscribe`)."""
        view = _view(participant)
        if relay and self.outbound is not None:
            self.outbound(view)
        for callback, cursors in list(self._subscribers.get(participant.interview_id, [])):
            if cursor_only and not cursors:
                continue
            try:
                callback(view)
            except Exception:
                log.exception('presence subscriber failed')

    def _write(self, participants: list[_PresenceRow]) -> None:
        save_participants(self.engine, participants)
        self.writes += 1

    async def _write_forever(self) -> None:
        while True:
            await asyncio.sleep(self.write_interval)
            try:
                await self.flush()
            except Exception as error:  # the store is away (a restart, say): kept in memory, written next time
                log.warning('presence write failed; will retry: %s', ' '.join(str(error).split())[:300])

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            try:
                await self.sweep()
            except Exception:
                log.exception('presence sweep failed')

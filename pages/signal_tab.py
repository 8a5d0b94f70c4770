"""One tab's integrity signals, from its code editor to the SignalHub (SignalTab), and, on interviewers' pages,
everybody's signals on the participant chips (show_on_chips).

Every participant's tab has a SignalTab (interviewers' too: the signals are recorded for everybody, and shown to
interviewers only). The tab's own changes to the code are observed on the room's document as they are applied
(their transaction's origin is the tab's peer id, collab/room.py; one observer per room for all the tabs:
signal_checks.InsertionWatch), so a paste claim is checked against what the change really inserted
(pages/signal_checks.py). A refused event is logged at WARNING and dropped; the room and the other tabs never
notice it, and the browser is not told (it has nothing to correct).
"""

import asyncio
import logging
import time
from typing import Callable

from nicegui import background_tasks, ui

from collab import Room
from components.participant_list import ParticipantList

from .editor_session import EditorSession
from .signal_checks import Counts, Fact, SignalRefused, TabSignals, chip_text
from .signal_hub import SignalHub

log = logging.getLogger(__name__)

LOG_EVERY = 5.0  # seconds between two lines about one tab's refused events


class SignalTab:
    def __init__(self, session: EditorSession, hub: SignalHub, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.hub = hub
        self.clock = clock
        self.checks = TabSignals(session.room_id, session.participant_id, clock)
        self._observed: tuple[Room, Callable[[], None]] | None = None
        self._logged_at: float | None = None
        self._unlogged = 0  # refusals since the last line logged (a flood is one line every few seconds)
        self._tasks: set[asyncio.Task] = set()
        session.editor.enable_signals().on_signal(self.receive)
        session.on_attach(self._observe)
        session.client.on_disconnect(self.end)  # a tab that closes (or drops) while away ends its away period
        session.client.on_delete(self.close)

    def receive(self, payload: object) -> None:
        try:
            fact = self.checks.receive(payload)
        except SignalRefused as error:
            self._refuse(str(error))
            return
        self._record(fact)

    def end(self) -> None:
        try:
            self._record(self.checks.end())
        except SignalRefused as error:
            self._refuse(str(error))

    def close(self) -> None:
        self.end()
        self._stop_observing()

    async def idle(self) -> None:
        """Wait until the facts received so far are recorded (or refused): tests, an orderly stop."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    def _observe(self, room: Room) -> None:
        if self._observed is not None and self._observed[0] is room:
            return
        self._stop_observing()
        self._observed = (room, self.hub.insertions.add(room, self.session.peer_id, self.checks.saw_insertion))

    def _stop_observing(self) -> None:
        if self._observed is not None:
            _, remove = self._observed
            self._observed = None
            remove()

    def _record(self, fact: Fact | None) -> None:
        if fact is not None:  # the store is not on the event's path: the fact is kept in a task of its own
            task = asyncio.get_running_loop().create_task(self._store(fact), name='pairpad-signal')
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _store(self, fact: Fact) -> None:
        try:
            await self.hub.record(self.session.room_id, self.session.participant_id, fact)
        except SignalRefused as error:
            self._refuse(str(error))
        except Exception as error:  # the store is away: this one fact is lost, the room goes on
            log.warning('could not keep a %s signal of %s: %s', fact.kind, self.session.participant_id,
                        ' '.join(str(error).split())[:200])

    def _refuse(self, reason: str) -> None:
        now = self.clock()
        if self._logged_at is not None and now - self._logged_at < LOG_EVERY:
            self._unlogged += 1
            return
        more = f' ({self._unlogged} more refused since the last line)' if self._unlogged else ''
        self._logged_at, self._unlogged = now, 0
        log.warning('refused a signal event from %s in room %s: %s%s', self.session.peer_id, self.session.room_id,
                    reason, more)


def show_on_chips(hub: SignalHub, interview_id: str, people: ParticipantList) -> None:
    """An interviewer's page: each participant's signals on their chip, now and whenever one is recorded on any
    instance. Never called for a candidate's page (pages/workspace.py), so nothing of it reaches a candidate."""
    def show(counts: dict[str, Counts]) -> None:
        if people.is_deleted:
            return
        for participant_id, c in counts.items():
            people.show_signals(participant_id, chip_text(c), {
                'pastes': c.pastes, 'pasted-lines': c.pasted_lines, 'away-count': c.away,
                'away-seconds': round(c.away_seconds)})

    async def load() -> None:
        try:
            show(await asyncio.to_thread(hub.totals, interview_id))
        except Exception as error:  # a store outage: the chips fill in at the next signal
            log.warning('could not read the signals of %s: %s', interview_id, ' '.join(str(error).split())[:200])

    ui.context.client.on_delete(hub.subscribe(interview_id, show))
    background_tasks.create(load(), name='pairpad-signals-load')

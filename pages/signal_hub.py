"""Where the checked signals go: the store, and the interviewers' chips on every instance.

The instance whose tab made a signal stores it (store.add_signal), then tells its own interviewer tabs and the other
instances (the relay's `signals:<interview>` channel) that the interview's signals changed. What crosses the relay
is only that notice, server to server: each instance reads the interview's totals from the store again (which also
heals a notice the at-most-once relay lost, at the next one) and gives them to the listeners it has, and only
interviewer tabs ever subscribe (pages/workspace.py), so nothing of a signal is built for a candidate's socket.
Runs and test runs are not stored again as signals: their own rows (store runs, test runs) are the record, and the
report and the playback read them there.
"""

import asyncio
import json
import logging
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Engine

from collab.relay import Kind, Relay, RelayMessage
from store import Signal, add_signal, list_signals

from .signal_checks import Counts, Fact, InsertionWatch, SignalRefused, totals

log = logging.getLogger(__name__)

CHANNEL = 'signals:'  # a relay "room" per interview, beside the document, presence and run rooms
Listener = Callable[[dict[str, Counts]], None]


class SignalHub:
    def __init__(self, engine: Engine, relay: Relay | None = None,
                 is_participant: Callable[[str, str], bool] = lambda interview_id, participant_id: True,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        """:param is_participant: whether a participant id belongs to the interview (presence knows)
        :param now: the wall clock the signals are stamped with"""
        self.engine = engine
        self.relay = relay
        self.is_participant = is_participant
        self.now = now
        self._listeners: dict[str, list[Listener]] = {}
        self._relayed: set[str] = set()
        self._tasks: set[asyncio.Task] = set()  # refreshes a relayed notice started (kept until done)
        self.insertions = InsertionWatch()  # the tabs' own changes to the code, for their paste claims

    async def record(self, interview_id: str, participant_id: str, fact: Fact) -> Signal:
        """Store one checked fact of a participant, then tell the listeners here and on the other instances.
        Raises SignalRefused for a participant the interview does not have."""
        if not self.is_participant(interview_id, participant_id):
            raise SignalRefused(f'participant {participant_id[:40]!r} is not in interview {interview_id[:40]!r}')
        signal = await asyncio.to_thread(add_signal, self.engine, Signal(
            interview_id=interview_id, participant_id=participant_id, kind=fact.kind, at=self.now(),
            characters=fact.characters, lines=fact.lines, seconds=fact.seconds, detail=fact.detail[:300]))
        if self.relay is not None:
            self.relay.publish(CHANNEL + interview_id, Kind.PRESENCE, json.dumps({'changed': interview_id}).encode())
        await self.refresh(interview_id)
        return signal

    def totals(self, interview_id: str) -> dict[str, Counts]:
        """Per participant, from the store (blocking: call it in a thread)."""
        return totals(list_signals(self.engine, interview_id))

    def subscribe(self, interview_id: str, listener: Listener) -> Callable[[], None]:
        """Call `listener` with the interview's totals whenever a signal of it is recorded on any instance.
        Interviewer tabs only: the caller decides that, this hub does not know roles."""
        listeners = self._listeners.setdefault(interview_id, [])
        if self.relay is not None and interview_id not in self._relayed:
            self._relayed.add(interview_id)
            self.relay.subscribe(CHANNEL + interview_id, lambda message: self._remote(interview_id, message))
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)
        return unsubscribe

    async def refresh(self, interview_id: str) -> None:
        if not self._listeners.get(interview_id):
            return
        try:
            counts = await asyncio.to_thread(self.totals, interview_id)
        except Exception as error:  # a store outage: the chips catch up at the next signal
            log.warning('could not read the signals of %s: %s', interview_id, ' '.join(str(error).split())[:200])
            return
        for listener in list(self._listeners.get(interview_id, [])):
            try:
                listener(counts)
            except Exception:
                log.exception('a signal listener failed')

    async def idle(self) -> None:
        """Wait until the refreshes that relayed notices started have delivered (tests, an orderly stop)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    def _remote(self, interview_id: str, message: RelayMessage) -> None:
        try:
            data = json.loads(message.payload)
            if message.kind is not Kind.PRESENCE or not isinstance(data, dict) or data.get('changed') != interview_id:
                raise ValueError('not a signals notice of this interview')
        except ValueError as error:
            log.warning('dropped a signals message from %s: %s', message.instance, error)
            return
        task = asyncio.get_running_loop().create_task(self.refresh(interview_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

"""What a team's dashboards hear about its interviews (created, ended, reopened, erased), on every instance.

The store tells this instance of each change made here (store.interviews.watch_interviews); each change is
delivered to this instance's dashboards and published on the team's channel of the relay, and the changes other
instances publish are delivered here the same way. So a dashboard is pushed every change wherever it was made, and
no browser ever polls. (Who is in a room comes from presence, which is relayed already: pages/presence_link.py.)
"""

import json
import logging
from typing import Callable

from sqlalchemy import Engine

from collab.relay import Kind, Relay, RelayMessage
from store import InterviewChange, watch_interviews

log = logging.getLogger(__name__)

CHANNEL = 'team:'  # a relay "room" per team, beside the document and presence rooms
KINDS = ('created', 'ended', 'reopened', 'erased')
Listener = Callable[[InterviewChange], None]


class TeamEvents:
    def __init__(self, engine: Engine, relay: Relay | None = None,
                 on_local: Callable[[InterviewChange], None] = lambda change: None) -> None:
        """`on_local` hears the changes made on this instance only (the activity log writes them once)."""
        self.relay = relay
        self.on_local = on_local
        self._listeners: dict[str, list[Listener]] = {}
        self._relayed: set[str] = set()  # teams whose relay channel this instance listens to
        self._unwatch = watch_interviews(engine, self._local)

    def subscribe(self, team_id: str, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every change of the team's interviews; returns the unsubscriber."""
        listeners = self._listeners.setdefault(team_id, [])
        if self.relay is not None and team_id not in self._relayed:
            self._relayed.add(team_id)
            self.relay.subscribe(CHANNEL + team_id, lambda message: self._remote(team_id, message))
        listeners.append(listener)
        return lambda: listener in listeners and listeners.remove(listener)

    def close(self) -> None:
        self._unwatch()

    def _local(self, change: InterviewChange) -> None:
        if change.team_id is None:
            return  # an interview of no team (made on an unclaimed server): no dashboard lists it
        try:
            self.on_local(change)
        except Exception:
            log.exception('recording an interview change failed')
        if self.relay is not None:
            self.relay.publish(CHANNEL + change.team_id, Kind.PRESENCE,
                               json.dumps({'id': change.interview_id, 'kind': change.kind}).encode())
        self._deliver(change)

    def _remote(self, team_id: str, message: RelayMessage) -> None:
        try:
            data = json.loads(message.payload)
            if message.kind is not Kind.PRESENCE or not isinstance(data, dict) or data.get('kind') not in KINDS \
                    or not isinstance(data.get('id'), str) or len(data['id']) > 32:
                raise ValueError('not an interview change')
        except ValueError as error:
            log.warning('dropped a team message from %s: %s', message.instance, error)
            return
        self._deliver(InterviewChange(data['id'], team_id, data['kind']))

    def _deliver(self, change: InterviewChange) -> None:
        for listener in list(self._listeners.get(change.team_id or '', [])):
            try:
                listener(change)
            except Exception:
                log.exception('a dashboard listener failed')

"""Presence across instances: the participant chips, typing flags and statuses of one interview are the same on
every instance, whichever instance each person's tab is connected to.

Each instance writes and validates the presence of its own tabs (presence.PresenceService) and publishes every
change on the interview's presence channel of the relay; the others show it without writing it again and leave
its silence to that instance's sweeper. An instance that loads an interview asks who is where; one whose liveness
key expires has its people turned offline by the survivors (they come back online where their tab reconnects).
"""

import json
import logging

from collab.relay import Kind, Relay, RelayMessage
from presence import ParticipantView, PresenceError, PresenceService

from .liveness import LivenessWatch

log = logging.getLogger(__name__)

CHANNEL = 'presence:'  # a relay "room" per interview, beside the document rooms


class PresenceLink(LivenessWatch):
    def __init__(self, presence: PresenceService, relay: Relay) -> None:
        super().__init__(relay)
        self.presence = presence
        self._instances: set[str] = set()  # other instances whose people we show
        self._watched: set[str] = set()
        presence.outbound = self._publish
        presence.on_interview = self.watch

    def watch(self, interview_id: str) -> None:
        if interview_id not in self._watched:
            self._watched.add(interview_id)
            self.relay.subscribe(CHANNEL + interview_id, lambda message: self._receive(interview_id, message),
                                 on_ready=lambda: self._ask(interview_id))

    def _ask(self, interview_id: str) -> None:
        self.relay.publish(CHANNEL + interview_id, Kind.PRESENCE, b'{"ask":true}')

    def _publish(self, view: ParticipantView) -> None:
        # healed: an instance that comes asks, and gets every view of ours (`_receive`)
        self.relay.publish(CHANNEL + view.interview_id, Kind.PRESENCE, json.dumps({
            'id': view.id, 'status': view.status, 'is_typing': view.is_typing,
            'cursor': [view.cursor.line, view.cursor.column] if view.cursor else None}).encode(), healed=True)

    def _receive(self, interview_id: str, message: RelayMessage) -> None:
        try:
            if message.kind is not Kind.PRESENCE:
                raise PresenceError(f'a {message.kind.name} message on a presence channel')
            data = json.loads(message.payload)
            if not isinstance(data, dict):
                raise PresenceError('relayed presence is not an object')
            if data.get('ask') is True:
                for view in self.presence.local_participants(interview_id):
                    self._publish(view)
                return
            if not isinstance(data.get('id'), str):
                raise PresenceError('relayed presence without a participant id')
            self.presence.apply_remote(message.instance, interview_id, data['id'], status=data.get('status'),
                                       is_typing=data.get('is_typing'), cursor=data.get('cursor'))
            self._instances.add(message.instance)
        except (ValueError, PresenceError) as error:
            log.warning('dropped a presence message from %s for %s: %s', message.instance, interview_id[:40], error)

    def on_alive(self, alive: set[str]) -> None:
        for instance in self._instances - alive:
            log.info('instance %s is gone: its people go offline', instance)
            self.presence.drop_instance(instance)
        self._instances &= alive

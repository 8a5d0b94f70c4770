"""Runs across instances: whichever instance a person's tab is on, pressing Run in an interview gives one run
that everybody's console shows, and Stop stops it wherever it runs.

The hub of the instance that runs the code (it took the room's run lock in the database) publishes every event on
the interview's run channel of the relay; the other instances' hubs mirror it for their tabs, send a Stop to it,
and end it as failed when its instance's liveness key expires.
"""

import asyncio
import json
import logging

from collab.relay import Kind, Relay, RelayMessage
from runner import RunHub, RunHubs

log = logging.getLogger(__name__)

CHANNEL = 'run:'
EVENTS = ('start', 'output', 'end', 'stop')


class RunLink:
    def __init__(self, hubs: RunHubs, relay: Relay) -> None:
        self.hubs = hubs
        self.relay = relay
        self._task: asyncio.Task | None = None
        hubs.on_hub = self.watch

    async def start(self) -> None:
        self._task = asyncio.create_task(self._check_forever(), name='pairpad-run-liveness')

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def watch(self, interview_id: str, hub: RunHub) -> None:
        hub.outbound = lambda event, data: self.relay.publish(
            CHANNEL + interview_id, Kind.RUN, json.dumps({'event': event, **data}).encode())
        self.relay.subscribe(CHANNEL + interview_id, lambda message: self._receive(hub, message))

    def _receive(self, hub: RunHub, message: RelayMessage) -> None:
        try:
            if message.kind is not Kind.RUN:
                raise ValueError(f'a {message.kind.name} message on a run channel')
            data = json.loads(message.payload)
            if not isinstance(data, dict) or data.get('event') not in EVENTS:
                raise ValueError('a run message without a known event')
            hub.apply_remote(message.instance, data.pop('event'), data)
        except (ValueError, KeyError, TypeError) as error:
            log.warning('dropped a run message from %s: %s', message.instance, error)

    async def _check_forever(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            alive = self.relay.alive()
            if alive is None:
                continue
            for hub in self.hubs.hubs():
                current = hub.current
                if current is not None and current.instance is not None and current.instance not in alive:
                    log.info('the instance running %s is gone: the run ends as failed', current.run_id)
                    hub.drop_instance(current.instance)

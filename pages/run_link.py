"""Runs across instances: whichever instance a person's tab is on, pressing Run in an interview gives one run
that everybody's console shows, and Stop stops it wherever it runs.

The hub of the instance that runs the code (it took the room's run lock in the database) publishes every event on
the interview's run channel of the relay; the other instances' hubs mirror it for their tabs, send a Stop to it,
and end it as failed when its instance's liveness key expires. Run tests and a picked question go the same way
(tests_start/tests_end carry the interviewer's view of the results: server to server only; each instance renders
each tab's role view from it).

An instance seen going also has the store's runs it left RUNNING failed (`fail_abandoned`): a room whose every tab
was on the dead instance has no hub elsewhere to end its run, and its record would say "running" (REST, report,
playback) until some instance restarted.
"""

import asyncio
import json
import logging
from typing import Awaitable, Callable

from collab.relay import Kind, Relay, RelayMessage
from runner import RunHub, RunHubs

from .liveness import LivenessWatch

log = logging.getLogger(__name__)

CHANNEL = 'run:'
EVENTS = ('start', 'output', 'end', 'stop', 'tests_start', 'tests_end', 'question')


class RunLink(LivenessWatch):
    def __init__(self, hubs: RunHubs, relay: Relay,
                 fail_abandoned: Callable[[], Awaitable[object]] | None = None) -> None:
        super().__init__(relay)
        self.hubs = hubs
        hubs.on_hub = self.watch
        self.fail_abandoned = fail_abandoned
        self._alive: set[str] = set()
        self._failing: set[asyncio.Task] = set()

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

    def on_alive(self, alive: set[str]) -> None:
        gone, self._alive = self._alive - alive, set(alive)
        if gone and self.fail_abandoned is not None:
            # Every surviving instance does this at once: harmless, fail_abandoned_runs takes each room's run lock
            # and changes a row only while it still says RUNNING (a killed holder's lock went with its socket).
            log.info('instances %s are gone: failing the runs they left running', ', '.join(sorted(gone)))
            task = asyncio.create_task(self.fail_abandoned(), name='pairpad-fail-abandoned-runs')
            self._failing.add(task)
            task.add_done_callback(self._failing.discard)
        for hub in self.hubs.hubs():
            current = hub.current
            if current is not None and current.instance is not None and current.instance not in alive:
                log.info('the instance running %s is gone: the run ends as failed', current.run_id)
                hub.drop_instance(current.instance)
            testing = hub.testing
            if testing is not None and testing.instance is not None and testing.instance not in alive:
                log.info('the instance running tests %s is gone: they end with no result', testing.run_id)
                hub.drop_testing(testing.instance)

"""What the links across instances (presence_link.py, run_link.py) share: once a second, the set of instances
whose liveness key is current, handed to `on_alive` (skipped while the relay cannot tell: Redis away or just back)."""

import asyncio

from collab.relay import Relay


class LivenessWatch:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._watch_forever(), name=f'pairpad-{type(self).__name__}-liveness')

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def on_alive(self, alive: set[str]) -> None:
        """Called with the live instances; a subclass ends what belonged to the others."""

    async def _watch_forever(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            alive = self.relay.alive()
            if alive is not None:
                self.on_alive(alive)

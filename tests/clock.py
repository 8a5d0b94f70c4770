"""A clock that moves only when a test says so (collab.clock.Clock): assertions about time never depend on how
long a sleep took on a busy machine."""

import heapq
from itertools import count
from typing import Callable


class _Call:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self._queue: list[tuple[float, int, _Call, Callable[[], None]]] = []
        self._order = count()

    def now(self) -> float:
        return self.time

    def __call__(self) -> float:  # also usable where a plain `() -> seconds` callable is wanted
        return self.time

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Call:
        call = _Call()
        heapq.heappush(self._queue, (self.time + max(0.0, delay), next(self._order), call, callback))
        return call

    def run_due(self) -> None:
        """Run every callback due by now (those they schedule for now too), in time order."""
        while self._queue and self._queue[0][0] <= self.time:
            _, _, call, callback = heapq.heappop(self._queue)
            if not call.cancelled:
                callback()

    def advance(self, seconds: float) -> None:
        """Move time forward, running each callback at its due time on the way."""
        end = self.time + seconds
        while self._queue and self._queue[0][0] <= end:
            self.time = max(self.time, self._queue[0][0])
            self.run_due()
        self.time = end
        self.run_due()

"""Time as a parameter: what the engine's timing-dependent parts (the fan-out's intervals, rate limits) read and
schedule with. The server passes nothing and gets the running event loop; a test passes a clock it moves by hand,
so its assertions never depend on how long a `sleep` took on a busy machine."""

import asyncio
from typing import Callable, Protocol


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run `callback` once, `delay` seconds from now (at the next turn when `delay` <= 0)."""


class LoopClock:
    """The running asyncio event loop's own clock and scheduling."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        loop = asyncio.get_running_loop()
        return loop.call_soon(callback) if delay <= 0 else loop.call_later(delay, callback)

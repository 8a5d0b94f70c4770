"""Completions answered off the event loop, with a bound on everything a request can cost.

jedi runs in one worker process (multiprocessing's Pool): a completion that takes seconds of CPU then uses the
other core, never the loop that carries everyone's keystrokes, and holds no GIL the rooms need. A request waits at
most `timeout` seconds and then answers empty; at most `max_pending` requests are in flight over the whole server
(beyond that the answer is 'busy' at once, without queueing); a worker stuck on one request for `stuck_after`
seconds (at least twice the timeout) is terminated and a fresh one started, so a pathological document cannot
turn completions off for every room of the server. Completion is a convenience: every failure answers "no suggestions", never an error that
reaches the document or the other people in the room.
"""

import asyncio
import logging
import multiprocessing
import multiprocessing.pool
import time
from dataclasses import dataclass, field
from typing import Callable

from config import Settings

from . import python

log = logging.getLogger(__name__)

KINDS = ('items', 'signatures')


@dataclass
class Answer:
    items: list[dict] = field(default_factory=list)     # kind 'items'
    signatures: list[dict] = field(default_factory=list)  # kind 'signatures'
    error: str | None = None                            # why there is nothing: 'busy', 'timed out', a bad position


class CompletionService:
    def __init__(self, *, timeout: float = Settings.completion_timeout, start_timeout: float = 30.0, max_pending: int = 8,
                 stuck_after: float = 30.0,
                 functions: dict[str, Callable[[str, int, int], list[dict]]] | None = None,
                 warm_up: Callable[[], None] | None = python.warm_up, clock: Callable[[], float] = time.monotonic):
        """`functions` (module-level, so the worker process can import them) answer each kind; `warm_up` runs in
        the worker when it starts."""
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.max_pending = max_pending
        self.stuck_after = max(stuck_after, 2 * timeout)
        self.functions = functions or {'items': python.complete, 'signatures': python.signatures}
        self.warm_up = warm_up
        self.clock = clock
        self._pool: multiprocessing.pool.Pool | None = None
        self._starting: asyncio.Task | None = None  # the worker's start and warm-up, awaited by the first requests
        self._started: dict[int, float] = {}  # in-flight request → when it was handed to the worker
        self._next = 0
        self.restarts = 0

    @property
    def pending(self) -> int:
        return len(self._started)

    async def answer(self, kind: str, code: str, line: int, column: int) -> Answer:
        """Completions (kind 'items') or signature help ('signatures') at Monaco's position in `code`."""
        if kind not in self.functions:
            return Answer(error=f'unknown kind {str(kind)[:20]!r}')
        self._restart_if_stuck()
        if self.pending >= self.max_pending:
            return Answer(error='busy')
        try:
            await asyncio.wait_for(asyncio.shield(self.start()), self.start_timeout)
        except asyncio.TimeoutError:  # still warming up (a loaded machine): this one gets nothing, later ones will
            return Answer(error='starting')
        request = self._next = self._next + 1
        self._started[request] = self.clock()
        future = self._submit(self.functions[kind], (code, line, column),
                              lambda: self._started.pop(request, None))
        try:
            found = await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except asyncio.TimeoutError:
            return Answer(error='timed out')
        except ValueError as e:  # the position is not in the code
            return Answer(error=str(e)[:200])
        except Exception as e:  # jedi failed on this code: no suggestions, and a line in the log
            log.warning('completion: %s failed: %s: %s', kind, type(e).__name__, str(e)[:200])
            return Answer(error='failed')
        return Answer(items=found) if kind == 'items' else Answer(signatures=found)

    def start(self) -> asyncio.Future:
        """Start the worker, once; the future is done when it has warmed up (seconds of CPU, the first time).
        Started by the first request rather than with the server: a server whose people never ask pays nothing."""
        if self._starting is None:
            self._starting = self._submit(_nothing, ())
        return self._starting

    def _submit(self, function: Callable, args: tuple, on_done: Callable[[], object] = lambda: None) -> asyncio.Future:
        """Hand `function(*args)` to the worker; the future settles in the event loop when the worker answers. No
        thread waits for it: a terminated worker (close) leaves the future pending, and nothing blocks the exit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def settle(result=None, error: BaseException | None = None) -> None:
            on_done()
            if not future.done():
                future.set_exception(error) if error is not None else future.set_result(result)

        def call_in_loop(*args) -> None:  # from the pool's result thread
            try:
                loop.call_soon_threadsafe(settle, *args)
            except RuntimeError:  # the loop has closed: the server is stopping and nobody waits any more
                pass

        self._worker().apply_async(function, args, callback=lambda result: call_in_loop(result),
                                   error_callback=lambda error: call_in_loop(None, error))
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
        self._starting = None
        self._started.clear()

    def _worker(self) -> multiprocessing.pool.Pool:
        # spawn, not fork: the server has threads (the writer, the runner's), and a forked copy of a lock held by
        # one of them would hang the worker.
        if self._pool is None:
            self._pool = multiprocessing.get_context('spawn').Pool(1, initializer=self.warm_up)
        return self._pool

    def _restart_if_stuck(self) -> None:
        if self._started and self.clock() - min(self._started.values()) > self.stuck_after:
            log.warning('completion: the worker spent over %g s on one request; starting a new one',
                        self.stuck_after)
            self.close()
            self.restarts += 1


def _nothing() -> None:
    """A task that only proves the worker has started (its initializer ran first)."""

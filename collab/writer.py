"""Group commit: updates are queued by the room at once and written in one transaction per window.

The disk is never on a keystroke's path: the room fans an update out first and only queues it here. If the
process dies inside a window, the peers still hold those updates and give them back on their next sync.
A failed write keeps the batch queued and is retried with backoff; the documents stay in memory meanwhile.

Consecutive updates of one author in one room within a window are merged into one row (`pycrdt.merge_updates`,
in the writer's thread): the history keeps who typed what to within a window (25 ms, less than a keystroke at
any human rate), and a burst (a paste, a replay, a reconnecting tab's backlog) costs the store one row instead of
one per update, which is what bounded the trace replay of docs/benchmarks.md (the thread holds the GIL while it
builds rows, and the room waits meanwhile).
"""

import asyncio
import logging
import time

from pycrdt import merge_updates

from .persistence import PendingUpdate, Persistence

log = logging.getLogger(__name__)

MERGE_AT_MOST = 1000  # updates per stored row: bounds the row a burst makes, and the work a merge does at once


class GroupCommitWriter:
    def __init__(self, persistence: Persistence, *, window: float = 0.025, compact_every: int = 500,
                 compact_after_idle: float = 10.0, compact_pause: float = 1.0) -> None:
        self.persistence = persistence
        self.window = window
        self.compact_every = compact_every
        self.compact_after_idle = compact_after_idle
        # A room past compact_every rows is compacted at its first pause of this long (compact_idle, from the
        # registry's sweep), at twice compact_every rows at the latest: a compaction is CPU in a thread that holds
        # the GIL (merge_updates, SQLAlchemy), and in the middle of someone's typing it showed as a burst of slow
        # keystrokes (docs/benchmarks.md, keystroke latency).
        self.compact_pause = compact_pause
        self._queue: list[PendingUpdate] = []
        self._queued_total = 0
        self._committed_total = 0
        self._since_compaction: dict[str, int] = {}
        self._last_write: dict[str, float] = {}
        self._wakeup = asyncio.Event()
        self._committed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._forgotten: set[str] = set()  # rooms whose interview was deleted: their writes are dropped
        self._lock = asyncio.Lock()  # one store operation at a time: appends and compactions never interleave

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError('writer already started')
        self._task = asyncio.create_task(self._run(), name='pairpad-group-commit')

    async def stop(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def enqueue(self, room_id: str, update: bytes, author: str | None = None) -> None:
        self._queue.append(PendingUpdate(room_id, update, author, time.time()))
        self._queued_total += 1
        self._wakeup.set()

    def discard(self, room_id: str) -> None:
        """Drop what is queued for a room that no longer exists (its interview was deleted)."""
        self._forgotten.add(room_id)
        kept = [item for item in self._queue if item.room_id != room_id]
        self._committed_total += len(self._queue) - len(kept)  # settled, as far as flush() waiters are concerned
        self._queue = kept
        self._committed.set()
        self._since_compaction.pop(room_id, None)
        self._last_write.pop(room_id, None)

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def flush(self) -> None:
        """Wait until everything queued before this call is committed."""
        target = self._queued_total
        if self._task is None:
            await self._commit()
            return
        while self._committed_total < target:
            self._committed.clear()
            self._wakeup.set()
            await self._committed.wait()

    async def compact(self, room_id: str) -> None:
        async with self._lock:
            await asyncio.to_thread(self.persistence.compact, room_id)
        self._since_compaction.pop(room_id, None)

    async def compact_idle(self) -> None:
        """Compact every room that was written to but has been quiet for `compact_after_idle` seconds, and every
        room past `compact_every` rows that has paused for `compact_pause` seconds."""
        now = time.monotonic()
        for room_id, count in list(self._since_compaction.items()):
            quiet = now - self._last_write.get(room_id, now)
            if (count > 1 and quiet >= self.compact_after_idle) or \
                    (count >= self.compact_every and quiet >= self.compact_pause):
                await self.compact(room_id)

    async def _run(self) -> None:
        backoff = self.window
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(self.window)  # the group-commit window: gather what arrives meanwhile
            self._wakeup.clear()
            try:
                await self._commit()
                backoff = self.window
            except Exception:  # keep serving; the batch was put back and is retried
                log.exception('store write failed; retrying in %.2f s with %d updates queued', backoff, self.pending)
                self._wakeup.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _write(self, batch: list[PendingUpdate]) -> None:
        self.persistence.append(coalesce(batch))

    async def _commit(self) -> None:
        async with self._lock:
            batch, self._queue = self._queue, []
            if not batch:
                return
            try:
                await asyncio.to_thread(self._write, batch)
            except BaseException:
                retry = [item for item in batch if item.room_id not in self._forgotten]
                self._committed_total += len(batch) - len(retry)
                self._queue[:0] = retry
                raise
            self._committed_total += len(batch)
            self._committed.set()
            now = time.monotonic()
            for room_id in (item.room_id for item in batch):
                self._since_compaction[room_id] = self._since_compaction.get(room_id, 0) + 1
                self._last_write[room_id] = now
        for room_id in {item.room_id for item in batch}:
            if self._since_compaction.get(room_id, 0) >= 2 * self.compact_every:  # no pause came: compact anyway
                await self.compact(room_id)


def coalesce(batch: list[PendingUpdate]) -> list[PendingUpdate]:
    """Merge each run of consecutive updates with the same room and author into one, stamped with the run's last
    time; the order of the runs is kept. A run that does not merge (it cannot happen for updates a room applied,
    but a store must never lose a batch over it) is kept as it was."""
    out: list[PendingUpdate] = []
    run: list[PendingUpdate] = []

    def close_run() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            try:
                out.append(run[-1]._replace(data=merge_updates(*(item.data for item in run))))
            except ValueError:
                log.warning('could not merge %d updates of %s; storing them one by one', len(run), run[0].room_id)
                out.extend(run)
        run.clear()

    for item in batch:
        if run and (item.room_id != run[0].room_id or item.author != run[0].author or len(run) >= MERGE_AT_MOST):
            close_run()
        run.append(item)
    close_run()
    return out

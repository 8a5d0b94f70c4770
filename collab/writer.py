"""Group commit: updates are queued by the room at once and written in one transaction per window.

The disk is never on a keystroke's path: the room fans an update out first and only queues it here. If the
process dies inside a window, the peers still hold those updates and give them back on their next sync.

A failed write loses nothing and stores nothing twice. The rows it tried to write are kept, in order, ahead of
everything queued after them, and retried with backoff until the store answers; the documents stay in memory
meanwhile. Whether a failed write committed is unknown when the connection broke during COMMIT (a database that
crashed), so the retry goes through `Persistence.append_unless_stored`: the store looks for those very rows first.
While a room's updates wait for the store (a write failed, or has taken longer than SLOW_WRITE), the room is
"saving" for whoever watches it (`watch`: the room page's header), and "saved" again once they are all written.
A store that is away is a WARNING (it restarts: /healthz says so meanwhile); one away for ERROR_AFTER is an ERROR.

Consecutive updates of one author in one room within a window are merged into one row (`pycrdt.merge_updates`,
in the writer's thread): the history keeps who typed what to within a window (25 ms, less than a keystroke at
any human rate), and a burst (a paste, a replay, a reconnecting tab's backlog) costs the store one row instead of
one per update, which is what bounded the trace replay of docs/benchmarks.md (the thread holds the GIL while it
builds rows, and the room waits meanwhile).
"""

import asyncio
import logging
import time
from typing import Callable

from pycrdt import merge_updates

from config import Settings

from .persistence import PendingUpdate, Persistence

log = logging.getLogger(__name__)

MERGE_AT_MOST = 1000  # updates per stored row: bounds the row a burst makes, and the work a merge does at once
SLOW_WRITE = 0.5  # seconds a write may take before the rooms in it show "saving"
MAX_BACKOFF = 1.0  # seconds between retries at most: a store back from a restart is written to within a second
ERROR_AFTER = 60.0  # seconds of failing writes after which it is logged as an ERROR (once per outage)

SAVED, SAVING = 'saved', 'saving'


class GroupCommitWriter:
    def __init__(self, persistence: Persistence, *, window: float = Settings.commit_window,
                 compact_every: int = Settings.compact_every, compact_after_idle: float = Settings.compact_after_idle,
                 compact_pause: float = 1.0) -> None:
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
        # A write that failed: the updates it held and the rows made of them (None: it failed before the rows were
        # made, so nothing can have been stored). Retried before anything queued after it.
        self._in_doubt: tuple[list[PendingUpdate], list[PendingUpdate] | None] | None = None
        self._queued_total = 0
        self._committed_total = 0
        self._since_compaction: dict[str, int] = {}
        self._last_write: dict[str, float] = {}
        self._wakeup = asyncio.Event()
        self._committed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._forgotten: set[str] = set()  # rooms whose interview was deleted: their writes are dropped
        self._lock = asyncio.Lock()  # one store operation at a time: appends and compactions never interleave
        self._saving: set[str] = set()  # rooms whose updates wait for the store
        self._watchers: dict[str, list[Callable[[str], None]]] = {}
        # the document of a room in memory, as one squashed update, or None (the room's registry sets it)
        self.document_of: Callable[[str], bytes | None] = lambda _room_id: None
        self.failing_since: float | None = None  # time.monotonic() of the first failed write of an outage
        self._error_logged = False

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
        if self.failing_since is not None:
            self._mark_saving({room_id})
        self._wakeup.set()

    def discard(self, room_id: str) -> None:
        """Drop what is queued for a room that no longer exists (its interview was deleted)."""
        self._forgotten.add(room_id)
        kept = [item for item in self._queue if item.room_id != room_id]
        dropped = len(self._queue) - len(kept)
        self._queue = kept
        if self._in_doubt is not None:
            batch, rows = self._in_doubt
            kept = [item for item in batch if item.room_id != room_id]
            dropped += len(batch) - len(kept)
            rows = None if rows is None else [row for row in rows if row.room_id != room_id]
            self._in_doubt = (kept, rows) if kept else None
        self._committed_total += dropped  # settled, as far as flush() waiters are concerned
        self._committed.set()
        self._since_compaction.pop(room_id, None)
        self._last_write.pop(room_id, None)
        self._saving.discard(room_id)

    @property
    def pending(self) -> int:
        return len(self._queue) + (len(self._in_doubt[0]) if self._in_doubt else 0)

    # -- the save state of a room -----------------------------------------------------------------------------

    def state(self, room_id: str) -> str:
        """SAVING while some of the room's updates wait for the store, else SAVED."""
        return SAVING if room_id in self._saving else SAVED

    def watch(self, room_id: str, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call `callback(SAVING | SAVED)` whenever the room's save state changes; returns the unsubscribe."""
        self._watchers.setdefault(room_id, []).append(callback)

        def unsubscribe() -> None:
            callbacks = self._watchers.get(room_id, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks:
                self._watchers.pop(room_id, None)
        return unsubscribe

    def _mark_saving(self, room_ids: set[str]) -> None:
        for room_id in room_ids - self._saving - self._forgotten:
            self._saving.add(room_id)
            self._tell(room_id, SAVING)

    def _mark_saved(self) -> None:
        waiting = {item.room_id for item in self._queue}
        if self._in_doubt is not None:
            waiting |= {item.room_id for item in self._in_doubt[0]}
        for room_id in self._saving - waiting:
            self._saving.discard(room_id)
            self._tell(room_id, SAVED)

    def _tell(self, room_id: str, state: str) -> None:
        for callback in list(self._watchers.get(room_id, [])):
            try:
                callback(state)
            except Exception:
                log.exception('save state watcher of %s failed', room_id)

    # -- writing ------------------------------------------------------------------------------------------------

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
        """Merge the room's rows into its snapshot, the room's own document first if it is in memory
        (`document_of`, which its registry sets; Persistence.compact says why)."""
        base = self.document_of(room_id)  # on the loop: the room's Doc is not thread-safe
        async with self._lock:
            await asyncio.to_thread(self.persistence.compact, room_id, base)
        self._since_compaction.pop(room_id, None)

    async def compact_idle(self) -> None:
        """Compact every room that was written to but has been quiet for `compact_after_idle` seconds, and every
        room past `compact_every` rows that has paused for `compact_pause` seconds. A compaction that fails (the
        store is away) is tried again at the next call: the rows it would fold stay where they are meanwhile."""
        now = time.monotonic()
        for room_id, count in list(self._since_compaction.items()):
            quiet = now - self._last_write.get(room_id, now)
            if (count > 1 and quiet >= self.compact_after_idle) or \
                    (count >= self.compact_every and quiet >= self.compact_pause):
                try:
                    await self.compact(room_id)
                except Exception as error:
                    log.warning('compaction of %s failed, tried again later: %s', room_id, _one_line(error))

    async def _run(self) -> None:
        backoff = self.window
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(self.window)  # the group-commit window: gather what arrives meanwhile
            self._wakeup.clear()
            try:
                await self._commit()
                backoff = self.window
            except Exception as error:  # keep serving; the batch is kept and retried
                self._failed(error, backoff)
                self._wakeup.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _failed(self, error: Exception, backoff: float) -> None:
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
            log.warning('store write failed (%s); %d updates kept, retried every %.2f s or more, at most %g s',
                        _one_line(error), self.pending, backoff, MAX_BACKOFF)
        elif now - self.failing_since >= ERROR_AFTER and not self._error_logged:
            self._error_logged = True
            log.error('store write failed for %.0f s; %d updates kept in memory, still retrying',
                      now - self.failing_since, self.pending, exc_info=error)
        else:
            log.debug('store write failed again: %s', _one_line(error))

    def _recovered(self) -> None:
        if self.failing_since is not None:
            log.warning('store writes succeed again after %.1f s; nothing was lost',
                        time.monotonic() - self.failing_since)
        self.failing_since, self._error_logged = None, False

    def _write(self, batch: list[PendingUpdate], made: list) -> None:
        rows = coalesce(batch)
        made.append(rows)  # from here on the store may have committed them, whatever the append says
        self.persistence.append(rows)

    def _write_again(self, rows: list[PendingUpdate]) -> None:
        append_unless_stored = getattr(self.persistence, 'append_unless_stored', None)
        (append_unless_stored or self.persistence.append)(rows)

    async def _in_thread(self, function, *args) -> None:
        """Run a store call off the loop; the rooms in it show "saving" if it takes longer than SLOW_WRITE."""
        rooms = {item.room_id for item in args[0]}
        slow = asyncio.get_running_loop().call_later(SLOW_WRITE, self._mark_saving, rooms)
        try:
            await asyncio.to_thread(function, *args)
        except BaseException:
            self._mark_saving(rooms)
            raise
        finally:
            slow.cancel()

    async def _commit(self) -> None:
        written: list[PendingUpdate] = []
        async with self._lock:
            try:
                if self._in_doubt is not None:  # first what failed before: the order of a room's rows is kept
                    batch, rows = self._in_doubt
                    await self._attempt(batch, rows)
                    written += batch
                batch, self._queue = self._queue, []
                if batch:
                    await self._attempt(batch, None)
                    written += batch
            except BaseException:
                self._mark_saving({item.room_id for item in self._queue})
                raise
            self._recovered()
            self._mark_saved()
        for room_id in {item.room_id for item in written}:
            if self._since_compaction.get(room_id, 0) >= 2 * self.compact_every:  # no pause came: compact anyway
                try:
                    await self.compact(room_id)
                except Exception as error:
                    log.warning('compaction of %s failed, tried again later: %s', room_id, _one_line(error))

    async def _attempt(self, batch: list[PendingUpdate], rows: list[PendingUpdate] | None) -> None:
        """Write a batch (rows None: not tried yet) or the rows of a failed try again; on failure keep both."""
        made = [] if rows is None else [rows]
        try:
            if rows is None:
                await self._in_thread(self._write, batch, made)
            else:
                await self._in_thread(self._write_again, rows)
        except BaseException:
            self._in_doubt = (batch, made[0] if made else None)
            raise
        self._in_doubt = None
        self._settle(batch)

    def _settle(self, batch: list[PendingUpdate]) -> None:
        self._committed_total += len(batch)
        self._committed.set()
        now = time.monotonic()
        for room_id in (item.room_id for item in batch):
            self._since_compaction[room_id] = self._since_compaction.get(room_id, 0) + 1
            self._last_write[room_id] = now


def _one_line(error: BaseException) -> str:
    text = ' '.join(str(getattr(error, 'orig', None) or error).split())
    return f'{type(error).__name__}: {text}'[:300]


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

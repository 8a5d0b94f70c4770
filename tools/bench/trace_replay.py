"""Benchmark 4: the traces replayed as per-keystroke updates, in-process, through
- ours: one Room of a RoomRegistry on the SQLModel store (SQLite file, group commit), one peer sending and one
  peer receiving the fan-out, until every update is applied and committed;
- limit: bare pycrdt `Doc.apply_update` of the same updates;
- peer: pycrdt-websocket's YRoom with its SQLiteYStore, one channel sending and one receiving, until every update
  is applied and written.
A figure counts only if the final text equals the trace's endContent (and, for the stores, the text reloaded
from the database too)."""

import asyncio
import tempfile
import time
from pathlib import Path

from pycrdt import Doc, Text
from pycrdt.store import SQLiteYStore
from pycrdt.websocket import YRoom

from collab import Limits, RoomRegistry, initial_update, protocol
from store import SqlUpdateLog, create_db, create_interview

from .traces import Trace, prefix

YIELD_EVERY = 50  # let the event loop run (group commit, broadcast tasks) as live traffic would


def replay_limit(trace: Trace) -> dict:
    doc = Doc()
    text = doc.get('code', type=Text)
    start = time.perf_counter()
    for update in trace.updates:
        doc.apply_update(update)
    elapsed = time.perf_counter() - start
    return _result(trace, elapsed, str(text) == trace.end)


async def replay_ours(trace: Trace, work_dir: Path) -> dict:
    engine = create_db(f'sqlite:///{work_dir / f"ours-{trace.name}-{len(trace.updates)}-{time.monotonic_ns()}.db"}')
    persistence = SqlUpdateLog(engine)
    limits = Limits(message_rate=1e9, message_burst=1e9, max_document_bytes=64 * 1024 * 1024)
    registry = RoomRegistry(persistence, limits=limits, compact_every=10**9, unload_after=3600)
    interview = create_interview(engine, title=trace.name, language='plaintext',
                                 initial_update=initial_update('plaintext'))
    await registry.start()
    try:
        room = await registry.get(interview.id)
        received = [0]
        room.connect('writer', lambda _m: None)
        room.connect('reader', lambda _m: received.__setitem__(0, received[0] + 1))
        for peer_id in ('writer', 'reader'):  # each opens the handshake with its (empty) state, as a client does
            room.receive(peer_id, protocol.sync_step1(Doc().get_state()))
        messages = [protocol.update(u) for u in trace.updates]
        start = time.perf_counter()
        for i, message in enumerate(messages):
            room.receive('writer', message)
            if i % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        await registry.writer.flush()
        elapsed = time.perf_counter() - start
        reloaded = Doc()
        for stored in persistence.load(interview.id):
            reloaded.apply_update(stored)
        ok = room.text == trace.end and str(reloaded.get('code', type=Text)) == trace.end
        return {**_result(trace, elapsed, ok), 'fanned_out': received[0]}
    finally:
        await registry.stop()
        engine.dispose()


class _Channel:
    """pycrdt's Channel protocol over an asyncio queue: what the room reads, and what it sends, counted."""

    def __init__(self, path: str) -> None:
        self._path = path
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.sent = 0

    @property
    def path(self) -> str:
        return self._path

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        message = await self.inbox.get()
        if message is None:
            raise StopAsyncIteration
        return message

    async def send(self, message: bytes) -> None:
        self.sent += 1

    async def recv(self) -> bytes:
        return await self.__anext__()


class _CountingStore(SQLiteYStore):
    written = 0

    async def write(self, data: bytes) -> None:
        await super().write(data)
        self.written += 1


async def replay_peer(trace: Trace, work_dir: Path, *, timeout: float = 600.0) -> dict:
    store = _CountingStore(path=trace.name)
    store.db_path = str(work_dir / f'ystore-{trace.name}-{time.monotonic_ns()}.db')
    room = YRoom(ready=True, ystore=store)
    writer, reader = _Channel('writer'), _Channel('reader')
    async with room:
        tasks = [asyncio.create_task(room.serve(writer)), asyncio.create_task(room.serve(reader))]
        await asyncio.sleep(0.05)
        await store.started.wait()
        text = room.ydoc.get('code', type=Text)
        messages = [protocol.update(u) for u in trace.updates]
        start = time.perf_counter()
        for i, message in enumerate(messages):
            writer.inbox.put_nowait(message)
            if i % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        deadline = time.monotonic() + timeout
        while (store.written < len(messages) or str(text) != trace.end) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        complete = store.written >= len(messages)
        reloaded = Doc()
        await store.apply_updates(reloaded)
        ok = complete and str(text) == trace.end and str(reloaded.get('code', type=Text)) == trace.end
        writer.inbox.put_nowait(None)
        reader.inbox.put_nowait(None)
        await asyncio.gather(*tasks, return_exceptions=True)
    return {**_result(trace, elapsed, ok), 'written': store.written}


def _result(trace: Trace, elapsed: float, ok: bool) -> dict:
    return {'trace': trace.name, 'updates': len(trace.updates), 'seconds': round(elapsed, 4),
            'updates_per_s': round(len(trace.updates) / elapsed, 1) if ok and elapsed > 0 else None,
            'final_text_ok': ok}


async def run(traces: list[Trace], *, peer_limit: int | None = None, peer_timeout: float = 900.0) -> dict:
    """Replay each trace through ours and the limit; the peer replays the first `peer_limit` updates (all when
    None, none when 0), and ours and the limit replay that same prefix too, for a like-for-like ratio."""
    with tempfile.TemporaryDirectory(prefix='pairpad-bench-trace-') as tmp:
        work_dir = Path(tmp)
        results = {'ours': [], 'limit': [], 'peer': [], 'ours_on_peer_prefix': [], 'limit_on_peer_prefix': []}
        for trace in traces:
            results['limit'].append(replay_limit(trace))
            results['ours'].append(await replay_ours(trace, work_dir))
            if peer_limit == 0:
                continue
            part = trace if peer_limit is None else prefix(trace, peer_limit)
            results['peer'].append({**await replay_peer(part, work_dir, timeout=peer_timeout),
                                    'of_updates': len(trace.updates)})
            if part is not trace:
                results['ours_on_peer_prefix'].append(await replay_ours(part, work_dir))
                results['limit_on_peer_prefix'].append(replay_limit(part))
    return results

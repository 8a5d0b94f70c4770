"""The store goes away and comes back while people type: nothing is lost, nothing is stored twice, the room shows
"saving" meanwhile and "saved" after, and /healthz says the store is down.

- a write that committed but whose connection broke before the answer (what a database crash mid-COMMIT does) is
  retried without storing its rows again, on SQLite and on PostgreSQL;
- a real PostgreSQL (a private cluster of this test) stopped with `pg_ctl stop -m immediate` and started again while
  a peer types: every keystroke is in the store afterwards, once, in order; no ERROR is logged (pool_pre_ping: the
  pooled connections of the dead server are not handed out again)."""

import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from collab import MemoryPersistence, Room, RoomRegistry, initial_update
from collab.writer import SAVED, SAVING
from config import Settings
from pages.health import build_router
from store import SqlUpdateLog, create_db, create_interview
from tests.wiring import Wire
from tools.postgres import PostgresCluster, PostgresUnavailable, find_binaries, free_port


class CommitsThenFails(SqlUpdateLog):
    """Its first `refused` writes fail before writing anything; the next `ambiguous` ones commit and then raise,
    as a connection that broke after its COMMIT reached the server."""

    def __init__(self, engine, *, ambiguous: int = 0, refused: int = 0) -> None:
        super().__init__(engine)
        self.ambiguous, self.refused = ambiguous, refused

    def append(self, batch) -> None:
        self._fail_or(super().append, batch)

    def append_unless_stored(self, batch) -> None:
        self._fail_or(super().append_unless_stored, batch)

    def _fail_or(self, write, batch) -> None:
        if self.refused:
            self.refused -= 1
            raise ConnectionError('connection refused')
        write(batch)
        if self.ambiguous:
            self.ambiguous -= 1
            raise ConnectionError('server closed the connection unexpectedly')


def _rows(store: SqlUpdateLog, room_id: str) -> list[bytes]:
    return [entry.data for entry in store.history(room_id)]


async def _wait(predicate, timeout: float = 20.0, what: str = 'condition') -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f'timed out waiting for {what}'
        await asyncio.sleep(0.01)


@pytest.mark.parametrize('refused', [0, 2])
async def test_a_write_whose_commit_was_not_answered_is_not_stored_twice(database_url, refused):
    engine = create_db(database_url)
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    store = CommitsThenFails(engine, ambiguous=1, refused=refused)
    rooms = RoomRegistry(store, commit_window=0.005)
    await rooms.start()
    states: list[str] = []
    rooms.writer.watch(interview.id, states.append)
    room = await rooms.get(interview.id)
    wire = Wire(room)
    ada = wire.add('ada')
    wire.connect('ada')
    wire.settle()
    ada.insert(0, 'kept once')
    wire.settle()
    await asyncio.wait_for(rooms.writer.flush(), 10)
    ada.insert(len(ada.text), ', in order')  # what comes after the failed write is stored after it
    wire.settle()
    await asyncio.wait_for(rooms.writer.flush(), 10)
    rows = _rows(SqlUpdateLog(engine), interview.id)
    assert len(rows) == len(set(rows)) == 3, 'the initial document and one row per commit, none twice'
    reloaded = Room('again')
    reloaded.load(SqlUpdateLog(engine).load(interview.id))
    assert reloaded.text == 'kept once, in order'
    assert states == [SAVING, SAVED] and rooms.writer.state(interview.id) == SAVED
    assert rooms.writer.failing_since is None
    await rooms.stop()
    engine.dispose()


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test alone (it is stopped and started): the shared one serves other tests."""
    try:
        find_binaries()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    state = Path(tempfile.mkdtemp(prefix='pairpad-pg-outage-'))
    cluster = PostgresCluster(state, free_port(), durable=False)
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop('immediate')
        finally:
            shutil.rmtree(state, ignore_errors=True)


@dataclass
class _Services:  # what /healthz reads of pages.Services
    settings: Settings
    engine: object
    rooms: RoomRegistry
    relay: object = None


async def test_typing_through_a_postgres_crash_and_restart_stores_every_keystroke_once(own_postgres):
    engine = create_db(own_postgres.create_database('pairpad'))
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    rooms = RoomRegistry(SqlUpdateLog(engine), commit_window=0.01)
    await rooms.start()
    states: list[str] = []
    rooms.writer.watch(interview.id, states.append)
    health = TestClient(_mount(build_router(_Services(Settings(), engine, rooms), timeout=2.0)))
    room = await rooms.get(interview.id)
    wire = Wire(room)
    ada = wire.add('ada')
    wire.connect('ada')
    wire.settle()
    typed = 0

    def type_some(count: int = 5) -> None:
        nonlocal typed
        for _ in range(count):
            ada.insert(len(ada.text), f'{typed},')
            typed += 1
            wire.settle()

    type_some()
    await asyncio.wait_for(rooms.writer.flush(), 10)
    assert (await asyncio.to_thread(health.get, '/healthz')).status_code == 200
    await asyncio.to_thread(own_postgres.stop, 'immediate')
    while rooms.writer.state(interview.id) != SAVING:  # the keystrokes of the outage wait, and the room says so
        type_some(1)
        await asyncio.sleep(0.02)
    type_some()
    down = await asyncio.to_thread(health.get, '/healthz')
    assert down.status_code == 503 and down.json()['reason'].startswith('store: '), down.json()
    await asyncio.to_thread(own_postgres.start)
    type_some()
    await _wait(lambda: rooms.writer.state(interview.id) == SAVED, what='saved after the restart')
    await asyncio.wait_for(rooms.writer.flush(), 10)
    assert (await asyncio.to_thread(health.get, '/healthz')).status_code == 200
    rows = _rows(SqlUpdateLog(engine), interview.id)
    assert len(rows) == len(set(rows)), 'an update was stored twice'
    reloaded = Room('again')
    reloaded.load(SqlUpdateLog(engine).load(interview.id))
    assert reloaded.text == ''.join(f'{i},' for i in range(typed)) == room.text
    assert states == [SAVING, SAVED]
    await rooms.stop()
    engine.dispose()


def _mount(router) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


class CompactionFails(MemoryPersistence):
    def __init__(self) -> None:
        super().__init__()
        self.failing = True

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        if self.failing:
            raise ConnectionError('connection refused')
        super().compact(room_id, base)


async def test_a_room_whose_compaction_fails_stays_loaded_and_is_compacted_later():
    store = CompactionFails()
    rooms = RoomRegistry(store, commit_window=0.005, compact_after_idle=0.0, unload_after=0.0)
    room = await rooms.get('r')
    wire = Wire(room)
    ada = wire.add('ada')
    wire.connect('ada')
    ada.insert(0, 'ab')
    wire.settle()
    ada.insert(2, 'cd')
    wire.settle()
    wire.disconnect('ada')
    await rooms.writer.flush()
    await rooms.sweep()  # compact_idle and unload both fail to compact: warnings, the room stays
    assert rooms.loaded('r') is room and len(store.updates['r']) == 1
    store.failing = False
    await rooms.sweep()
    assert rooms.loaded('r') is None
    reloaded = Room('again')
    reloaded.load(store.load('r'))
    assert reloaded.text == 'abcd'

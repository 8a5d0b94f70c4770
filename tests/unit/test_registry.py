"""Group commit, compaction and idle unloading, with the real store (SQLite) and in-process peers."""

import asyncio
import threading

import pytest
from pycrdt import Doc, Text

from collab import MemoryPersistence, PendingUpdate, Room, RoomRegistry, initial_update
from collab.writer import coalesce
from store import SqlUpdateLog, create_db, create_interview
from tests.clock import ManualClock
from tests.unit.test_run_hub import until
from tests.wiring import Wire


class SlowPersistence(MemoryPersistence):
    """Counts store calls and can hold a write, to show the broadcast never waits for the disk."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.release = threading.Event()
        self.release.set()
        self.fail_next = 0

    def load(self, room_id):
        self.loads += 1
        return super().load(room_id)

    def append(self, batch):
        self.release.wait(5)
        if self.fail_next:
            self.fail_next -= 1
            raise OSError('disk full')
        super().append(batch)


async def test_updates_of_one_window_are_one_transaction_and_fan_out_first():
    store = SlowPersistence()
    store.updates['r'] = [initial_update('plaintext')]
    rooms = RoomRegistry(store, commit_window=0.03)
    await rooms.start()
    room = await rooms.get('r')
    wire = Wire(room)
    a, b = wire.add('a'), wire.add('b')
    wire.connect('a'), wire.connect('b')
    wire.settle()
    store.release.clear()  # the disk hangs
    for ch in 'hello':
        a.insert(len(a.text), ch)
    wire.settle()
    assert b.text == 'hello'  # delivered while nothing was written yet
    assert store.commits == 0
    store.release.set()
    await rooms.writer.flush()
    # one transaction, and one row for one author's five keystrokes of one window (merged, nothing lost)
    assert store.commits == 1 and len(store.updates['r']) == 1 + 1
    reloaded = Room('again')
    reloaded.load(store.load('r'))
    assert reloaded.text == 'hello'
    await rooms.stop()


def test_a_window_is_stored_as_one_row_per_run_of_one_author_in_order():
    """What the group commit writes: consecutive updates of one author in one room merge into one row stamped with
    the run's last time; authors and rooms that alternate stay separate rows, in the order they were applied."""
    alice, bob = Doc(), Doc()
    rows = []
    for doc, who, word in ((alice, 'a', 'one '), (alice, 'a', 'two '), (bob, 'b', 'BOB '), (alice, 'a', 'three')):
        text = doc.get('code', type=Text)
        before = doc.get_state()
        text.insert(len(text), word)
        rows.append(PendingUpdate('r', doc.get_update(before), who, float(len(rows))))
    rows.insert(2, PendingUpdate('notes', alice.get_update(), 'a', 9.0))
    stored = coalesce(rows)
    assert [(row.room_id, row.author, row.at) for row in stored] == \
        [('r', 'a', 1.0), ('notes', 'a', 9.0), ('r', 'b', 2.0), ('r', 'a', 3.0)]
    doc = Doc()
    for row in stored:
        if row.room_id == 'r':
            doc.apply_update(row.data)
    merged = str(doc.get('code', type=Text))  # alice and bob typed concurrently: Yjs orders the two inserts
    assert 'BOB ' in merged and merged.replace('BOB ', '') == 'one two three'
    assert coalesce([]) == [] and coalesce(rows[:1]) == rows[:1]
    broken = [PendingUpdate('r', b'not an update', 'a', 1.0), PendingUpdate('r', b'\x00\x00', 'a', 2.0)]
    assert coalesce(broken) == broken  # kept as they came rather than lost


async def test_a_burst_is_stored_in_few_rows_and_reloads_whole(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "burst.db"}')
    interview = create_interview(engine, title='t', language='plaintext', initial_update=initial_update('plaintext'))
    store = SqlUpdateLog(engine)
    rooms = RoomRegistry(store, commit_window=0.05)
    await rooms.start()
    room = await rooms.get(interview.id)
    wire = Wire(room)
    a = wire.add('a')
    wire.connect('a')
    wire.settle()
    for i in range(300):
        a.insert(len(a.text), 'xy'[i % 2])
        wire.settle()
    await rooms.writer.flush()
    assert len(store.history(interview.id)) < 30  # one row per window, not one per keystroke
    reloaded = Room('again')
    reloaded.load(store.load(interview.id))
    assert reloaded.text == 'xy' * 150
    await rooms.stop()


@pytest.mark.allow_error_log('store write failed')  # the failure provoked: a full disk is a server fault
async def test_failed_write_keeps_the_batch_and_retries():
    store = SlowPersistence()
    store.fail_next = 2
    rooms = RoomRegistry(store, commit_window=0.005)
    await rooms.start()
    room = await rooms.get('r')
    wire = Wire(room)
    wire.add('a').insert(0, 'survives a failing disk')
    wire.connect('a')
    wire.settle()
    await asyncio.wait_for(rooms.writer.flush(), 5)
    assert store.fail_next == 0 and len(store.updates['r']) == 1
    await rooms.stop()


async def test_concurrent_joins_share_one_load():
    store = SlowPersistence()
    rooms = RoomRegistry(store)
    first, second = await asyncio.gather(rooms.get('r'), rooms.get('r'))
    assert first is second and store.loads == 1


def _text_update(text: str) -> bytes:
    doc = Doc()
    doc.get('code', type=Text).insert(0, text)
    return doc.get_update()


async def test_a_warmed_room_is_loaded_before_its_join_asks_and_once():
    """The room page warms the room as it opens (pages/room.py): the join that follows finds it in memory."""
    store = SlowPersistence()
    store.append([PendingUpdate('r', _text_update('kept'))])
    rooms = RoomRegistry(store)
    rooms.warm('r')
    rooms.warm('r')  # a second tab opening the link meanwhile
    assert rooms.loaded('r') is None  # started, not awaited: the page is not held up
    await until(lambda: rooms.loaded('r') is not None, timeout=30)
    room = rooms.loaded('r')
    assert room is not None and room.text == 'kept'
    assert await rooms.get('r') is room and store.loads == 1
    rooms.warm('r')  # already loaded: nothing more
    assert store.loads == 1


async def test_a_warm_load_that_fails_is_a_warning_and_the_join_loads_again(caplog):
    class Away(MemoryPersistence):
        def __init__(self) -> None:
            super().__init__()
            self.attempts = 0

        def load(self, room_id):
            self.attempts += 1
            if self.attempts == 1:
                raise OSError('database away')
            return super().load(room_id)

    store = Away()
    rooms = RoomRegistry(store)
    rooms.warm('r')
    await until(lambda: any('ahead of its join' in r.getMessage() for r in caplog.records), timeout=30)
    assert [r.levelname for r in caplog.records if 'ahead of its join' in r.getMessage()] == ['WARNING']
    assert (await rooms.get('r')).id == 'r' and store.attempts == 2


async def test_idle_room_is_unloaded_and_reloaded_with_its_text(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    rooms = RoomRegistry(log, commit_window=0.005, unload_after=0.2, compact_after_idle=0.1)
    await rooms.start()
    room = await rooms.get(interview.id)
    wire = Wire(room)
    wire.add('a').insert(0, 'durable 漢字 😊')
    wire.connect('a')
    wire.settle()
    wire.disconnect('a')
    for _ in range(100):
        if rooms.loaded(interview.id) is None:
            break
        await asyncio.sleep(0.05)
    assert rooms.loaded(interview.id) is None
    assert log.count_updates(interview.id) == 0  # compacted into the snapshot on the way out
    again = await rooms.get(interview.id)
    assert again is not room and again.text == 'durable 漢字 😊'
    await rooms.stop()


async def test_room_with_peers_is_not_unloaded():
    clock = ManualClock()
    rooms = RoomRegistry(MemoryPersistence(), unload_after=0.05, clock=clock)
    room = await rooms.get('r')
    room.connect('a', lambda _: None)
    clock.time += 0.1
    await rooms.sweep()
    assert rooms.loaded('r') is room
    room.disconnect('a')
    clock.time += 0.1
    await rooms.sweep()
    assert rooms.loaded('r') is None  # without its peer, the same wait unloads it


async def test_log_is_compacted_by_count_without_losing_content(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    rooms = RoomRegistry(log, commit_window=0.001, compact_every=50)
    await rooms.start()
    room = await rooms.get(interview.id)
    wire = Wire(room)
    a = wire.add('a')
    wire.connect('a')
    for i in range(120):
        a.insert(len(a.text), str(i % 10))
        wire.settle()
        if i % 10 == 0:
            await rooms.writer.flush()
    await rooms.writer.flush()
    assert log.count_updates(interview.id) < 50
    await rooms.stop()
    from collab import Room
    fresh = Room(interview.id)
    fresh.load(log.load(interview.id))
    assert fresh.text == a.text and len(fresh.text) == 120


async def test_forgotten_room_drops_its_queued_writes_and_tells_its_peers():
    store = SlowPersistence()
    rooms = RoomRegistry(store, commit_window=0.05)
    await rooms.start()
    room = await rooms.get('r')
    closed = []
    room.on_close(closed.append)
    wire = Wire(room)
    wire.add('a').insert(0, 'doomed')
    wire.connect('a')
    wire.settle()
    rooms.forget('r', 'deleted')
    await rooms.writer.flush()
    assert closed == ['deleted'] and 'r' not in store.updates and rooms.loaded('r') is None
    await rooms.stop()


# -- hibernation: an idle room keeps only its encoded document ------------------------------------------------

async def test_an_idle_room_hibernates_as_bytes_and_wakes_without_the_store(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    loads = []
    original_load = log.load
    log.load = lambda room_id: loads.append(room_id) or original_load(room_id)
    rooms = RoomRegistry(log, commit_window=0.005, hibernate_after=0.1, unload_after=60)
    await rooms.start()
    room = await rooms.get(interview.id)
    closed = []
    room.on_close(closed.append)
    wire = Wire(room)
    wire.add('a').insert(0, 'sleeps 漢字 😊')
    wire.connect('a')
    wire.settle()
    wire.disconnect('a')
    for _ in range(100):
        if interview.id in rooms.hibernating_ids:
            break
        await asyncio.sleep(0.05)
    assert rooms.loaded(interview.id) is None and rooms.room_ids == []
    woken, again = await asyncio.gather(rooms.get(interview.id), rooms.get(interview.id))
    assert woken is again and woken is not room and woken.text == 'sleeps 漢字 😊'
    assert loads == [interview.id]  # woken from its bytes, not reloaded from the store
    wire = Wire(woken)
    b = wire.add('b')
    wire.connect('b')
    wire.settle()
    b.insert(len(b.text), '!')
    wire.settle()
    await rooms.writer.flush()
    fresh = Room(interview.id)
    fresh.load(original_load(interview.id))
    assert fresh.text == 'sleeps 漢字 😊!'
    rooms.forget(interview.id, 'gone')  # the close callbacks survive the nap
    assert closed == ['gone']
    await rooms.stop()


async def test_a_room_with_peers_never_hibernates_and_a_hibernating_one_is_unloaded_later(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    interview = create_interview(engine, title='T', language='plaintext', initial_update=initial_update('plaintext'))
    log = SqlUpdateLog(engine)
    clock = ManualClock()
    rooms = RoomRegistry(log, commit_window=0.005, hibernate_after=0.05, unload_after=0.4, clock=clock)
    busy = await rooms.get('busy')
    busy.connect('a', lambda _: None)
    room = await rooms.get(interview.id)
    wire = Wire(room)
    wire.add('a').insert(0, 'kept')
    wire.connect('a')
    wire.settle()
    wire.disconnect('a')
    clock.time += 0.1
    await rooms.sweep()
    assert rooms.loaded('busy') is busy and rooms.hibernating_ids == [interview.id]
    clock.time += 0.4
    await rooms.sweep()
    assert rooms.hibernating_ids == [] and rooms.loaded(interview.id) is None
    assert log.count_updates(interview.id) == 0  # compacted on the way out
    again = await rooms.get(interview.id)
    assert again.text == 'kept'
    await rooms.stop()


async def test_content_waiting_for_its_dependencies_survives_hibernation():
    from pycrdt import Doc, Text

    from collab import protocol
    author = Doc(client_id=7)
    text = author.get('code', type=Text)
    updates = []
    for change in (lambda: text.insert(0, 'abc'), lambda: text.insert(3, 'def'), lambda: text.__delitem__(slice(0, 1))):
        before = author.get_state()
        change()
        updates.append(author.get_update(before))
    rooms = RoomRegistry(MemoryPersistence(), hibernate_after=0)
    room = await rooms.get('r')
    room.connect('p', lambda _: None)
    room.receive('p', protocol.sync_step1(b'\x00'))
    for update in updates[1:]:  # both depend on the first, which has not arrived
        room.receive('p', protocol.update(update))
    room.disconnect('p')
    assert room.text == '' and rooms.hibernate('r')
    woken = await rooms.get('r')
    woken.connect('q', lambda _: None)
    woken.receive('q', protocol.sync_step1(b'\x00'))
    woken.receive('q', protocol.update(updates[0]))
    assert woken.text == 'bcdef'

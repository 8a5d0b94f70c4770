"""RedisRelay against a real redis-server (started here from Debian's package): two registries in one process
stand for two instances. Edits and cursors cross; after Redis is killed and started again, what was typed in the
outage converges within 2 s of its return and nobody's cursor was dropped; a dead instance's key expires and its
cursors go."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from collab import MemoryPersistence, RoomRegistry
from collab.redis_relay import RedisRelay
from collab.relay import Kind
from tests.wiring import Wire
from tools.app_server import free_port
from tools.cluster.parts import Redis

pytestmark = pytest.mark.skipif(
    not shutil.which('redis-server') and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='redis-server is not installed (make cluster-packages; CI sets PAIRPAD_REQUIRE_CLUSTER)')


@pytest.fixture
def redis_server(tmp_path: Path):
    server = Redis(tmp_path, free_port())
    server.start(timeout=20)
    yield server
    server.stop()


async def eventually(condition, timeout: float, what: str) -> float:
    """Wait (on the event loop, so the relay's tasks run) until `condition()`; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, what
        await asyncio.sleep(0.02)
    return time.monotonic() - started


@asynccontextmanager
async def sender_and_listener(url: str, handle):
    """Two instances' relays: the second listens on room `r` with `handle`; yields the first once it does."""
    sender, receiver = RedisRelay(url, 'one'), RedisRelay(url, 'two')
    await sender.start(on_reconnect=lambda: None)
    await receiver.start(on_reconnect=lambda: None)
    try:
        ready = asyncio.Event()
        receiver.subscribe('r', handle, on_ready=ready.set)
        await asyncio.wait_for(ready.wait(), 5)
        yield sender
    finally:
        await sender.stop()
        await receiver.stop()


def settle(*wires: Wire) -> None:
    for wire in wires:
        wire.settle()


async def two_instances(url: str):
    first = RoomRegistry(MemoryPersistence(), relay=RedisRelay(url, 'one'))
    second = RoomRegistry(MemoryPersistence(), relay=RedisRelay(url, 'two'))
    await first.start()
    await second.start()
    return first, second


async def test_edits_and_cursors_cross_through_redis(redis_server):
    first, second = await two_instances(redis_server.url)
    try:
        room_a, room_b = await first.get('r'), await second.get('r')
        wire_a, wire_b = Wire(room_a), Wire(room_b)
        ada, bob = wire_a.add('ada'), wire_b.add('bob')
        wire_a.connect('ada')
        wire_b.connect('bob')
        settle(wire_a, wire_b)
        ada.insert(0, 'over redis')
        ada.set_awareness({'user': {'name': 'Ada'}})
        settle(wire_a)
        await eventually(lambda: room_b.text == 'over redis', 5, 'the edit never crossed')
        await eventually(lambda: ada.awareness.client_id in room_b.awareness.states, 5, 'the cursor never crossed')
        settle(wire_b)
        assert bob.text == 'over redis'
    finally:
        await first.stop()
        await second.stop()


async def test_typing_through_a_redis_restart_converges_and_hides_no_cursor(redis_server):
    first, second = await two_instances(redis_server.url)
    try:
        room_a, room_b = await first.get('r'), await second.get('r')
        wire_a, wire_b = Wire(room_a), Wire(room_b)
        ada, bob = wire_a.add('ada'), wire_b.add('bob')
        wire_a.connect('ada')
        wire_b.connect('bob')
        ada.set_awareness({'user': {'name': 'Ada'}})
        settle(wire_a, wire_b)
        await eventually(lambda: ada.awareness.client_id in room_b.awareness.states, 5, 'no cursor before')
        redis_server.kill()
        for i in range(5):  # both type while Redis is gone
            ada.insert(len(ada.text), f'a{i} ')
            bob.insert(0, f'b{i} ')
            settle(wire_a, wire_b)
            await asyncio.sleep(0.2)
        for _ in range(10):  # the survivors' liveness rounds: a missing Redis must not look like dead peers
            first._relay_round(time.monotonic())
            second._relay_round(time.monotonic())
            await asyncio.sleep(0.1)
        assert ada.awareness.client_id in room_b.awareness.states
        redis_server.start(timeout=20)
        back = time.monotonic()
        await eventually(lambda: room_a.text == room_b.text and len(room_a.text) == 30, 10,
                         f'no convergence: {room_a.text!r} / {room_b.text!r}')
        took = time.monotonic() - back
        assert took <= 2.5, f'converged {took:.1f} s after Redis came back'
        for _ in range(5):
            second._relay_round(time.monotonic())
            await asyncio.sleep(0.2)
        assert ada.awareness.client_id in room_b.awareness.states  # still shown after the restart
    finally:
        await first.stop()
        await second.stop()


async def test_the_cursors_of_an_instance_that_stops_renewing_its_key_go(redis_server):
    first, second = await two_instances(redis_server.url)
    try:
        room_a, room_b = await first.get('r'), await second.get('r')
        wire_a = Wire(room_a)
        ada = wire_a.add('ada')
        wire_a.connect('ada')
        ada.set_awareness({'user': {'name': 'Ada'}})
        settle(wire_a)
        await eventually(lambda: ada.awareness.client_id in room_b.awareness.states, 5, 'no cursor')
        for task in first.relay._tasks:  # the first instance freezes: no goodbye, its key just expires
            task.cancel()
        gone = await eventually(lambda: (second._relay_round(time.monotonic()) or
                                         ada.awareness.client_id not in room_b.awareness.states), 8,
                                'the frozen instance\'s cursor stayed')
        assert gone <= 5.0
    finally:
        await second.stop()
        first.relay._tasks = []
        await first.stop()


async def test_stop_ends_even_when_redis_py_turns_the_cancel_into_a_connection_error(redis_server):
    """Seen under load (a CI run waited 8 minutes in stop()): a cancel landing inside a Redis command came back
    as a connection error, which the publisher takes for Redis being away, so it went on waiting for messages."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    relay = RedisRelay(redis_server.url, 'one')
    await relay.start(on_reconnect=lambda: None)
    inside = asyncio.Event()

    async def publish_that_swallows_the_cancel(channel, data):
        inside.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RedisConnectionError('connection closed while publishing') from None

    relay._client.publish = publish_that_swallows_the_cancel
    relay.publish('r', Kind.UPDATE, b'x')
    await asyncio.wait_for(inside.wait(), 5)
    await asyncio.wait_for(relay.stop(), 10)  # before the fix: TimeoutError here
    assert all(task.done() for task in relay._tasks)


@pytest.mark.allow_error_log('relay: handling a message of room r failed')
async def test_a_handler_that_fails_leaves_the_relay_listening(redis_server):
    """A room's handler may fail on a message (a presence message that reads the store while PostgreSQL is away):
    that message is lost to this room, and nothing else. Before, the error ended the relay's listening task, so
    this instance never again heard of any room while /healthz still said it was fine."""
    heard: list[bytes] = []

    def handle(message) -> None:
        if message.payload == b'first':
            raise RuntimeError('the store is away')
        heard.append(message.payload)
    async with sender_and_listener(redis_server.url, handle) as sender:
        for payload in (b'first', b'second', b'third'):
            sender.publish('r', Kind.PRESENCE, payload)
        await eventually(lambda: heard == [b'second', b'third'], 5, f'the relay stopped listening: heard {heard}')


async def test_messages_queued_together_go_in_one_pipeline_and_arrive_in_order(redis_server):
    """What waits in the queue together is published in one pipeline (one round trip): every message arrives,
    in the order it was published; a lone message still goes at once."""
    heard: list[bytes] = []
    async with sender_and_listener(redis_server.url, lambda message: heard.append(message.payload)) as sender:
        pipelines = []
        make_pipeline = sender._client.pipeline
        sender._client.pipeline = lambda **kw: pipelines.append(kw) or make_pipeline(**kw)
        sender.publish('r', Kind.UPDATE, b'alone')
        await eventually(lambda: heard == [b'alone'], 5, f'the lone message did not arrive: {heard}')
        assert pipelines == []
        payloads = [f'm{i}'.encode() for i in range(1200)]
        for payload in payloads:
            sender.publish('r', Kind.UPDATE, payload)
        await eventually(lambda: len(heard) == 1 + len(payloads), 10, f'{len(heard) - 1} of {len(payloads)} arrived')
        assert heard[1:] == payloads
        assert 3 <= len(pipelines) <= 4 and all(kw == {'transaction': False} for kw in pipelines)


async def test_a_room_alone_on_its_channel_publishes_nothing_per_edit_and_a_newcomer_still_gets_everything(
        redis_server):
    """While no other instance listens on a room's channel (Redis said our latest PUBLISH there reached only
    ourselves), its edits and cursors are left out of Redis; an instance that loads the room later announces its
    state and gets everything typed meanwhile in the answer, cursors included, and from then on every edit goes
    both ways at once."""
    first, second = await two_instances(redis_server.url)
    try:
        room_a = await first.get('r')
        wire_a = Wire(room_a)
        ada = wire_a.add('ada')
        wire_a.connect('ada')
        ada.set_awareness({'user': {'name': 'Ada'}})
        settle(wire_a)
        await eventually(lambda: first.relay._alone('pairpad:room:r', 'r'), 5,
                         'the room never found itself alone on its channel')
        before = first.relay.left_out
        for i in range(20):
            ada.insert(len(ada.text), f'{i} ')
            settle(wire_a)
        assert first.relay.left_out - before >= 20  # every edit (and its awareness) left out
        room_b = await second.get('r')
        wire_b = Wire(room_b)
        bob = wire_b.add('bob')
        wire_b.connect('bob')
        settle(wire_b)
        await eventually(lambda: room_b.text == room_a.text, 5, f'the newcomer lacks: {room_b.text!r}')
        await eventually(lambda: ada.awareness.client_id in room_b.awareness.states, 5, 'no cursor of the first')
        left_out = first.relay.left_out
        ada.insert(0, 'A ')
        settle(wire_a)
        bob.insert(0, 'B ')
        settle(wire_b)
        await eventually(lambda: room_a.text == room_b.text and room_a.text.count(' ') == 22, 5,
                         f'edits did not cross: {room_a.text!r} / {room_b.text!r}')
        assert first.relay.left_out == left_out
    finally:
        await first.stop()
        await second.stop()


async def test_a_healed_message_is_still_published_when_another_instance_spoke_after_our_last_count(redis_server):
    """The count of our latest PUBLISH may predate another instance's arrival (the reply and its message come on
    different connections): anything heard from another instance since that PUBLISH went means 'not alone'."""
    relay = RedisRelay(redis_server.url, 'one')
    await relay.start(on_reconnect=lambda: None)
    try:
        relay.subscribe('r', lambda message: None)
        relay._receivers['pairpad:room:r'] = (1, time.monotonic())
        assert relay._alone('pairpad:room:r', 'r')
        relay._heard_at['pairpad:room:r'] = time.monotonic()
        assert not relay._alone('pairpad:room:r', 'r')
        relay._receivers['pairpad:room:r'] = (2, time.monotonic())
        assert not relay._alone('pairpad:room:r', 'r')
        relay.unsubscribe('r')
        relay._receivers['pairpad:room:r'] = (1, time.monotonic())  # one other listener, and it is not us
        assert not relay._alone('pairpad:room:r', 'r')
    finally:
        await relay.stop()


@pytest.mark.parametrize('url, says', [
    ('redis://:s3cret@127.0.0.1:1/0', 'pairpad: cannot reach Redis at redis://***@127.0.0.1:1/0 (PAIRPAD_REDIS_URL): '),
    ('http://:s3cret@localhost/', "pairpad: PAIRPAD_REDIS_URL 'http://***@localhost/' is not a Redis URL: "),
])
def test_the_app_says_a_wrong_redis_url_in_one_line_without_its_password_and_exits(tmp_path, url, says):
    """Runs without a redis-server: the app must refuse to start, in one line, before it serves anything."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / 'main.py')], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, 'PAIRPAD_REDIS_URL': url,
                                             'DATABASE_URL': f'sqlite:///{tmp_path / "p.db"}'})
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(says), last
    assert 's3cret' not in done.stderr and 'Traceback' not in done.stderr

"""RedisRelay: the relay between instances over Redis pub/sub (one channel per room) and Redis keys for liveness.

Publishing never waits on the caller's path: messages go through one queue and one connection, so Redis sees
them in order; when Redis is gone they are dropped (pub/sub is at-most-once anyway) and the STATE exchange after
the reconnect brings the rooms level. The subscriber keeps its own connection and, after any loss of it,
subscribes again and tells the registry (`on_reconnect`), which announces every room's state.

Liveness: every instance renews `pairpad:instance:<id>` (expiring after KEY_TTL) every RENEW_EVERY seconds;
`alive()` lists the instances whose key exists. Right after a reconnect (Redis may have restarted empty) nobody's
absence is believed until every instance had the time to renew: a Redis outage hides no one's cursor.
"""

import asyncio
import logging
import time
from typing import Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from .errors import ProtocolError
from .relay import Kind, OnMessage, RelayMessage

log = logging.getLogger(__name__)

CHANNEL = 'pairpad:room:'
INSTANCE_KEY = 'pairpad:instance:'
KEY_TTL = 3.0  # seconds a liveness key lives without renewal
RENEW_EVERY = 1.0
MAX_QUEUED = 10_000  # messages waiting to be published; past this (Redis gone a long time) the oldest go
PUBLISH_BATCH = 500  # messages published in one pipeline at most
STOP_WAIT = 1.0  # seconds stop() waits for its tasks after each cancel


class RelayUnavailable(RuntimeError):
    """The relay's Redis could not be reached at start-up (the message names the URL, without its password)."""


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if '://' not in url:
        return url
    scheme, _, rest = url.partition('://')
    if '@' in rest:
        credentials, _, host = rest.rpartition('@')
        rest = ('***@' if credentials else '') + host
    return f'{scheme}://{rest}'


class RedisRelay:
    def __init__(self, url: str, instance_id: str) -> None:
        self.url = url
        self.instance_id = instance_id
        self._client = redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._rooms: dict[str, OnMessage] = {}
        self._ready: dict[str, Callable[[], None]] = {}
        self._pubsub = None
        self._queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()  # None: stop publishing
        self._tasks: list[asyncio.Task] = []
        self._on_reconnect: Callable[[], None] = lambda: None
        self._alive: set[str] = {instance_id}
        self._trusted_from = 0.0  # monotonic time from which an absent key means a gone instance
        self._stopping = False
        self.connected = False
        # channel -> (receivers of our latest PUBLISH there, time.monotonic() it was sent), and the time a message
        # of another instance last came on it: what `publish` needs to tell that nobody else listens
        self._receivers: dict[str, tuple[int, float]] = {}
        self._heard_at: dict[str, float] = {}
        self.left_out = 0  # healed messages not published because nobody else listened

    @staticmethod
    async def check(url: str) -> None:
        """Start-up check: RelayUnavailable with a one-line reason if Redis at `url` does not answer."""
        try:
            client = redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        except ValueError as e:
            raise RelayUnavailable(f'PAIRPAD_REDIS_URL {_safe(url)!r} is not a Redis URL: {e}') from None
        try:
            await client.ping()
        except (RedisError, OSError) as e:
            raise RelayUnavailable(f'cannot reach Redis at {_safe(url)} (PAIRPAD_REDIS_URL): {e}') from None
        finally:
            await client.aclose()

    async def start(self, on_reconnect: Callable[[], None]) -> None:
        self._on_reconnect = on_reconnect
        try:
            await self._client.ping()
        except (RedisError, OSError) as e:
            raise RelayUnavailable(f'cannot reach Redis at {_safe(self.url)} (PAIRPAD_REDIS_URL): {e}') from None
        self.connected = True
        self._trusted_from = time.monotonic() + 2 * RENEW_EVERY  # until the first poll of the keys
        self._tasks = [asyncio.create_task(self._listen_forever(), name='pairpad-relay-listen'),
                       asyncio.create_task(self._publish_forever(), name='pairpad-relay-publish'),
                       asyncio.create_task(self._liveness_forever(), name='pairpad-relay-liveness')]

    async def stop(self) -> None:
        """Ends the tasks, then removes this instance's liveness key. A cancel is not enough on its own: redis-py
        can turn a CancelledError that lands inside a command into a connection error, which the loops below
        treat as Redis being away (seen under load: stop() then waited forever). So the loops also end on
        `_stopping`, the publisher is woken by a None, and every wait here is bounded."""
        self._stopping = True
        self._queue.put_nowait(None)
        pending = set(self._tasks)
        for _ in range(3):
            if not pending:
                break
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=STOP_WAIT)
        if pending:
            log.warning('relay: %d task(s) did not end on stop: %s', len(pending),
                        ', '.join(task.get_name() for task in pending))
        try:
            await asyncio.wait_for(self._client.delete(INSTANCE_KEY + self.instance_id), timeout=STOP_WAIT)
        except (RedisError, OSError, asyncio.TimeoutError):
            pass
        try:
            await asyncio.wait_for(self._client.aclose(), timeout=STOP_WAIT)
        except (RedisError, OSError, asyncio.TimeoutError):
            pass

    async def ping(self) -> None:
        await self._client.ping()

    def subscribe(self, room_id: str, on_message: OnMessage, on_ready: Callable[[], None] = lambda: None) -> None:
        self._rooms[room_id] = on_message
        self._ready[room_id] = on_ready
        if self._pubsub is not None:
            asyncio.get_running_loop().create_task(self._subscribe(room_id))

    def unsubscribe(self, room_id: str) -> None:
        self._rooms.pop(room_id, None)
        self._ready.pop(room_id, None)
        self._receivers.pop(CHANNEL + room_id, None)  # counted only while subscribed: rooms come and go for days
        self._heard_at.pop(CHANNEL + room_id, None)
        if self._pubsub is not None:
            asyncio.get_running_loop().create_task(self._unsubscribe(room_id))

    def publish(self, room_id: str, kind: Kind, payload: bytes, *, healed: bool = False) -> None:
        """Queue a message. A `healed` one is left out while nobody else listens on the room's channel: the
        number of receivers Redis gave for our latest PUBLISH there was ourselves alone, and nothing came from
        another instance since that PUBLISH went. A single instance (or a room all of whose tabs are on this
        one) then costs Redis nothing per keystroke; an instance that starts listening says so on the channel
        (STATE, ask), and from then on everything goes."""
        if self._stopping:
            return
        channel = CHANNEL + room_id
        if healed and self._alone(channel, room_id):
            self.left_out += 1
            return
        if self._queue.qsize() >= MAX_QUEUED:
            self._queue.get_nowait()
        self._queue.put_nowait((channel, RelayMessage(self.instance_id, kind, payload).encode()))

    def _alone(self, channel: str, room_id: str) -> bool:
        """Only for a channel we listen on, whose receivers then include ourselves."""
        receivers, sent_at = self._receivers.get(channel, (None, 0.0))
        return room_id in self._rooms and receivers is not None and receivers <= 1 and \
            sent_at > self._heard_at.get(channel, -1.0)

    def alive(self) -> set[str] | None:
        """Instances with a current liveness key; None while that cannot be told (Redis away or just back)."""
        if not self.connected or time.monotonic() < self._trusted_from:
            return None
        return set(self._alive)

    # -- tasks ---------------------------------------------------------------------------------------------------

    async def _subscribe(self, room_id: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return  # Redis is away: the listener subscribes to every wanted room when it is back
        try:
            await pubsub.subscribe(CHANNEL + room_id)
        except (RedisError, OSError) as e:
            log.warning('relay: could not subscribe to room %s now (%s); will on reconnect', room_id, e)
            return
        if (ready := self._ready.get(room_id)) is not None:
            ready()

    async def _unsubscribe(self, room_id: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return
        try:
            await pubsub.unsubscribe(CHANNEL + room_id)
        except (RedisError, OSError):
            pass  # the next connection subscribes only to what is wanted then

    async def _listen_forever(self) -> None:
        first = True
        while not self._stopping:
            pubsub = self._client.pubsub()
            try:
                channels = [CHANNEL + room_id for room_id in self._rooms] or ['pairpad:none']  # SUBSCRIBE needs one
                await pubsub.subscribe(*channels)
                self._pubsub = pubsub
                self._receivers.clear()  # who listens may have changed while we were away
                if not first:
                    log.info('relay: connected to Redis again; announcing every room')
                    self._trusted_from = time.monotonic() + KEY_TTL + RENEW_EVERY
                    self.connected = True
                    self._on_reconnect()
                first = False
                for room_id in list(self._rooms):
                    if (ready := self._ready.get(room_id)) is not None:
                        ready()
                while not self._stopping:
                    # Blocking (no timeout): a timeout is a timer set and cancelled per message, a few percent of
                    # an instance's CPU under load; stop() cancels this task, and a lost connection raises.
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                    if message is not None:
                        self._deliver(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as e:
                if self.connected and not self._stopping:
                    log.warning('relay: lost Redis (%s); retrying', e)
                self.connected = False
                self._pubsub = None
                try:
                    await pubsub.aclose()
                except (RedisError, OSError):
                    pass
                if not self._stopping:
                    await asyncio.sleep(0.5)

    def _deliver(self, message: dict) -> None:
        channel = message.get('channel', b'')
        room_id = (channel.decode() if isinstance(channel, bytes) else str(channel)).removeprefix(CHANNEL)
        callback = self._rooms.get(room_id)
        if callback is None:
            return  # a room this instance no longer holds
        try:
            relayed = RelayMessage.decode(message.get('data') or b'')
        except ProtocolError as e:
            log.warning('relay: dropped a malformed message on room %s: %s', room_id, e)
            return
        if relayed.instance == self.instance_id:
            return
        self._heard_at[CHANNEL + room_id] = time.monotonic()  # another instance is on this channel
        try:
            callback(relayed)
        except Exception:  # that room loses this message; the listening task, which serves every room, goes on
            log.exception('relay: handling a message of room %s failed', room_id)

    async def _publish_forever(self) -> None:
        """Publishes what is queued, in order: one PUBLISH when one message waits, else everything waiting (up to
        PUBLISH_BATCH) in one pipeline, a single round trip. Under load most messages find others queued beside
        them, and a command's own cost in redis-py (a connection from the pool, a retry wrapper, a reply read)
        was the relay's largest share of an instance's CPU (docs/benchmarks.md, "Capacity")."""
        while not self._stopping:
            batch = [await self._queue.get()]
            while len(batch) < PUBLISH_BATCH and not self._queue.empty() and batch[-1] is not None:
                batch.append(self._queue.get_nowait())
            stop = batch[-1] is None
            batch = [item for item in batch if item is not None]
            sent_at = time.monotonic()
            try:
                if len(batch) == 1:
                    receivers = [await self._client.publish(*batch[0])]
                elif batch:
                    async with self._client.pipeline(transaction=False) as pipe:
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        receivers = await pipe.execute()
                for (channel, _), count in zip(batch, receivers if batch else []):
                    if channel.removeprefix(CHANNEL) in self._rooms:
                        self._receivers[channel] = (int(count), sent_at)
            except (RedisError, OSError) as e:
                log.debug('relay: %d message(s) lost while Redis is away (%s)', len(batch), e)
                await asyncio.sleep(0.05)
            if stop:
                return

    async def _liveness_forever(self) -> None:
        key = INSTANCE_KEY + self.instance_id
        while not self._stopping:
            try:
                await self._client.set(key, b'1', px=int(KEY_TTL * 1000))
                # SCAN, not KEYS: every instance asks every second, and KEYS blocks Redis for the whole keyspace
                keys = [k async for k in self._client.scan_iter(match=INSTANCE_KEY + '*', count=1000)]
                self._alive = {k.decode().removeprefix(INSTANCE_KEY) for k in keys} | {self.instance_id}
            except (RedisError, OSError):
                pass  # the listener notices and reports the loss; alive() says "unknown" meanwhile
            await asyncio.sleep(RENEW_EVERY)

"""GET /healthz: can this instance serve? The proxy's health check (tools/cluster/haproxy.cfg, docs/deploy.md).

200 `{"status": "ok", "instance": ...}` when the store answers a `SELECT 1` and, where the Redis relay is
configured (`services.relay`), Redis answers a ping; otherwise 503 `{"status": "unavailable", "reason": ...}`.
The store is also down while the group commit's writes have been failing for WRITES_FAILING seconds, even if a
`SELECT 1` passes (a full disk, a read-only database): updates then wait in memory (collab/writer.py).

Each check has a short timeout. The store's runs in a thread of its own, one at a time: checks that come while one
runs wait for its answer, so a database that hangs (rather than refusing) keeps that one thread busy instead of
piling up threads behind it.

Where PAIRPAD_INSTANCE_ID is set (several instances behind a proxy), every HTTP response carries it as the
`X-Pairpad-Instance` header, so a test or an operator can tell which instance served a request.
"""

import asyncio
import time
from concurrent.futures import Future, ThreadPoolExecutor

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from nicegui import app
from sqlalchemy import text

from .services import Services

TIMEOUT = 2.0  # seconds each check may take; the proxy checks every second and marks an instance down after two
WRITES_FAILING = 2.0  # seconds of failing store writes after which the store counts as down
INSTANCE_HEADER = 'X-Pairpad-Instance'


def register(services: Services) -> None:
    app.include_router(build_router(services))
    if services.settings.instance_id:
        app.add_middleware(InstanceHeader, instance_id=services.settings.instance_id)


def build_router(services: Services, timeout: float = TIMEOUT) -> APIRouter:
    router = APIRouter()
    store = _StoreCheck(services)

    @router.get('/healthz', include_in_schema=False)
    async def healthz() -> JSONResponse:
        reason = await store.problem(timeout) or _writes_problem(services) or await _relay_problem(services, timeout)
        body = {'status': 'unavailable', 'reason': reason} if reason else {'status': 'ok'}
        if services.settings.instance_id:
            body['instance'] = services.settings.instance_id
        return JSONResponse(body, status_code=503 if reason else 200, headers={'Cache-Control': 'no-store'})

    return router


class _StoreCheck:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix='healthz')
        self.running: Future | None = None

    def _select_one(self) -> None:
        with self.services.engine.connect() as connection:
            connection.execute(text('SELECT 1'))

    async def problem(self, timeout: float) -> str | None:
        if self.running is None or self.running.done():
            self.running = self.executor.submit(self._select_one)
        try:  # checks that come while one runs (the proxy's and an operator's) share its answer
            await asyncio.wait_for(asyncio.wrap_future(self.running), timeout)
        except asyncio.TimeoutError:
            return f'store: no answer within {timeout:g} s'
        except Exception as error:  # the reason goes to the proxy's log and to whoever asks
            return f'store: {_describe(error)}'
        return None


def _writes_problem(services: Services) -> str | None:
    rooms = getattr(services, 'rooms', None)
    since = rooms.writer.failing_since if rooms is not None else None
    if since is None or time.monotonic() - since < WRITES_FAILING:
        return None
    return f'store: writes failing for {time.monotonic() - since:.0f} s, {rooms.writer.pending} updates waiting'


async def _relay_problem(services: Services, timeout: float) -> str | None:
    relay = getattr(services, 'relay', None)
    if relay is None:
        return None
    try:
        await asyncio.wait_for(relay.ping(), timeout)
    except asyncio.TimeoutError:
        return f'redis: no answer within {timeout:g} s'
    except Exception as error:
        return f'redis: {_describe(error)}'
    return None


def _describe(error: BaseException) -> str:
    first_line = (str(getattr(error, 'orig', None) or error).strip().splitlines() or [''])[0]
    return f'{type(error).__name__}: {first_line}'[:300]


class InstanceHeader:
    """Pure ASGI (no BaseHTTPMiddleware: it would wrap every response body in a task); HTTP only, the sockets are
    untouched."""

    def __init__(self, asgi_app, instance_id: str) -> None:
        self.app = asgi_app
        self.header = (INSTANCE_HEADER.lower().encode(), instance_id.encode())

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            return await self.app(scope, receive, send)

        async def send_with_header(message) -> None:
            if message['type'] == 'http.response.start':
                message = {**message, 'headers': [*message.get('headers', []), self.header]}
            await send(message)

        await self.app(scope, receive, send_with_header)

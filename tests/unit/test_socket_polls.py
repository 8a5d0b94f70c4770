"""pages/socket_polls.py against a real python-socketio/engineio ASGI app mounted where NiceGUI mounts its own: a
poll whose browser left before the request arrived is dropped without an answer or a traceback, every other request
(a GET that opens a session, a POST with a body) reaches engineio intact."""

import asyncio
import json

import pytest
import socketio
from fastapi import FastAPI
from nicegui.nicegui import SocketIoApp

from pages.socket_polls import SOCKET_PATH, LeftBeforeRequest


def _app(guarded: bool):
    sio = socketio.AsyncServer(async_mode='asgi')
    app = FastAPI()
    app.mount(SOCKET_PATH, SocketIoApp(sio, socketio_path='/socket.io'))  # NiceGUI's own mount
    return LeftBeforeRequest(app) if guarded else app


def _scope(method: str, query: str, length: int) -> dict:
    return {'type': 'http', 'asgi': {'version': '3.0'}, 'http_version': '1.1', 'method': method, 'scheme': 'http',
            'path': f'{SOCKET_PATH}socket.io/', 'raw_path': f'{SOCKET_PATH}socket.io/'.encode(), 'root_path': '',
            'query_string': query.encode(), 'headers': [(b'host', b'127.0.0.1'), (b'content-length', str(length).encode())],
            'client': ('127.0.0.1', 5000), 'server': ('127.0.0.1', 8080)}


async def _call(app, method: str, query: str, events: list[dict]) -> tuple[int | None, bytes]:
    queue = list(events)
    sent: list[dict] = []

    async def receive():
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)  # a browser that says no more

    async def send(message):
        sent.append(message)

    length = sum(len(event.get('body', b'')) for event in events)
    await asyncio.wait_for(app(_scope(method, query, length), receive, send), 10)
    status = next((m['status'] for m in sent if m['type'] == 'http.response.start'), None)
    return status, b''.join(m.get('body', b'') for m in sent if m['type'] == 'http.response.body')


def test_engineio_alone_raises_on_a_poll_whose_browser_left():
    """Why the guard exists: if this starts passing, engineio fixed it and the guard can go."""
    with pytest.raises(KeyError, match='REQUEST_METHOD'):
        asyncio.run(_call(_app(guarded=False), 'GET', 'EIO=4&transport=polling', [{'type': 'http.disconnect'}]))


def test_a_poll_whose_browser_left_is_dropped_without_an_answer():
    status, body = asyncio.run(_call(_app(guarded=True), 'GET', 'EIO=4&transport=polling',
                                     [{'type': 'http.disconnect'}]))
    assert (status, body) == (None, b'')


def test_other_requests_reach_engineio_with_their_body():
    async def session() -> None:
        app = _app(guarded=True)
        status, body = await _call(app, 'GET', 'EIO=4&transport=polling',
                                   [{'type': 'http.request', 'body': b'', 'more_body': False}])
        assert status == 200 and body.startswith(b'0'), body
        sid = json.loads(body[1:])['sid']
        # the namespace connect packet, in two chunks: the replayed first event and the rest from the browser
        status, body = await _call(app, 'POST', f'EIO=4&transport=polling&sid={sid}',
                                   [{'type': 'http.request', 'body': b'4', 'more_body': True},
                                    {'type': 'http.request', 'body': b'0', 'more_body': False}])
        assert (status, body) == (200, b'OK')
        status, body = await _call(app, 'GET', f'EIO=4&transport=polling&sid={sid}',
                                   [{'type': 'http.request', 'body': b'', 'more_body': False}])
        assert status == 200 and body.startswith(b'40{"sid":'), body  # engineio read both chunks as one packet

    asyncio.run(session())


def test_pages_and_the_websocket_transport_are_not_touched():
    seen = []

    async def inner(scope, receive, send):
        seen.append((scope['type'], scope['path'], await receive()))

    async def run() -> None:
        guard = LeftBeforeRequest(inner)
        for scope_type, path in (('http', '/room/x'), ('websocket', f'{SOCKET_PATH}socket.io/')):
            async def receive(scope_type=scope_type):
                return {'type': 'http.disconnect' if scope_type == 'http' else 'websocket.connect'}
            await guard({'type': scope_type, 'path': path}, receive, None)

    asyncio.run(run())
    assert seen == [('http', '/room/x', {'type': 'http.disconnect'}),
                    ('websocket', f'{SOCKET_PATH}socket.io/', {'type': 'websocket.connect'})]


def _behind_base_http_middleware(inner):
    """`inner` as NiceGUI serves every request: inside Starlette BaseHTTPMiddlewares (nicegui/middlewares.py)."""
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.routing import Mount

    async def dispatch(request, call_next):
        return await call_next(request)

    from starlette.applications import Starlette
    return Starlette(routes=[Mount('/', app=inner)], middleware=[Middleware(BaseHTTPMiddleware, dispatch=dispatch)])


def _page_scope() -> dict:
    scope = _scope('GET', '', 0)
    return {**scope, 'path': '/room/x', 'raw_path': b'/room/x'}


async def _answers_nothing_once_the_browser_left(scope, receive, send):
    while (await receive())['type'] != 'http.disconnect':
        pass


async def _answers_nothing(scope, receive, send):
    await receive()


def test_a_page_whose_browser_left_mid_request_logs_no_traceback():
    """The error x34 and CI logged: the app inside BaseHTTPMiddleware rightly answers nobody, the middleware raises."""
    events = [{'type': 'http.request', 'body': b'', 'more_body': False}, {'type': 'http.disconnect'}]
    app = _behind_base_http_middleware(_answers_nothing_once_the_browser_left)
    with pytest.raises(RuntimeError, match='No response returned'):
        asyncio.run(_call_scope(app, _page_scope(), events))
    asyncio.run(_call_scope(LeftBeforeRequest(app), _page_scope(), events))  # raises nothing, so uvicorn logs nothing
    # (Starlette's ServerErrorMiddleware still writes its 500 to the departed browser: uvicorn drops it)


def test_no_answer_to_a_browser_still_there_is_still_an_error():
    events = [{'type': 'http.request', 'body': b'', 'more_body': False}]
    app = LeftBeforeRequest(_behind_base_http_middleware(_answers_nothing))
    with pytest.raises(RuntimeError, match='No response returned'):
        asyncio.run(_call_scope(app, _page_scope(), events))


def test_other_errors_of_a_browser_that_left_are_still_raised():
    async def fails_after_the_browser_left(scope, receive, send):
        await _answers_nothing_once_the_browser_left(scope, receive, send)
        raise RuntimeError('a real defect')

    events = [{'type': 'http.request', 'body': b'', 'more_body': False}, {'type': 'http.disconnect'}]
    with pytest.raises(RuntimeError, match='a real defect'):
        asyncio.run(_call_scope(LeftBeforeRequest(fails_after_the_browser_left), _page_scope(), events))


async def _call_scope(app, scope: dict, events: list[dict]) -> int | None:
    queue = list(events)
    sent: list[dict] = []

    async def receive():
        if queue:
            return queue.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 10)
    return next((m['status'] for m in sent if m['type'] == 'http.response.start'), None)

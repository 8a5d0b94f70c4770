"""Answer nothing, and log no traceback, for a request whose browser left before it was answered.

Two ordinary page changes made uvicorn log "Exception in ASGI application" with a traceback (seen in clean-clone
test runs and in CI):

- A tab that navigates or closes while a long-poll request of its socket is on the way reaches the server as an
  HTTP request whose first ASGI event is `http.disconnect`. python-engineio's ASGI driver (4.15.1, the latest) then
  turns its own "nothing to do" into `KeyError: 'REQUEST_METHOD'` (engineio/async_drivers/asgi.py
  `translate_request` returns `{}`, which `AsyncServer.handle_request` indexes; python-engineio issue 464). This
  guard drops such a request before engineio sees it and hands every other one on with its first event replayed.
- A browser that leaves while any request is being served (a page, a poll) lets the app inside NiceGUI's Starlette
  BaseHTTPMiddlewares finish without an answer, which is right (nobody is there to read it), but BaseHTTPMiddleware
  then raises `RuntimeError('No response returned.')`. The guard swallows exactly that error, and only when the
  client's `http.disconnect` went by: the same error from a request whose browser is still there is a real defect
  and is raised as before.

It wraps the whole application (main.serve), outside every middleware, so that it sees what uvicorn sees.
"""

import logging

SOCKET_PATH = '/_nicegui_ws/'  # where NiceGUI mounts its Socket.IO app (nicegui/nicegui.py)
NO_RESPONSE = 'No response returned.'  # starlette/middleware/base.py, call_next

log = logging.getLogger(__name__)


class LeftBeforeRequest:
    """Pure ASGI over HTTP requests; the websocket transport is untouched."""

    def __init__(self, asgi_app, path: str = SOCKET_PATH) -> None:
        self.app = asgi_app
        self.path = path

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            return await self.app(scope, receive, send)
        left = False
        first = None
        if scope['path'].startswith(self.path):
            first = await receive()
            if first['type'] == 'http.disconnect':
                return

        async def receive_watched():
            nonlocal left, first
            if first is not None:
                message, first = first, None
            else:
                message = await receive()
            left = left or message['type'] == 'http.disconnect'
            return message

        try:
            await self.app(scope, receive_watched, send)
        except RuntimeError as error:
            if not (left and str(error) == NO_RESPONSE):
                raise
            log.debug('%s %s: the browser left before the answer', scope.get('method'), scope['path'])

"""Answer nothing to a Socket.IO poll whose browser left before its request arrived.

A tab that navigates or closes while a long-poll request of its socket is on the way reaches the server as an
HTTP request whose first ASGI event is `http.disconnect`. python-engineio's ASGI driver (4.15.1, the latest) then
turns its own "nothing to do" into `KeyError: 'REQUEST_METHOD'` (engineio/async_drivers/asgi.py `translate_request`
returns `{}`, which `AsyncServer.handle_request` indexes; python-engineio issue 464), and uvicorn logs "Exception in
ASGI application" with a traceback for an ordinary page change (seen after a sign-out and a password change in the
clean-clone test runs). The browser is gone, so there is nobody to answer: this guard drops such a request before
engineio sees it and hands every other request on with its first event replayed.

It wraps the whole application (main.serve), outside every middleware: NiceGUI's own are Starlette
BaseHTTPMiddlewares, which raise "No response returned" for an app inside them that answers nothing, while uvicorn
expects no answer to a request whose client is gone.
"""

SOCKET_PATH = '/_nicegui_ws/'  # where NiceGUI mounts its Socket.IO app (nicegui/nicegui.py)


class LeftBeforeRequest:
    """Pure ASGI, HTTP requests under the socket's mount only; the websocket transport and every page are untouched."""

    def __init__(self, asgi_app, path: str = SOCKET_PATH) -> None:
        self.app = asgi_app
        self.path = path

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http' or not scope['path'].startswith(self.path):
            return await self.app(scope, receive, send)
        first = await receive()
        if first['type'] == 'http.disconnect':
            return
        replayed = False

        async def receive_again():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return first

        await self.app(scope, receive_again, send)

"""CollabEditor: a Monaco editor bound to a Yjs document, speaking y-protocols messages over NiceGUI's socket.

The element only carries bytes: it hands every message it receives from its browser to `on_messages` and
sends what it is given. Which document those bytes belong to, and what they mean, is the caller's business.

Two ways to the browser: `send` (one element's `run_method('receive', …)`: a JavaScript call through the
client's outbox, ordered with the page's other messages) and `CollabEditor.broadcast` (the same messages to many
editors of one document: encoded once and, for every browser whose component listens on the socket, sent as one
Socket.IO event addressed to all of their clients at once: no JavaScript, no outbox entry per tab).
"""

import inspect
from dataclasses import dataclass
from typing import Callable

from typing_extensions import Self

from nicegui import background_tasks, core
from nicegui.element import Element
from nicegui.events import GenericEventArguments, UiEventArguments, handle_event

from .chunks import CHUNK_CHARS, FramingError, Reassembler, decode_base64, encode


@dataclass(**{'kw_only': True})
class CollabMessagesEventArguments(UiEventArguments):
    room: str
    messages: list[bytes]


@dataclass(**{'kw_only': True})
class CollabErrorEventArguments(UiEventArguments):
    message: str


@dataclass(**{'kw_only': True})
class LanguageEventArguments(UiEventArguments):
    language: str


@dataclass(**{'kw_only': True})
class CursorEventArguments(UiEventArguments):
    line: object  # as sent by the browser: validated by whoever stores it
    column: object


@dataclass(**{'kw_only': True})
class PresenceEventArguments(UiEventArguments):
    status: object = None
    is_typing: object = None


DIRECT_EVENT = 'pairpad:yjs'  # the Socket.IO event the component listens on: {room, m: [base64 | part, ...]}


def _presigned(handler: Callable[[GenericEventArguments], None]) -> Callable[[GenericEventArguments], None]:
    """NiceGUI looks up a listener's signature on every event (does it take the arguments?); a function that
    carries its signature is answered at once (inspect.signature returns `__signature__`): about 20 µs less per
    event, on the path every keystroke takes."""
    def call(e: GenericEventArguments) -> None:
        return handler(e)
    call.__signature__ = inspect.signature(call)  # type: ignore[attr-defined]
    return call


class CollabEditor(Element, component='collab_editor.js', esm={'pairpad-collab-editor': 'dist'}):

    def __init__(self, room_id: str, *, theme: str = 'vs', max_message_bytes: int = 8 * 1024 * 1024,
                 max_document_bytes: int = 1024 * 1024, chunk_chars: int = CHUNK_CHARS) -> None:
        """Monaco + Yjs editor element.

        :param room_id: the document this editor is joined to; messages naming another room are refused
        :param theme: Monaco theme (``vs`` or ``vs-dark``)
        :param max_message_bytes: largest message accepted from the browser, after reassembly of its parts
        :param max_document_bytes: a paste that would grow the code past this many UTF-8 bytes is refused in the
            browser with a message (the server refuses it too, but then the tab's copy would have diverged)
        :param chunk_chars: base64 characters per socket event; larger messages are sent in parts
        """
        super().__init__()
        self.room_id = room_id
        self.chunk_chars = chunk_chars
        self._props['room-id'] = room_id
        self._props['theme'] = theme
        self._props['chunk-chars'] = chunk_chars
        self._props['max-document-bytes'] = max_document_bytes
        self._reassembler = Reassembler(max_bytes=max_message_bytes)
        self._message_handlers: list[Callable] = []
        self._error_handlers: list[Callable] = []
        # The browser's component listens on DIRECT_EVENT: it says so (`direct: 1`) in its payloads, which it can only
        # send once it is mounted and listening, so nothing sent that way can reach it before it can handle it.
        self.direct = False
        self.on('yjs', _presigned(self._handle_yjs))

    def on_messages(self, callback: Callable[[CollabMessagesEventArguments], None]) -> Self:
        """Add a callback for the y-protocols messages the browser sent (already decoded and reassembled)."""
        self._message_handlers.append(callback)
        return self

    def on_error(self, callback: Callable[[CollabErrorEventArguments], None]) -> Self:
        """Add a callback for payloads the element itself had to refuse (bad framing, bad base64)."""
        self._error_handlers.append(callback)
        return self

    def on_language(self, callback: Callable[[LanguageEventArguments], None]) -> Self:
        """Add a callback for the language stored in the shared document, whenever it changes."""
        self.on('language', lambda e: handle_event(callback, LanguageEventArguments(
            sender=self, client=self.client, language=str(e.args))))
        return self

    def on_cursor(self, callback: Callable[[CursorEventArguments], None], *, throttle: float = 0.25) -> Self:
        """Add a callback for this browser's caret (1-based line and UTF-16 column), at most one per `throttle`
        seconds; NiceGUI's trailing event guarantees the last position always arrives.

        The other tabs draw the caret from awareness, not from this: it feeds the stored presence (the REST API, the
        report), where four positions a second are plenty. At 0.05 s every keystroke cost the server one event from
        the typing tab and one from each tab whose caret the edit moved along (docs/benchmarks.md)."""
        def handle(e: GenericEventArguments) -> None:
            args = e.args if isinstance(e.args, dict) else {}
            handle_event(callback, CursorEventArguments(sender=self, client=self.client, line=args.get('line'),
                                                        column=args.get('column')), expect_args=True)
        self.on('cursor', _presigned(handle), throttle=throttle, leading_events=True, trailing_events=True)
        return self

    def on_presence(self, callback: Callable[[PresenceEventArguments], None]) -> Self:
        """Add a callback for this browser's presence: `status` (online/away/offline: its tab's visibility, its
        heartbeat, its goodbye on pagehide) and `is_typing`."""
        def handle(e: GenericEventArguments) -> None:
            args = e.args if isinstance(e.args, dict) else {}
            handle_event(callback, PresenceEventArguments(sender=self, client=self.client, status=args.get('status'),
                                                          is_typing=args.get('is_typing')), expect_args=True)
        self.on('presence', _presigned(handle))
        return self

    def on_ended(self, callback: Callable[[GenericEventArguments], None]) -> Self:
        """Add a callback for the `ended` flag of the shared document (True: the interview is over, read-only)."""
        self.on('ended', callback)
        return self

    def send(self, messages: list[bytes]) -> None:
        """Send y-protocols messages to the browser, splitting any that would exceed the socket's frame cap."""
        if messages:
            self.run_method('receive', encode(messages, chunk_chars=self.chunk_chars))

    @staticmethod
    def broadcast(editors: list['CollabEditor'], room_id: str, messages: list[bytes]) -> None:
        """Send the same y-protocols messages to many editors of one document: base64 and framing once; one
        Socket.IO event for all the browsers that listen on the socket (encoded once by python-socketio, then
        written to each connection), `run_method` for the others."""
        editors = [e for e in editors if not e.is_deleted and not e.client.is_deleted]
        if not messages or not editors:
            return
        items = encode(messages, chunk_chars=min(e.chunk_chars for e in editors))
        direct = sorted({e.client.id for e in editors if e.direct and e.client.has_socket_connection})
        if direct:
            background_tasks.create(core.sio.emit(DIRECT_EVENT, {'room': room_id, 'm': items}, room=direct),
                                    name='pairpad broadcast')
        for editor in editors:
            if not editor.direct:
                editor.run_method('receive', items)

    def resync(self) -> None:
        """Ask the browser to open the sync handshake (its state vector and its presence)."""
        self.run_method('resync')

    def set_language(self, language: str) -> None:
        """Change the language in the shared document through this browser, so it reaches everyone."""
        self.run_method('setLanguage', language)

    def set_user(self, user: dict) -> None:
        """Set this browser's awareness `user` field (name, colour, …) that others render its cursor with."""
        self.run_method('setLocalUser', user)

    def set_theme(self, theme: str) -> None:
        self._props['theme'] = theme
        self.run_method('setTheme', theme)

    def _handle_yjs(self, e: GenericEventArguments) -> None:
        try:
            room, messages = self._read_payload(e.args)
        except FramingError as error:
            self._emit_error(str(error))
            return
        if messages:
            arguments = CollabMessagesEventArguments(sender=self, client=self.client, room=room, messages=messages)
            for handler in self._message_handlers:  # on_messages handlers take the arguments: no signature lookup
                handle_event(handler, arguments, expect_args=True)

    def _read_payload(self, args: object) -> tuple[str, list[bytes]]:
        if not isinstance(args, dict):
            raise FramingError('payload must be an object')
        room = args.get('room')
        if not isinstance(room, str):
            raise FramingError('payload names no room')
        if args.get('direct') == 1:
            self.direct = True
        if 'part' in args:
            whole = self._reassembler.add(args['part'], args.get('d'))
            return room, [] if whole is None else [whole]
        items = args.get('m')
        if not isinstance(items, list) or len(items) > 1000:
            raise FramingError('payload needs a list m of at most 1000 messages')
        return room, [decode_base64(item) for item in items]

    def _emit_error(self, message: str) -> None:
        arguments = CollabErrorEventArguments(sender=self, client=self.client, message=message)
        for handler in self._error_handlers:
            handle_event(handler, arguments)

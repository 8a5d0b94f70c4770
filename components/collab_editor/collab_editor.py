"""CollabEditor: a Monaco editor bound to a Yjs document, speaking y-protocols messages over NiceGUI's socket.

The element only carries bytes: it hands every message it receives from its browser to `on_messages`; what goes
to the browser goes through `SocketTransport` (socket_transport.py), one Socket.IO event for all the tabs of a
document. Which document those bytes belong to, and what they mean, is the caller's business.
"""

import inspect
from dataclasses import dataclass
from typing import Callable

from typing_extensions import Self

from nicegui import ui
from nicegui.element import Element
from nicegui.events import GenericEventArguments, UiEventArguments, handle_event

from .chunks import CHUNK_CHARS, FramingError, Reassembler, decode_base64


@dataclass(**{'kw_only': True})
class CollabMessagesEventArguments(UiEventArguments):
    room: str
    messages: list[bytes]


@dataclass(**{'kw_only': True})
class CheckEventArguments(UiEventArguments):
    room: str
    state_vector: bytes
    deleted_digest: str


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




def _presigned(handler: Callable[[GenericEventArguments], None]) -> Callable[[GenericEventArguments], None]:
    """NiceGUI looks up a listener's signature on every event (does it take the arguments?); a function that
    carries its signature is answered at once (inspect.signature returns `__signature__`): about 20 µs less per
    event, on the path every keystroke takes."""
    def call(e: GenericEventArguments) -> None:
        return handler(e)
    call.__signature__ = inspect.signature(call)  # type: ignore[attr-defined]
    return call


class CollabEditor(Element, component='collab_editor.js', esm={'pairpad-collab-editor': 'dist'}):

    def __init__(self, room_id: str, *, max_message_bytes: int, max_document_bytes: int,
                 monaco_ids: dict[str, str] | None = None, theme: str = 'vs', chunk_chars: int = CHUNK_CHARS,
                 type_declarations: str = '') -> None:
        """Monaco + Yjs editor element.

        :param room_id: the document this editor is joined to; messages naming another room are refused
        :param monaco_ids: language id (as the shared document names it) → Monaco mode to highlight it with;
            an id not listed is used as the mode itself
        :param theme: Monaco theme (``vs`` or ``vs-dark``)
        :param max_message_bytes: largest message accepted from the browser, after reassembly of its parts
            (the server's setting: config.Settings)
        :param max_document_bytes: a paste that would grow the code past this many UTF-8 bytes is refused in the
            browser with a message (the server refuses it too, but then the tab's copy would have diverged); the
            server's setting, which the browser gets from here rather than keeping a copy of its own
        :param chunk_chars: base64 characters per socket event; larger messages are sent in parts
        :param type_declarations: TypeScript declarations the server compiles programs with, given to the browser's
            TypeScript service so the editor marks the type errors a run would report (languages.type_declarations)
        """
        super().__init__()
        self.room_id = room_id
        self.chunk_chars = chunk_chars
        self._props['room-id'] = room_id
        self._props['theme'] = theme
        self._props['chunk-chars'] = chunk_chars
        self._props['max-document-bytes'] = max_document_bytes
        self._props['monaco-ids'] = monaco_ids or {}
        self._props['type-declarations'] = type_declarations
        self._props['markers'] = []
        self._reassembler = Reassembler(max_bytes=max_message_bytes)
        self._message_handlers: list[Callable] = []
        self._error_handlers: list[Callable] = []
        # The browser's component listens on DIRECT_EVENT: it says so (`direct: 1`) in its payloads, which it can only
        # send once it is mounted and listening; the transport holds what is for it until then.
        self.direct = False
        self._listening_handlers: list[Callable[[], None]] = []
        self._cursor_handlers: list[Callable[[CursorEventArguments], None]] = []
        self._presence_handlers: list[Callable[[PresenceEventArguments], None]] = []
        self.on('yjs', _presigned(self._handle_yjs))

    @staticmethod
    def preload() -> None:
        """Fetch and compile the editor's code (Monaco and Yjs, 3.5 MB) in the current page now, while nobody waits
        for it, and make Monaco's first editor there (src/warm.js): a page that adds the editor later (the room,
        once its person has joined) then mounts it without a download or Monaco's one-time costs in between.
        Resolved through the page's import map, so it follows the page's URL prefix; a failure here is left to the
        editor's own mount to report."""
        ui.run_javascript('import("pairpad-collab-editor").then((m) => { m.loadAssetsOnce(); m.warmEditor(); })'
                          '.catch(() => {})')

    def on_messages(self, callback: Callable[[CollabMessagesEventArguments], None]) -> Self:
        """Add a callback for the y-protocols messages the browser sent (already decoded and reassembled)."""
        self._message_handlers.append(callback)
        return self

    def on_error(self, callback: Callable[[CollabErrorEventArguments], None]) -> Self:
        """Add a callback for payloads the element itself had to refuse (bad framing, bad base64)."""
        self._error_handlers.append(callback)
        return self

    def on_check(self, callback: Callable[[CheckEventArguments], None]) -> Self:
        """Add a callback for the browser's idle check: its document's state vector and the digest of its deletions
        (sent every few seconds while it is connected and idle, so that a document that differs heals)."""
        def handle(e: GenericEventArguments) -> None:
            try:
                room, state_vector, digest = self._read_check(e.args)
            except FramingError as error:
                self._emit_error(str(error))
                return
            handle_event(callback, CheckEventArguments(sender=self, client=self.client, room=room,
                                                       state_vector=state_vector, deleted_digest=digest),
                         expect_args=True)
        self.on('check', _presigned(handle))
        return self

    def on_language(self, callback: Callable[[LanguageEventArguments], None]) -> Self:
        """Add a callback for the language stored in the shared document, whenever it changes."""
        self.on('language', lambda e: handle_event(callback, LanguageEventArguments(
            sender=self, client=self.client, language=str(e.args))))
        return self

    def on_cursor(self, callback: Callable[[CursorEventArguments], None]) -> Self:
        """Add a callback for this browser's caret (1-based line and UTF-16 column), at most four a second: the
        component sends it along with its next `yjs` event (field `c`) or, when none goes, alone half a second
        after it moved (a `cursor` event), so the last position always arrives.

        The other tabs draw the caret from awareness, not from this: it feeds the stored presence (the REST API, the
        report), where four positions a second are plenty. At 20 a second every keystroke cost the server one event
        from the typing tab and one from each tab whose caret the edit moved along (docs/benchmarks.md)."""
        if not self._cursor_handlers:
            self.on('cursor', _presigned(lambda e: self._dispatch_cursor(e.args)))
        self._cursor_handlers.append(callback)
        return self

    def on_presence(self, callback: Callable[[PresenceEventArguments], None]) -> Self:
        """Add a callback for this browser's presence: `status` (online/away/offline: its tab's visibility, its
        heartbeat, its goodbye on pagehide) and `is_typing` (along with the keystroke that starts typing, field
        `p` of its `yjs` event, else alone as a `presence` event)."""
        if not self._presence_handlers:
            self.on('presence', _presigned(lambda e: self._dispatch_presence(e.args)))
        self._presence_handlers.append(callback)
        return self

    def _dispatch_cursor(self, args: object) -> None:
        args = args if isinstance(args, dict) else {}
        arguments = CursorEventArguments(sender=self, client=self.client, line=args.get('line'),
                                         column=args.get('column'))
        for handler in self._cursor_handlers:
            handle_event(handler, arguments, expect_args=True)

    def _dispatch_presence(self, args: object) -> None:
        args = args if isinstance(args, dict) else {}
        arguments = PresenceEventArguments(sender=self, client=self.client, status=args.get('status'),
                                           is_typing=args.get('is_typing'))
        for handler in self._presence_handlers:
            handle_event(handler, arguments, expect_args=True)

    def enable_signals(self) -> Self:
        """Have the browser report this editor's integrity signals (src/signals.js): each paste into the code, and
        the tab going away (hidden, or its window without focus) and coming back. The code editor of a room only."""
        self._props['signals'] = True
        return self

    def on_signal(self, callback: Callable[[object], None]) -> Self:
        """Add a callback for the browser's signal events, given as sent (`{room, kind, …}`): unchecked, the
        caller decides what to believe (pages/signal_checks.py)."""
        self.on('signal', _presigned(lambda e: callback(e.args)))
        return self

    def on_ended(self, callback: Callable[[GenericEventArguments], None]) -> Self:
        """Add a callback for the `ended` flag of the shared document (True: the interview is over, read-only)."""
        self.on('ended', callback)
        return self

    def on_listening(self, callback: Callable[[], None]) -> Self:
        """Call `callback()` once, when the browser's component says it listens for DIRECT_EVENT."""
        self._listening_handlers.append(callback)
        return self

    def resync(self) -> None:
        """Ask the browser to open the sync handshake (its state vector and its presence)."""
        self.run_method('resync')

    def discard_local(self) -> None:
        """Have the browser drop its copy of the document (its local storage included) and load the server's:
        for changes the server refused for good, which the browser's copy would otherwise keep and send again."""
        self.run_method('discardLocal')

    def set_language(self, language: str) -> None:
        """Change the language in the shared document through this browser, so it reaches everyone."""
        self.run_method('setLanguage', language)

    def stdin_box(self) -> Element:
        """Create, where the caller is building, the element that hosts the document's shared stdin box: a small
        second Monaco editor bound to the same Y.Doc's Text('stdin') (src/stdin.js). Give it a height. Call it in
        the same page build as the editor (the browser mounts it when the editor mounts).
        Automation hook: `data-testid="stdin"`; `element.pairpad.text()` in the browser."""
        box = ui.element('div').props('data-testid=stdin').classes('pairpad-stdin border rounded')
        self._props['stdin-box'] = box.html_id
        return box

    def set_markers(self, markers: list[dict]) -> Self:
        """Show a run's markers (`{line, column, message, severity}`, 1-based) as Monaco markers; [] clears them.
        A prop, not a method call, so a tab that loads or reconnects later gets the same ones."""
        if markers != self._props['markers']:
            self._props['markers'] = markers
            self.update()
        return self

    def follow(self, participant_id: str | None) -> None:
        """Keep this participant's caret in view (None: stop following)."""
        self.run_method('follow', participant_id)

    def on_follow_end(self, callback: Callable[[], None]) -> Self:
        """Called when the browser stopped following by itself: the person moved their own caret."""
        self.on('follow', lambda _e: callback())
        return self

    def set_user(self, user: dict) -> None:
        """Set this browser's awareness `user` field (name, colour, …) that others render its cursor with."""
        self.run_method('setLocalUser', user)

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
        # what rode on the event (collab_editor.js, takeRiders), after the messages it may depend on
        if 'p' in e.args and self._presence_handlers:
            self._dispatch_presence(e.args['p'])
        if 'c' in e.args and self._cursor_handlers:
            self._dispatch_cursor(e.args['c'])

    def _read_payload(self, args: object) -> tuple[str, list[bytes]]:
        if not isinstance(args, dict):
            raise FramingError('payload must be an object')
        room = args.get('room')
        if not isinstance(room, str):
            raise FramingError('payload names no room')
        self._note_listening(args)
        if 'part' in args:
            whole = self._reassembler.add(args['part'], args.get('d'))
            return room, [] if whole is None else [whole]
        items = args.get('m')
        if not isinstance(items, list) or len(items) > 1000:
            raise FramingError('payload needs a list m of at most 1000 messages')
        return room, [decode_base64(item) for item in items]

    def _read_check(self, args: object) -> tuple[str, bytes, str]:
        if not isinstance(args, dict) or not isinstance(args.get('room'), str):
            raise FramingError('a check needs an object naming its room')
        digest = args.get('ds')
        if not isinstance(digest, str) or len(digest) > 16:
            raise FramingError('a check needs ds, a short digest string')
        self._note_listening(args)
        return args['room'], decode_base64(args.get('sv')), digest

    def _note_listening(self, args: dict) -> None:
        if args.get('direct') == 1 and not self.direct:
            self.direct = True
            handlers, self._listening_handlers = self._listening_handlers, []
            for handler in handlers:
                handler()

    def _emit_error(self, message: str) -> None:
        arguments = CollabErrorEventArguments(sender=self, client=self.client, message=message)
        for handler in self._error_handlers:
            handle_event(handler, arguments)

"""The Monaco + Yjs element. Its names load lazily, so that `components.collab_editor.chunks` (the socket framing,
pure Python) imports without loading NiceGUI: the protocol peers of tools/ frame their messages with it."""

__all__ = [
    'CheckEventArguments', 'CollabEditor', 'CollabErrorEventArguments', 'CollabMessagesEventArguments', 'CursorEventArguments',
    'LanguageEventArguments', 'PresenceEventArguments', 'SocketTransport',
]


def __getattr__(name: str):
    if name == 'SocketTransport':
        from .socket_transport import SocketTransport
        return SocketTransport
    if name in __all__:
        from . import collab_editor
        return getattr(collab_editor, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

from .collab_editor import (
    CollabEditor, CollabErrorEventArguments, CollabMessagesEventArguments, CursorEventArguments,
    LanguageEventArguments, PresenceEventArguments,
)

__all__ = [
    'CollabEditor', 'CollabErrorEventArguments', 'CollabMessagesEventArguments', 'CursorEventArguments',
    'LanguageEventArguments', 'PresenceEventArguments',
]

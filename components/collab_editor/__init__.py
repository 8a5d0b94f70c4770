from .collab_editor import CollabEditor, CollabMessagesEventArguments

__all__ = ['CollabEditor', 'CollabMessagesEventArguments']

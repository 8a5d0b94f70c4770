"""What presence refuses, and how the API says it (the HTTP status in each docstring): in a module of their own so
that the service and the cursor check (cursor.py) raise the same classes."""


class PresenceError(ValueError):
    """An invalid value (HTTP 422)."""


class NotFound(LookupError):
    """An unknown interview or participant id (HTTP 404)."""


class InterviewFull(PresenceError):
    """The interview already has its maximum of present participants (HTTP 409)."""


class Forbidden(PermissionError):
    """An update for a participant that is not the caller (HTTP 403)."""

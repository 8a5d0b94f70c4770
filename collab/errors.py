"""The one error type a peer's bad message raises; the transport shows its text to that peer only."""


class ProtocolError(ValueError):
    """A message from a peer was rejected. The room, its document and the other peers are untouched."""


class RateLimited(ProtocolError):
    """A peer sent faster than its message rate; the message was dropped and will be recovered by a resync."""


class RoomClosed(ProtocolError):
    """The room's interview was deleted."""

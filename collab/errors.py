"""The one error type a peer's bad message raises; the transport shows its text to that peer only."""


class ProtocolError(ValueError):
    """A message from a peer was rejected. The room, its document and the other peers are untouched."""

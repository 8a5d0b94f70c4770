"""The one error type a peer's bad message raises; the transport shows its text to that peer only."""


class ProtocolError(ValueError):
    """A message from a peer was rejected. The room, its document and the other peers are untouched."""


class RateLimited(ProtocolError):
    """A peer sent faster than its message rate; the message was dropped and will be recovered by a resync."""


class RoomClosed(ProtocolError):
    """The room's interview was deleted."""


class Ended(ProtocolError):
    """A change to the code of an ended interview. The sender's copy holds it anyway (it was typed before the end
    reached that tab): it must drop its copy and take the server's, or the change would come back on reopening."""


class NotSynced(ProtocolError):
    """A document update from a peer that has not opened the sync handshake on this connection (no SyncStep1 yet).

    Browsers always open with it, so this is either a tampered client writing blind, or traffic a transport held
    from before the connect, which the handshake recovers anyway."""

"""How a room reaches its peers: one `Send` callback per peer, or a Channel that reaches many peers at once."""

from typing import Callable, Protocol

Send = Callable[[bytes], None]


class Channel(Protocol):
    """A transport that reaches several peers of a room at once (the NiceGUI tabs of one process: collab.fanout).

    Peers connected through a channel get everything through it: the room's broadcasts, one call per broadcast for
    all of them (the channel may gather them in time and encode them once), and what the room sends to one of them
    (the handshake, the answer to a SyncStep1), in order with the broadcasts."""

    def deliver(self, message: bytes, members: tuple[str, ...], *, exclude: str | None = None,
                update: bytes | None = None) -> None:
        """Send `message` to the room's peers connected through this channel (`members`, the same tuple object
        until one joins or leaves), except `exclude`. `update` is the document update the message carries, if it
        is a sync update, so the channel can merge several into one."""

    def unicast(self, peer_id: str, message: bytes) -> None:
        """Send `message` to one peer of this channel."""

    def leave(self, peer_id: str) -> None:
        """The peer left the room: send it nothing more."""

"""What a room knows of one connected peer: how to reach it, what it may be, and where its handshake stands."""

from dataclasses import dataclass

from .channel import Channel, Send
from .guards import TokenBucket


@dataclass
class Peer:
    send: Send
    bucket: TokenBucket  # its message rate
    identity: dict | None = None  # the awareness `user` this peer must present, when the transport knows it
    dropped: bool = False  # messages were dropped by the rate limit: ask for a resync once it is respected again
    asked_at_state: bytes | None = None  # our state vector when we last asked this peer to resend what we lack
    opened: bool = False  # sent its SyncStep1 on this connection: only then may it change the document
    author: str | None = None  # the participant whose edits these are, recorded with each stored update (playback)
    channel: Channel | None = None  # everything reaches this peer through its channel, not its `send`


def unicast_through(channel: Channel, peer_id: str) -> Send:
    """A `send` for one peer of a channel."""

    def send(message: bytes) -> None:
        channel.unicast(peer_id, message)
    return send

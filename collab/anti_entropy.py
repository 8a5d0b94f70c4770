"""What two holders of one document tell each other when they compare (the idle check of a tab, a STATE between
instances): from one side's state vector and the digest of its deletions, what the other must send it, and
whether it must ask for something back. Equal documents: nothing either way."""

from dataclasses import dataclass

from pycrdt import Doc

from . import protocol
from .errors import ProtocolError


@dataclass(frozen=True)
class Difference:
    give: bytes | None  # an update with what the other side lacks (None: it lacks nothing)
    ask: bool  # the other side holds something we lack: send it our state vector


def compare(doc: Doc, state_vector: bytes, deleted_digest: str) -> Difference:
    """Compare `doc` with the other side's `state_vector` and `deleted_digest` (protocol.delete_set_digest).

    A delete moves no clock, so equal state vectors with different digests mean a deletion is missing on one side
    or the other: both sides then send what they have (an update always carries its whole delete set)."""
    try:
        theirs = protocol.state_vector(state_vector)
    except IndexError as e:
        raise ProtocolError('truncated state vector') from e
    state = doc.get_state()
    ours = protocol.state_vector(state)
    deletes_differ = deleted_digest != protocol.delete_set_digest(doc.get_update(state))
    give = None
    if deletes_differ or any(clock > theirs.get(client, 0) for client, clock in ours.items()):
        try:
            give = doc.get_update(state_vector)
        except ValueError as e:
            raise ProtocolError(f'invalid state vector: {e}') from e
    ask = deletes_differ or any(clock > ours.get(client, 0) for client, clock in theirs.items())
    return Difference(give, ask)


def digest_of(doc: Doc) -> str:
    """This document's own deletion digest."""
    return protocol.delete_set_digest(doc.get_update(doc.get_state()))

"""Which awareness client ids (cursors, selections, names) each peer of a room controls.

A tab's Y.Doc has one client id (a reload gets a new one), and only that tab may change or remove its state: no
peer can wear, move or erase someone else's cursor. When a peer leaves, the room removes exactly its states at
once instead of waiting for y-protocols' 30 s timeout (the y-websocket server does the same).
"""

from . import protocol
from .errors import ProtocolError


class AwarenessOwners:
    def __init__(self, *, max_ids_per_peer: int, max_state_bytes: int) -> None:
        self.max_ids_per_peer = max_ids_per_peer
        self.max_state_bytes = max_state_bytes
        self._ids: dict[str, set[int]] = {}

    def of(self, peer_id: str) -> set[int]:
        return self._ids.get(peer_id, set())

    def all(self, *, besides: str | None = None) -> list[int]:
        return [cid for peer_id, ids in self._ids.items() if peer_id != besides for cid in ids]

    def admit(self, peer_id: str, identity: dict | None, update: bytes) -> list[tuple[int, dict | None]]:
        """The entries of `peer_id`'s awareness update if it may send them, else ProtocolError. With an `identity`
        (the participant the transport knows the peer is), every state must carry exactly that `user`."""
        entries = protocol.read_awareness(update, self.max_state_bytes)
        owners = {cid: pid for pid, ids in self._ids.items() for cid in ids}
        for client_id, _ in entries:
            owner = owners.get(client_id)
            if owner is not None and owner != peer_id:
                raise ProtocolError(f'awareness client id {client_id} belongs to another participant')
        if identity is not None:
            for _, state in entries:
                if state is not None and 'user' in state and state['user'] != identity:
                    raise ProtocolError('awareness user does not match your participant')
        own = self.of(peer_id)
        new_ids = {cid for cid, state in entries if state is not None} - own
        if len(own) + len(new_ids) > self.max_ids_per_peer:
            raise ProtocolError('too many awareness client ids for one connection')
        return entries

    def admit_relayed(self, owner: str, update: bytes) -> list[tuple[int, dict | None]]:
        """The entries of an awareness update another instance validated and relayed: it may not touch the states
        of this instance's peers (or of another instance)."""
        entries = protocol.read_awareness(update, self.max_state_bytes)
        owners = {cid: pid for pid, ids in self._ids.items() for cid in ids}
        for client_id, _ in entries:
            if owners.get(client_id, owner) != owner:
                raise ProtocolError(f'awareness client id {client_id} belongs to another participant')
        return entries

    def record(self, peer_id: str, entries: list[tuple[int, dict | None]]) -> None:
        """After the update was applied: a state claims its client id for the peer, a removal frees it."""
        own = self._ids.setdefault(peer_id, set())
        for client_id, state in entries:
            if state is None:
                own.discard(client_id)
            else:
                own.add(client_id)

    def release(self, peer_id: str) -> list[int]:
        """Forget a peer that left; returns the client ids it controlled."""
        return sorted(self._ids.pop(peer_id, set()))

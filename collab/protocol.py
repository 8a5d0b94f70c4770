"""Reading and building y-protocols messages (sync and awareness) strictly: the engine's one decoder.

pycrdt's helpers build the messages; its Decoder reads them but tolerates truncation, so every read here checks
that the declared lengths match the bytes actually present before anything touches the document. The few binary
facts the room needs beyond that (a state vector as a dict, whether an update is covered by a state, the entries
of an awareness update) are read here too, with the same strictness.
"""

import json
from dataclasses import dataclass
from enum import Enum

from pycrdt import Decoder, YMessageType, YSyncMessageType, create_awareness_message, write_message

from .errors import ProtocolError

QUERY_AWARENESS = 3
EMPTY_UPDATE = b'\x00\x00'  # a Yjs update with no structs and an empty delete set


class Kind(Enum):
    SYNC_STEP1 = 'sync-step1'
    SYNC_STEP2 = 'sync-step2'
    UPDATE = 'update'
    AWARENESS = 'awareness'
    QUERY_AWARENESS = 'query-awareness'


@dataclass(frozen=True)
class Message:
    kind: Kind
    payload: bytes  # state vector, update or awareness update; empty for a query


_SYNC_KINDS = {
    YSyncMessageType.SYNC_STEP1: Kind.SYNC_STEP1,
    YSyncMessageType.SYNC_STEP2: Kind.SYNC_STEP2,
    YSyncMessageType.SYNC_UPDATE: Kind.UPDATE,
}
_UPDATE = bytes((YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE))


def read_var_uint(data: bytes, i: int) -> tuple[int, int]:
    """The unsigned LEB128 integer at `data[i:]` and the index after it; IndexError if it is cut off."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def parse(data: bytes) -> Message:
    """Read one y-protocols message or raise ProtocolError saying what is wrong with it.

    Nearly every message is a sync update (one per keystroke): it is read without a Decoder object, with the
    same check that the declared length is exactly what follows."""
    if data[:2] == _UPDATE:
        try:
            length, i = read_var_uint(data, 2)
        except IndexError:
            length, i = -1, 0
        if i + length == len(data):
            return Message(Kind.UPDATE, bytes(data[i:]))
    if not data:
        raise ProtocolError('empty message')
    decoder = Decoder(data)
    try:
        message_type = decoder.read_var_uint()
        if message_type == YMessageType.SYNC:
            sync_type = decoder.read_var_uint()
            if sync_type not in _SYNC_KINDS:
                raise ProtocolError(f'unknown sync message type {sync_type}')
            kind = _SYNC_KINDS[YSyncMessageType(sync_type)]
            payload = _read_payload(decoder)
        elif message_type == YMessageType.AWARENESS:
            kind = Kind.AWARENESS
            payload = _read_payload(decoder)
        elif message_type == QUERY_AWARENESS:
            kind, payload = Kind.QUERY_AWARENESS, b''
        else:
            raise ProtocolError(f'unknown message type {message_type}')
    except (IndexError, RuntimeError) as e:
        raise ProtocolError('truncated message') from e
    if decoder.length != 0:
        raise ProtocolError('trailing bytes after message')
    return Message(kind, payload)


def _read_payload(decoder: Decoder) -> bytes:
    declared = decoder.read_var_uint()
    payload = decoder.stream[decoder.i0:decoder.i0 + declared]
    if len(payload) != declared:
        raise ProtocolError(f'truncated message: {declared} bytes declared, {len(payload)} present')
    decoder.i0 += declared
    decoder.length -= declared
    return bytes(payload)


def sync_step1(state_vector: bytes) -> bytes:
    return bytes((YMessageType.SYNC, YSyncMessageType.SYNC_STEP1)) + write_message(state_vector)


def sync_step2(update: bytes) -> bytes:
    return bytes((YMessageType.SYNC, YSyncMessageType.SYNC_STEP2)) + write_message(update)


def update(update_bytes: bytes) -> bytes:
    """The sync update message carrying `update_bytes` (built without an Encoder: one per keystroke)."""
    length, prefix = len(update_bytes), bytearray(_UPDATE)
    while length > 0x7F:
        prefix.append(0x80 | (length & 0x7F))
        length >>= 7
    prefix.append(length)
    return bytes(prefix) + update_bytes


def awareness(awareness_update: bytes) -> bytes:
    return create_awareness_message(awareness_update)


def state_vector(state: bytes) -> dict[int, int]:
    """A Yjs state vector as {client id: clock}."""
    count, i = read_var_uint(state, 0)
    known = {}
    for _ in range(count):
        client, i = read_var_uint(state, i)
        known[client], i = read_var_uint(state, i)
    return known


def covers(state: bytes, missing: bytes) -> bool:
    """Whether a document with state vector `state` holds everything of `missing` (`get_update(update, state)`:
    the structs of the update beyond the state, and always the update's whole delete set).

    No struct may be left, and every deleted range must lie below the state (a delete of an item the document
    does not have waits as pending). A plain `missing == EMPTY_UPDATE` test would count every update that deletes
    anything as incomplete and ask its sender for a resync after each backspace. Conservative on anything it
    cannot read: it then says "not covered", which costs one SyncStep1."""
    if missing == EMPTY_UPDATE:
        return True
    try:
        structs, i = read_var_uint(missing, 0)
        if structs:
            return False
        clients, i = read_var_uint(missing, i)
        known: dict[int, int] | None = None
        for _ in range(clients):
            client, i = read_var_uint(missing, i)
            ranges, i = read_var_uint(missing, i)
            for _ in range(ranges):
                clock, i = read_var_uint(missing, i)
                length, i = read_var_uint(missing, i)
                if known is None:
                    known = state_vector(state)
                if clock + length > known.get(client, 0):
                    return False
        return i == len(missing)
    except IndexError:
        return False


def read_awareness(update_bytes: bytes, max_state_bytes: int) -> list[tuple[int, dict | None]]:
    """The (client id, state) entries of an awareness update, each state a JSON object or None (removed),
    read fully and checked before an Awareness object sees any of it."""
    decoder = Decoder(update_bytes)
    entries = []
    try:
        for _ in range(decoder.read_var_uint()):
            client_id = decoder.read_var_uint()
            decoder.read_var_uint()  # clock
            declared = decoder.read_var_uint()
            raw = bytes(decoder.stream[decoder.i0:decoder.i0 + declared])
            if len(raw) != declared:
                raise ProtocolError('truncated awareness update')
            decoder.i0 += declared
            decoder.length -= declared
            if declared > max_state_bytes:
                raise ProtocolError(f'awareness state of {declared} bytes exceeds the limit of {max_state_bytes}')
            state = json.loads(raw) if raw else None
            if state is not None and not isinstance(state, dict):
                raise ProtocolError('awareness state must be a JSON object or null')
            entries.append((client_id, state))
    except (IndexError, RuntimeError) as e:
        raise ProtocolError('truncated awareness update') from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProtocolError(f'awareness state is not JSON: {e}') from e
    if decoder.length != 0:
        raise ProtocolError('trailing bytes after awareness update')
    return entries


def delete_set_digest(update_bytes: bytes) -> str:
    """A digest of what a document deleted, from its `get_update(own state vector)` (no structs, every deletion).

    Two documents with the same state vector can still differ by a deletion (a delete creates no struct and moves
    no clock), so the idle check of collab.room.Room.check compares this too. The component computes the same digest
    from its Y.Doc (components/collab_editor/src/heal.js): clients in ascending order, each one's deleted ranges
    sorted and merged, as the text `client:clock+len,...;`, hashed with 32-bit FNV-1a, in hex. Anything unreadable
    gives '', which never equals a digest, so the documents are then exchanged in full."""
    try:
        structs, i = read_var_uint(update_bytes, 0)
        if structs:
            return ''
        clients, i = read_var_uint(update_bytes, i)
        deleted: dict[int, list[tuple[int, int]]] = {}
        for _ in range(clients):
            client, i = read_var_uint(update_bytes, i)
            count, i = read_var_uint(update_bytes, i)
            for _ in range(count):
                clock, i = read_var_uint(update_bytes, i)
                length, i = read_var_uint(update_bytes, i)
                deleted.setdefault(client, []).append((clock, length))
        if i != len(update_bytes):
            return ''
    except IndexError:
        return ''
    text = ''.join(f'{client}:{",".join(f"{c}+{n}" for c, n in _merged(deleted[client]))};'
                   for client in sorted(deleted) if deleted[client])
    return _fnv1a(text.encode())


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for clock, length in sorted(ranges):
        if length <= 0:
            continue
        if merged and clock <= merged[-1][0] + merged[-1][1]:
            start, previous = merged[-1]
            merged[-1] = (start, max(previous, clock + length - start))
        else:
            merged.append((clock, length))
    return merged


def _fnv1a(data: bytes) -> str:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f'{value:08x}'

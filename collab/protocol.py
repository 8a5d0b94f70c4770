"""Parsing and building y-protocols messages (sync and awareness), strictly.

pycrdt's helpers build the messages; its Decoder reads them but tolerates truncation, so every read here
checks that the declared lengths match the bytes actually present before anything touches the document.
"""

from dataclasses import dataclass
from enum import Enum

from pycrdt import Decoder, YMessageType, YSyncMessageType, create_awareness_message, create_update_message, write_message

from .errors import ProtocolError

QUERY_AWARENESS = 3


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


def parse(data: bytes) -> Message:
    """Read one y-protocols message or raise ProtocolError saying what is wrong with it."""
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
    return create_update_message(update_bytes)


def awareness(awareness_update: bytes) -> bytes:
    return create_awareness_message(awareness_update)

"""Server-side bounds, configurable per registry, so one peer cannot exhaust the room for the others."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # One reassembled Yjs message. A paste of a large file is a single update, so this is generous; the
    # socket's own ~1 MB frame cap is handled by chunking in the transport, not here.
    max_message_bytes: int = 8 * 1024 * 1024
    # One awareness state (cursor, selection, name). Real states are a few hundred bytes.
    max_awareness_state_bytes: int = 8 * 1024
    # Awareness client ids one connection may own (a tab has one Y.Doc, so one id; reloads get new ones).
    max_awareness_ids_per_peer: int = 4

"""Server-side bounds, configurable per registry, so one peer cannot exhaust the room for the others."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # One reassembled Yjs message. A paste of a large file is a single update, so this is generous; the
    # socket's own ~1 MB frame cap is handled by chunking in the transport, not here.
    max_message_bytes: int = 8 * 1024 * 1024
    # The code of one interview, in UTF-8 bytes. Interview code is a few KB (the 36,981-transaction rustcode
    # trace ends at 65 KB); 1 MB leaves room for pasted inputs while keeping a room's memory and a cold join small.
    max_document_bytes: int = 1024 * 1024
    # One awareness state (cursor, selection, name). Real states are a few hundred bytes.
    max_awareness_state_bytes: int = 8 * 1024
    # Awareness client ids one connection may own (a tab has one Y.Doc, so one id; reloads get new ones).
    max_awareness_ids_per_peer: int = 4
    # Connections (browser tabs) in one room.
    max_peers: int = 50
    # Messages per second per connection, as a token bucket. Fast typing is ~2 messages per keystroke (update and
    # cursor awareness), a key held down repeats ~30 times a second; a burst allows a test driver or a paste.
    message_rate: float = 200.0
    message_burst: float = 1000.0

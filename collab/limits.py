"""Server-side bounds, configurable per registry, so one peer cannot exhaust the room for the others.

The numbers are config.Settings' (the one place a default is written, with why it is that size); a Limits made
without arguments has the same values, so a test or a tool changes only the bound it is about.
"""

from dataclasses import dataclass

from config import Settings


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = Settings.max_message_bytes                # one reassembled Yjs message
    max_document_bytes: int = Settings.max_document_bytes              # the code of one interview, UTF-8 bytes
    max_awareness_state_bytes: int = Settings.max_awareness_state_bytes  # one awareness state
    max_awareness_ids_per_peer: int = Settings.max_awareness_ids_per_peer  # awareness client ids per connection
    max_peers: int = Settings.max_connections                          # connections (browser tabs) in one room
    message_rate: float = Settings.message_rate                        # messages per second per connection ...
    message_burst: float = Settings.message_burst                      # ... as a token bucket with this burst

    @classmethod
    def from_settings(cls, settings: Settings) -> 'Limits':
        return cls(max_message_bytes=settings.max_message_bytes, max_document_bytes=settings.max_document_bytes,
                   max_awareness_state_bytes=settings.max_awareness_state_bytes,
                   max_awareness_ids_per_peer=settings.max_awareness_ids_per_peer,
                   max_peers=settings.max_connections, message_rate=settings.message_rate,
                   message_burst=settings.message_burst)

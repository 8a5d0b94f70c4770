"""Socket payload framing for binary messages: base64 strings, with large ones split into parts.

NiceGUI's socket refuses frames over about 1 MB (python-engineio's max_http_buffer_size), so a message
whose base64 form is longer than `chunk_chars` travels as {part: {id, i, n}, d} pieces. Pure Python, no
NiceGUI, so the benchmark peers frame their messages with the same code the element uses.
"""

import base64
import binascii
import secrets
from dataclasses import dataclass, field

CHUNK_CHARS = 512 * 1024
DIRECT_EVENT = 'pairpad:yjs'  # the Socket.IO event a room's messages reach the component by: {room, m: [item, ...]}


class FramingError(ValueError):
    """A payload that is not valid framing; its text is shown to the sender."""


def encode(messages: list[bytes], *, chunk_chars: int = CHUNK_CHARS) -> list[str | dict]:
    items: list[str | dict] = []
    for message in messages:
        text = base64.b64encode(message).decode()
        if len(text) <= chunk_chars:
            items.append(text)
            continue
        message_id = secrets.token_hex(6)
        n = -(-len(text) // chunk_chars)
        items.extend({'part': {'id': message_id, 'i': i, 'n': n}, 'd': text[i * chunk_chars:(i + 1) * chunk_chars]}
                     for i in range(n))
    return items


def decode_base64(text: object) -> bytes:
    if not isinstance(text, str):
        raise FramingError(f'expected a base64 string, got {type(text).__name__}')
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise FramingError(f'not valid base64: {e}') from e


@dataclass
class Reassembler:
    """Collects the parts of large messages from one sender, within a byte budget."""

    max_bytes: int
    max_pending: int = 4
    _parts: dict[str, dict[int, str]] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def add(self, part: object, data: object) -> bytes | None:
        """Take one part; return the whole message once its last part arrived."""
        if not isinstance(part, dict) or not isinstance(data, str):
            raise FramingError('a part needs {id, i, n} and a string d')
        message_id, index, count = part.get('id'), part.get('i'), part.get('n')
        if not isinstance(message_id, str) or len(message_id) > 64:
            raise FramingError('part id must be a short string')
        if not isinstance(count, int) or not isinstance(index, int) or not 0 <= index < count:
            raise FramingError('part index out of range')
        if count * len(data) > 2 * self.max_bytes or count > self.max_bytes:
            raise FramingError(f'message larger than the limit of {self.max_bytes} bytes')
        if message_id not in self._parts:
            if len(self._parts) >= self.max_pending:
                raise FramingError('too many unfinished chunked messages')
            self._parts[message_id], self._counts[message_id] = {}, count
        elif self._counts[message_id] != count:
            raise FramingError('part count changed within one message')
        parts = self._parts[message_id]
        parts[index] = data
        if sum(len(p) for p in parts.values()) * 3 // 4 > self.max_bytes:
            self.discard(message_id)
            raise FramingError(f'message larger than the limit of {self.max_bytes} bytes')
        if len(parts) < count:
            return None
        self.discard(message_id)
        return decode_base64(''.join(parts[i] for i in range(count)))

    def discard(self, message_id: str) -> None:
        self._parts.pop(message_id, None)
        self._counts.pop(message_id, None)

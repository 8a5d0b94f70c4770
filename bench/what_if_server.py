"""The app with the fixes the profiles point to, applied in-process (the app's files are not changed):
`python -m bench.what_if_server` starts main.py's server with
1. EditorSession sending at most one merged message per peer per TICK seconds — the first message after a quiet
   spell still goes out at once (no added latency for a lone keystroke), while under load the updates of a tick
   travel as one merged Yjs update in one call;
2. the participant chips re-sent to the browsers only when something they show changed: today every caret
   move (one per keystroke) changes the participant's cursor, and every chip of every tab is re-sent as an
   `update` message, which each browser processes (Vue render) before the keystroke queued behind it.

Used by `python -m bench --what-if` for the before/after fan-out figures of docs/benchmarks.md.
"""

import asyncio
import os

from pycrdt import merge_updates

from collab import protocol
from collab.errors import ProtocolError
from collab.protocol import Kind
from pages.editor_session import EditorSession

TICK = float(os.environ.get('PAIRPAD_WHAT_IF_TICK', '0.03'))


_ORIGINAL_SEND = EditorSession._send


def _send(self: EditorSession, message: bytes) -> None:
    self._outbox.append(message)
    if getattr(self, '_tick_handle', None) is not None:
        return
    loop = asyncio.get_running_loop()
    wait = getattr(self, '_last_flush', float('-inf')) + TICK - loop.time()
    self._tick_handle = loop.call_later(wait, _flush_tick, self) if wait > 0 else loop.call_soon(_flush_tick, self)


def _flush_tick(self: EditorSession) -> None:
    self._tick_handle = None
    self._last_flush = asyncio.get_running_loop().time()
    self._outbox = _merged(self._outbox)
    self._flush()


def _merged(messages: list[bytes]) -> list[bytes]:
    """Consecutive document updates become one update (Yjs merge keeps every insert and delete)."""
    out: list[bytes] = []
    run: list[bytes] = []
    for message in messages:
        try:
            parsed = protocol.parse(message)
        except ProtocolError:
            parsed = None
        if parsed is not None and parsed.kind is Kind.UPDATE:
            run.append(parsed.payload)
            continue
        if run:
            out.append(protocol.update(merge_updates(*run) if len(run) > 1 else run[0]))
            run = []
        out.append(message)
    if run:
        out.append(protocol.update(merge_updates(*run) if len(run) > 1 else run[0]))
    return out


EditorSession._send = _send


def _patch_chips() -> None:
    from components import participant_list

    original = participant_list._Chip.show

    def show(self, p) -> None:
        shown = (p.id, p.name, p.color, p.role, p.status, p.is_typing)
        if getattr(self, '_shown', None) == shown:
            return
        self._shown = shown
        original(self, p)

    participant_list._Chip.show = show


if os.environ.get('PAIRPAD_WHAT_IF_CHIPS', '1') == '1':
    _patch_chips()
if os.environ.get('PAIRPAD_WHAT_IF_BATCH', '1') != '1':
    EditorSession._send = _ORIGINAL_SEND

if __name__ in {'__main__', '__mp_main__'}:
    import main
    main.main()

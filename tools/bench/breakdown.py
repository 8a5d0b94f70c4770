"""Where a keystroke's time goes in the app, browser to browser: the typing page's keydown, its socket emit of
the `yjs` event, the receiving page's socket message (the room's `pairpad:yjs` event, or a `run_method` call for
a handshake), and its Monaco model change — all stamped in the pages
(performance.timeOrigin + performance.now(), one machine clock). The server's share is what lies between the
sender's emit and the receiver's message.

    python -m tools.bench.breakdown [SECONDS] [--baseline REV]
"""

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from .browsers import NOW, join_room, launch, new_page
from .latency import ALPHABET, RATE, _paced
from .servers import checkout, start_app
from .stats import percentiles

SENDER_HOOKS = f'''() => {{ window.__keys = []; window.__emits = [];
  window.addEventListener("keydown", e => window.__keys.push({NOW}), true);
  const emit = window.socket.emit.bind(window.socket);
  window.socket.emit = (name, msg, ...rest) => {{
    if (name === "event" && typeof msg.args?.[0] === "string" && msg.args[0].includes('"m":'))
      window.__emits.push({NOW});
    return emit(name, msg, ...rest); }}; }}'''
RECEIVER_HOOKS = f'''el => {{ window.__messages = []; window.__changes = [];
  // stamped before any listener runs (a listener added now would run after the component's own, which applies
  // the update): Socket.IO's client hands every incoming event packet to onevent first
  const onevent = window.socket.onevent.bind(window.socket);
  window.socket.onevent = packet => {{
    const [name, msg] = packet.data || [];
    if (name === "pairpad:yjs" || (name === "run_javascript" && msg?.code?.includes('"receive"')))
      window.__messages.push({NOW});
    return onevent(packet); }};
  const m = el.pairpad.editor.getModel();
  m.onDidChangeContent(() => window.__changes.push([{NOW}, m.getValueLength()]));
  return m.getValueLength(); }}'''


async def main(seconds: float, rev: str | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_app(Path(tmp) / 'app', root=checkout(rev, Path(tmp) / 'tree') if rev else None)
        try:
            interview = server.create_interview(language='plaintext')
            async with async_playwright() as p:
                browsers = [await launch(p), await launch(p)]
                sender, receiver = await new_page(browsers[0]), await new_page(browsers[1])
                await join_room(sender, server.room_url(interview['id']), 'Typist')
                await join_room(receiver, server.room_url(interview['id']), 'Watcher')
                await sender.locator('[data-testid=editor] .monaco-editor textarea').focus()
                await sender.keyboard.type('warm up ', delay=50)
                await asyncio.sleep(1)
                await sender.evaluate(SENDER_HOOKS)
                baseline = await receiver.locator('[data-testid=editor]').evaluate(RECEIVER_HOOKS)
                count = int(seconds * RATE)
                await _paced(count, lambda k: sender.keyboard.type(ALPHABET[k % len(ALPHABET)]))
                await asyncio.sleep(1.5)
                keys = await sender.evaluate('window.__keys')
                emits = await sender.evaluate('window.__emits')
                messages = await receiver.evaluate('window.__messages')
                changes = await receiver.evaluate('window.__changes')
        finally:
            server.stop()
    print(f'captured: {len(keys)} keydowns, {len(emits)} yjs emits, {len(messages)} messages, '
          f'{len(changes)} model changes', file=sys.stderr)
    stages = {'keydown → yjs emit (sending browser)': [], 'yjs emit → receive message (server and sockets)': [],
              'receive message → model change (receiving browser)': [], 'total': []}
    for k, key in enumerate(keys, start=1):
        change = next((t for t, n in changes if n >= baseline + k), None)
        emit = next((t for t in emits if t >= key), None)
        if change is None or emit is None:
            continue
        message = max((t for t in messages if t <= change), default=None)
        if message is None or message < emit:
            continue
        stages['keydown → yjs emit (sending browser)'].append(emit - key)
        stages['yjs emit → receive message (server and sockets)'].append(message - emit)
        stages['receive message → model change (receiving browser)'].append(change - message)
        stages['total'].append(change - key)
    names = list(stages)
    rows = sorted(zip(*stages.values()), key=lambda row: row[-1], reverse=True)
    slowest = [{name: round(value, 1) for name, value in zip(names, row)} for row in rows[:max(5, len(rows) // 100)]]
    return {**{name: percentiles(values) for name, values in stages.items()}, 'slowest (the p99 tail)': slowest}


if __name__ == '__main__':
    args = sys.argv[1:]
    rev = args[args.index('--baseline') + 1] if '--baseline' in args else None
    numbers = [a for a in args if not a.startswith('--') and a != rev]
    print(json.dumps(asyncio.run(main(float(numbers[0]) if numbers else 10.0, rev)), indent=1))

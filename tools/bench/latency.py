"""Benchmarks 1, 2 and 6 (latency side): two real Chromium browsers, one typing at a steady 20 characters per
second (or moving its caret 20 times per second), the other recording when each arrives:
- ours: the app's room page, arrival = the receiving Monaco model changed (keystroke) or the remote cursor
  label moved to the new column (cursor);
- floor: tools/bench/floor_app.py, the same keystrokes and caret moves relayed as bare NiceGUI events, no CRDT, no DB;
- peers: the same Monaco + Yjs bundle on the plain y-websocket wire to pycrdt-websocket's server and to the
  y-websocket Node server (tools/bench/peer_page.html), arrival = Monaco model change / remote awareness change.
Send times are taken in the typing page at keydown (capture phase), arrival times in the receiving page, both as
performance.timeOrigin + performance.now() on the same machine clock."""

import asyncio
import sys
import time
import uuid

from playwright.async_api import Page

from .browsers import NOW, join_room, new_page
from .servers import Usage
from .stats import percentiles

RATE = 20.0  # keystrokes (or caret moves) per second
CYCLE = 50   # caret positions per cycle: Home, then ArrowRight 49 times
ALPHABET = 'abcdefghijklmnopqrstuvwxyz '
WARM_UP = 'warm up '

INSTALL_SENDS = f'() => {{ window.__sends = []; if (window.__sendsInstalled) return; window.__sendsInstalled = true; '\
                f'window.addEventListener("keydown", e => window.__sends.push([{NOW}, e.key]), true); }}'
MONACO_ARRIVALS = f'''el => {{ window.__arrivals = []; const m = el.pairpad.editor.getModel();
  m.onDidChangeContent(() => window.__arrivals.push([{NOW}, m.getValueLength()])); return m.getValueLength(); }}'''
LABEL_ARRIVALS = f'''el => {{ window.__carets = [];
  const record = () => el.querySelectorAll('[data-testid=remote-cursor]').forEach(
    l => window.__carets.push([{NOW}, Number(l.dataset.line), Number(l.dataset.column)]));
  new MutationObserver(record).observe(el, {{subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-column', 'data-line']}}); }}'''
AWARENESS_ARRIVALS = f'''el => {{ window.__carets = []; const {{awareness, doc}} = el.pairpad;
  awareness.on('change', () => awareness.getStates().forEach((s, id) => {{
    if (id === doc.clientID || !s.selection || !s.selection.head) return;
    const m = el.pairpad.editor.getModel();
    const head = window.__absolute(s.selection.head);
    if (head !== null) {{ const p = m.getPositionAt(head); window.__carets.push([{NOW}, p.lineNumber, p.column]); }}
  }})); }}'''


class Target:
    """Two pages of one system under test, ready to type into and to observe."""

    name = ''
    pid: int | None = None  # the server's process, for its CPU per keystroke

    async def open(self, browsers) -> tuple[Page, Page]:
        raise NotImplementedError

    async def editor_ready(self, sender: Page, receiver: Page) -> None:
        pass


class Ours(Target):
    def __init__(self, server, name: str = 'ours') -> None:
        self.server = server
        self.name = name
        self.pid = server.process.pid

    async def open(self, browsers):
        interview = self.server.create_interview(language='plaintext')
        sender, receiver = await new_page(browsers[0]), await new_page(browsers[1])
        await join_room(sender, self.server.room_url(interview['id']), 'Typist')
        await join_room(receiver, self.server.room_url(interview['id']), 'Watcher')
        return sender, receiver


class Peer(Target):
    def __init__(self, name: str, floor_url: str, ws_url: str, pid: int | None = None) -> None:
        self.name, self.floor_url, self.ws_url, self.pid = name, floor_url, ws_url, pid

    async def open(self, browsers):
        room = f'{self.ws_url}/latency-{uuid.uuid4().hex[:8]}'
        pages = []
        for browser in browsers:
            page = await new_page(browser)
            await page.goto(f'{self.floor_url}/peer?ws={room}')
            await page.wait_for_selector('[data-testid=editor][data-synced=true]', timeout=60_000)
            pages.append(page)
        # relative → absolute positions with the page's own Yjs (the bundle is an ES module: import it again)
        for page in pages:
            await page.evaluate('''async () => { const {Y} = await import('/dist/index.js');
              const el = document.querySelector('[data-testid=editor]'); window.__absolute = (rel) => {
                const a = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(rel),
                  el.pairpad.doc); return a ? a.index : null; }; }''')
        return pages[0], pages[1]


class Floor(Target):
    name = 'floor'

    def __init__(self, floor_url: str, pid: int | None = None) -> None:
        self.floor_url, self.pid = floor_url, pid

    async def open(self, browsers):
        pages = []
        for browser in browsers:
            page = await new_page(browser)
            await page.goto(f'{self.floor_url}/floor')
            await page.wait_for_function('() => window.did_handshake === true && window.floorArrivals !== undefined')
            pages.append(page)
        return pages[0], pages[1]


async def _paced(count: int, press) -> None:
    """Call press(k) for k in range(count), at RATE per second on an absolute schedule."""
    start = time.monotonic()
    for k in range(count):
        await asyncio.sleep(max(0.0, start + k / RATE - time.monotonic()))
        await press(k)


async def keystrokes(target: Target, sender: Page, receiver: Page, seconds: float, settle: float = 1.5) -> dict:
    count = max(1, int(seconds * RATE))
    if isinstance(target, Floor):
        await sender.focus('[data-testid=floor]')
        baseline = len(WARM_UP)  # the floor reports the sender's textarea length
    else:
        await sender.locator('[data-testid=editor] .monaco-editor textarea').focus()
        await sender.keyboard.press('Control+End')
    await sender.keyboard.type(WARM_UP, delay=1000 / RATE)  # not measured: first keystrokes warm both pages
    await asyncio.sleep(settle)
    if not isinstance(target, Floor):
        baseline = await receiver.locator('[data-testid=editor]').evaluate(MONACO_ARRIVALS)
    else:
        await receiver.evaluate('window.floorArrivals = []')
    await sender.evaluate(INSTALL_SENDS)
    usage = Usage(target.pid) if target.pid else None
    cpu_before = usage.cpu_seconds() if usage else 0.0
    await _paced(count, lambda k: sender.keyboard.type(ALPHABET[k % len(ALPHABET)]))
    await asyncio.sleep(settle)
    # the server's CPU over the typing and the settle after it (idle then, but for its timers), per keystroke
    cpu_ms = round((usage.cpu_seconds() - cpu_before) * 1000 / count, 3) if usage else None
    sends = [t for t, key in await sender.evaluate('window.__sends') if len(key) == 1]
    arrivals = await receiver.evaluate('window.floorArrivals' if isinstance(target, Floor) else 'window.__arrivals')
    latencies, lost = [], 0
    j = 0
    for k, sent in enumerate(sends, start=1):
        while j < len(arrivals) and arrivals[j][1] < baseline + k:
            j += 1
        if j == len(arrivals):
            lost += 1
            continue
        latencies.append(arrivals[j][0] - sent)
    return {'target': target.name, 'sent': len(sends), 'lost': lost, **percentiles(latencies),
            'server_cpu_ms_per_keystroke': cpu_ms, 'samples_ms': [round(x, 3) for x in latencies]}


async def cursor_moves(target: Target, sender: Page, receiver: Page, seconds: float, settle: float = 1.5) -> dict:
    """On a new last line of CYCLE characters: Home, then ArrowRight CYCLE - 1 times, and again."""
    count = max(1, int(seconds * RATE))
    line = 'x' * CYCLE
    await sender.keyboard.press('Enter')
    await sender.keyboard.type(line)
    if not isinstance(target, Floor):
        await receiver.wait_for_function('s => document.querySelector("[data-testid=editor]").pairpad.text()'
                                         '.endsWith(s)', arg='\n' + line)
        script = LABEL_ARRIVALS if isinstance(target, Ours) else AWARENESS_ARRIVALS
        await receiver.locator('[data-testid=editor]').evaluate(script)
    await asyncio.sleep(settle / 2)
    await sender.evaluate(INSTALL_SENDS)
    await _paced(count, lambda k: sender.keyboard.press('Home' if k % CYCLE == 0 else 'ArrowRight'))
    await asyncio.sleep(settle)
    sends = [t for t, key in await sender.evaluate('window.__sends') if key in ('Home', 'ArrowRight')]
    if isinstance(target, Floor):
        carets = [(t, 1, column + 1) for t, column in await receiver.evaluate('window.floorCaretArrivals')]
    else:
        carets = [tuple(c) for c in await receiver.evaluate('window.__carets')]
    latencies, lost = [], 0
    for k, sent in enumerate(sends):
        column = k % CYCLE + 1
        arrival = next((t for t, _line, c in carets if t >= sent and c == column and t - sent < 2000), None)
        if arrival is None:
            lost += 1
        else:
            latencies.append(arrival - sent)
    return {'target': target.name, 'sent': len(sends), 'lost': lost, **percentiles(latencies),
            'samples_ms': [round(x, 3) for x in latencies]}


async def run(targets: list[Target], browsers, seconds: float, settle: float = 1.5) -> dict:
    """Per target, one pair of pages: keystrokes first, then caret moves on a line of their own."""
    results = {'keystroke': {}, 'cursor': {}}
    for target in targets:
        sender, receiver = await target.open(browsers)
        try:
            for kind, measure in (('keystroke', keystrokes), ('cursor', cursor_moves)):
                result = await measure(target, sender, receiver, seconds, settle)
                results[kind][target.name] = result
                cpu = result.get('server_cpu_ms_per_keystroke')
                print(f'  {kind:>9} {target.name:>16}: p50 {result["p50"]} p99 {result["p99"]} ms '
                      f'({result["count"]} of {result["sent"]})' + (f', server CPU {cpu} ms per keystroke' if cpu else ''),
                      file=sys.stderr, flush=True)
        finally:
            await sender.context.close()
            await receiver.context.close()
    return results

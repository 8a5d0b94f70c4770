"""One process of the capacity benchmark's tabs (tools/bench/capacity.py runs two): it holds both tabs of each of
its rooms, so a keystroke's send and its arrival at the other tab are timed on one clock.

    python -m tools.bench.capacity_worker '<config json>'    # then JSON commands on stdin, one answer line each

Commands: {"cmd": "grow", "rooms": [[interview_id, key], ...]} joins two tabs per room and starts them typing;
{"cmd": "shrink", "count": n} closes the tabs of its last n rooms; {"cmd": "measure", "seconds": s} times the
keystrokes sent in the next s seconds (plus a grace for the last to arrive) and answers with the latencies;
{"cmd": "stop"}.

A tab behaves as the browser component does (components/collab_editor/collab_editor.js), as far as the server can
tell: keystrokes in bursts (2 a second on average), each one Yjs update and one awareness update (its cursor) in one
`yjs` event; on that event ride `presence` is_typing at the start of a burst and the caret (`cursor`) at most every
CURSOR_S, and a caret that found no event to ride goes alone CURSOR_ALONE_S after its last; is_typing false goes
alone 1 s after a burst; a `presence` heartbeat every second (tools/peers/light.py); `without` in the config leaves
out the awareness update, the caret or the typing presence (to find what a keystroke costs). Not done: the idle `check` every 10 s (it needs the whole document,
which a write-mostly tab does not keep).

Each keystroke types one character of its own (CJK, 3 UTF-8 bytes, a range per side of the room), so the other
tab finds it in the raw bytes of what it receives without applying anything (applying would put the tabs' CPU on
the figure: they share the 2 cores with the server).
"""

import asyncio
import base64
import json
import random
import re
import sys
import time

from tools.peers.light import LightSocketPeer

BURST_KEYS = (4, 12)      # keystrokes per burst, uniform
KEY_GAP_S = 0.15          # between keystrokes inside a burst: about 7 a second, a typist's pace
MEAN_RATE = 2.0           # keystrokes a second on average, pauses included
TYPING_CLEAR_S = 1.0      # the component's TYPING_CLEAR_MS
CURSOR_S = 0.25           # the component's CURSOR_MS and CURSOR_ALONE_MS
CURSOR_ALONE_S = 0.5
FIRST_CHAR = (0x4E00, 0x7600)  # side 0 types from U+4E00 on, side 1 from U+7600 on (CJK, 3 UTF-8 bytes each)
SIDE_SPAN = 0x2800
CJK = re.compile(rb'[\xe4-\xe9][\x80-\xbf][\x80-\xbf]')
FRAME_PREFIX = '42["pairpad:yjs"'


class Tab(LightSocketPeer):
    """A write-mostly tab whose messages of one task go out as one `yjs` event, as the component sends them."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._outgoing: list[bytes] = []
        self._cursor: dict | None = None  # the caret not sent yet
        self._cursor_sent_at = 0.0
        self._cursor_timer: asyncio.TimerHandle | None = None
        self._typing: bool | None = None  # is_typing to ride on the next event
        self.seq = 0  # keystrokes typed
        self.without: set[str] = set()  # events left out, to find what a keystroke's cost is made of

    def _send_message(self, message: bytes) -> None:
        if 'yjs' not in self.listeners:
            return
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outgoing.append(message)

    def _flush(self) -> None:
        messages, self._outgoing = self._outgoing, []
        payload = {'room': self.interview_id, 'm': [base64.b64encode(m).decode() for m in messages], 'direct': 1}
        if self._typing is not None and 'presence' in self.listeners:
            payload['p'] = {'is_typing': self._typing}
        self._typing = None
        now = time.monotonic()
        if self._cursor is not None and 'cursor' in self.listeners and now - self._cursor_sent_at >= CURSOR_S:
            payload['c'], self._cursor, self._cursor_sent_at = self._cursor, None, now
        self._spawn(self._event('yjs', payload))

    def _spawn(self, coroutine) -> None:
        self._tasks.append(asyncio.create_task(coroutine))
        if len(self._tasks) > 64:
            self._tasks = [t for t in self._tasks if not t.done()]

    def _cursor_alone(self) -> None:
        self._cursor_timer = None
        if self._cursor is None or 'cursor' not in self.listeners:
            return
        since = time.monotonic() - self._cursor_sent_at
        if since < CURSOR_ALONE_S:
            self._cursor_timer = asyncio.get_running_loop().call_later(CURSOR_ALONE_S - since, self._cursor_alone)
            return
        self._spawn(self._event('cursor', self._cursor))
        self._cursor, self._cursor_sent_at = None, time.monotonic()

    def keystroke(self, ch: str, typing: bool) -> None:
        at = len(self.client.text)
        self.client.insert(at, ch)  # sends the update
        if 'awareness' not in self.without:
            self.client.set_awareness({'selection': {'anchor': at + 1, 'head': at + 1}, 'typing': typing})
        if 'cursor' not in self.without:
            self._cursor = {'line': 1, 'column': at + 2}
            if self._cursor_timer is None:
                self._cursor_timer = asyncio.get_running_loop().call_later(CURSOR_ALONE_S, self._cursor_alone)

    def start_typing(self) -> None:
        """is_typing true rides on the next keystroke's event, as the component sends it."""
        if 'typing' not in self.without:
            self._typing = True

    async def stop_typing(self) -> None:
        if 'presence' in self.listeners and 'typing' not in self.without:
            await self._event('presence', {'is_typing': False})


class Worker:
    def __init__(self, config: dict) -> None:
        self.base_url = config['url']
        self.rooms: list[tuple[Tab, Tab, list[asyncio.Task]]] = []
        self.sent: dict[tuple[int, int], float] = {}  # (id of the tab, its seq) → perf_counter at send, this window
        self.arrived: dict[tuple[int, int], float] = {}
        self.window_open = False
        self.failures: list[str] = []
        self.without = set(config.get('without', []))

    async def grow(self, rooms: list[list[str]]) -> dict:
        gate = asyncio.Semaphore(8)
        joined_before = len(self.rooms)

        async def join(interview_id: str, key: str) -> None:
            async with gate:
                try:
                    tabs = [await asyncio.wait_for(Tab.join(self.base_url, interview_id, f'tab{side}', key=key,
                                                            timeout=60), 90) for side in (0, 1)]
                except Exception as error:  # a refused or timed-out join is a result, not a crash
                    self.failures.append(f'{interview_id}: {type(error).__name__}: {error}'[:200])
                    return
            for side, tab in enumerate(tabs):
                tab.without = self.without
                tab.on_frame = lambda frame, sender=tabs[1 - side], side=side: self._received(sender, 1 - side, frame)
            tasks = [asyncio.create_task(self._type(tab, side, random.Random(f'{interview_id}{side}')))
                     for side, tab in enumerate(tabs)]
            self.rooms.append((*tabs, tasks))

        await asyncio.gather(*(join(interview_id, key) for interview_id, key in rooms))
        return {'joined': len(self.rooms) - joined_before, 'failures': self.failures[-5:]}

    async def shrink(self, count: int) -> dict:
        closing, self.rooms = self.rooms[len(self.rooms) - count:], self.rooms[:len(self.rooms) - count]
        for first, second, tasks in closing:
            for task in tasks:
                task.cancel()
            await asyncio.gather(first.close(), second.close(), return_exceptions=True)
        return {'rooms': len(self.rooms)}

    async def measure(self, seconds: float, grace: float = 2.0) -> dict:
        self.sent, self.arrived = {}, {}
        cpu_before = time.process_time()
        self.window_open = True
        await asyncio.sleep(seconds)
        self.window_open = False
        await asyncio.sleep(grace)
        latencies = [(self.arrived[k] - at) * 1000 for k, at in self.sent.items() if k in self.arrived]
        return {'sent': len(self.sent), 'arrived': len(latencies), 'latencies_ms': [round(v, 3) for v in latencies],
                'cpu_seconds': round(time.process_time() - cpu_before, 3), 'rooms': len(self.rooms)}

    async def _type(self, tab: Tab, side: int, rng: random.Random) -> None:
        """Bursts of keystrokes with pauses between them: MEAN_RATE a second on average."""
        keys_mean = sum(BURST_KEYS) / 2
        pause_mean = max(0.1, keys_mean / MEAN_RATE - keys_mean * KEY_GAP_S)
        await asyncio.sleep(rng.uniform(0, 2 * pause_mean))  # tabs out of phase, as people are
        clear: asyncio.TimerHandle | None = None
        loop = asyncio.get_running_loop()
        while True:
            if clear is None:
                tab.start_typing()
            else:
                clear.cancel()
            for _ in range(rng.randint(*BURST_KEYS)):
                seq = tab.seq = (tab.seq + 1) % SIDE_SPAN
                if self.window_open:
                    self.sent[(id(tab), seq)] = time.perf_counter()
                tab.keystroke(chr(FIRST_CHAR[side] + seq), True)
                await asyncio.sleep(KEY_GAP_S)
            clear = loop.call_later(TYPING_CLEAR_S, lambda: asyncio.ensure_future(tab.stop_typing()))
            await asyncio.sleep(rng.expovariate(1 / pause_mean))
            if clear.when() <= loop.time():
                clear = None

    def _received(self, sender: Tab, side: int, frame: str) -> None:
        """A frame reached the tab opposite `sender` (which is on `side`): its keystrokes in the frame arrived."""
        if not frame.startswith(FRAME_PREFIX) or not self.sent:
            return
        now = time.perf_counter()
        try:
            items = json.loads(frame[2:])[1]['m']
        except (ValueError, KeyError, IndexError, TypeError):
            return
        low = FIRST_CHAR[side]
        for item in items:
            if not isinstance(item, str):
                continue
            for found in CJK.findall(base64.b64decode(item)):
                try:
                    key = (id(sender), ord(found.decode()) - low)
                except UnicodeDecodeError:
                    continue
                if key in self.sent:
                    self.arrived.setdefault(key, now)


async def main(config: dict) -> None:
    worker = Worker(config)
    loop = asyncio.get_running_loop()
    print(json.dumps({'ready': True}), flush=True)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command['cmd'] == 'grow':
            answer = await worker.grow(command['rooms'])
        elif command['cmd'] == 'shrink':
            answer = await worker.shrink(command['count'])
        elif command['cmd'] == 'measure':
            answer = await worker.measure(command['seconds'], command.get('grace', 2.0))
        else:
            await worker.shrink(len(worker.rooms))
            print(json.dumps({'stopped': True}), flush=True)
            break
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    import logging
    logging.basicConfig(level=logging.WARNING, format='%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s')
    asyncio.run(main(json.loads(sys.argv[1])))

"""What a join costs the tabs already in the room, and how many authors one room carries (issue 17, target 3).

    python -m tools.bench.joins [--ns 10,50] [--ceiling 200,300,400] [--seconds 15] [--join-profile N]
                                [--rev REV] [--json FILE]

1. Join cost: N - 1 protocol-level tabs (tools/peers SocketPeer, the browser's socket path) join a fresh
   interview; then the N-th joins, and every earlier tab counts what NiceGUI sends it from that moment until the
   new person's chip has arrived and a second passed with no further element update: `update` messages, the
   elements in them and their JSON size. A join that re-rendered the participant list would send each tab
   O(N) elements; a join that sends the joining chip sends a constant number. The same then for the newcomer's
   cursor move (nothing on a chip changes) and its status change to away (one chip changes).
2. Ceiling (`--ceiling`): the fan-out sweep of docs/benchmarks.md (tools/bench/fanout.py: N authors typing 5
   edits a second each) against this app only, at the given N in order until a step breaks; p95 and the
   ceiling, with the load average beside them (the machine is shared).
3. Join profile (`--join-profile N`): N write-mostly authors join one room 8 at a time, as a fan-out worker does,
   with py-spy on the server: how long the joins took, tenth by tenth, and the server's top functions.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tools.peers import SocketPeer
from tools.peers.light import LightSocketPeer

from . import fanout, profiling
from .servers import checkout, start_app

SETTLE_S = 1.0  # no element update for this long after the chip arrived: the join's updates are all in


class CountingPeer(SocketPeer):
    """A tab that counts the element updates NiceGUI sends it (and notes which participants' chips it saw)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.messages = self.elements = self.update_bytes = 0
        self.last_update_at = time.monotonic()
        self.chips: dict[str, str] = {}  # participant id → the status its chip shows

    async def _on_update_message(self, msg: dict) -> None:
        if isinstance(msg, dict):
            elements = {k: v for k, v in msg.items() if k != '_id'}
            self.messages += 1
            self.elements += len(elements)
            self.update_bytes += len(json.dumps(elements))
            self.last_update_at = time.monotonic()
            for element in elements.values():
                if isinstance(element, dict) and 'data-participant-id' in element.get('props', {}) \
                        and element['props'].get('data-testid') == 'participant':
                    self.chips[element['props']['data-participant-id']] = element['props'].get('data-status')
        await super()._on_update_message(msg)

    def snapshot(self) -> tuple[int, int, int]:
        return self.messages, self.elements, self.update_bytes


async def _quiet(peers: list[CountingPeer], timeout: float = 60.0) -> None:
    """Until no tab got an element update for SETTLE_S (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if time.monotonic() - max(p.last_update_at for p in peers) >= SETTLE_S:
            return
        await asyncio.sleep(0.1)


async def join_cost(app, n: int) -> dict:
    """Per earlier tab: what the N-th join sent it (see the module docstring)."""
    room, key = fanout.new_app_room(app)
    peers: list[CountingPeer] = []
    try:
        for i in range(n - 1):
            peers.append(await CountingPeer.join(app.url, room, f'author{i}', key=key, timeout=60))
        await _quiet(peers)
        before = [p.snapshot() for p in peers]
        newcomer = await CountingPeer.join(app.url, room, f'author{n - 1}', key=key, timeout=60)
        deadline = time.monotonic() + 60
        while not all(newcomer.participant['id'] in p.chips for p in peers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await _quiet(peers)
        seen = sum(newcomer.participant['id'] in p.chips for p in peers)
        joined = _deltas(peers, before)
        peers.append(newcomer)
        moved = await _change(peers[:-1], newcomer, 'cursor', {'line': 1, 'column': 1}, None)
        away = await _change(peers[:-1], newcomer, 'presence', {'status': 'away'}, 'away')
        return {'n': n, 'tabs': len(peers) - 1, 'tabs_that_saw_the_chip': seen, 'join': joined,
                'cursor_move': moved, 'status_change': away}
    finally:
        await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)


async def join_profile(app, n: int, work: Path, concurrency: int = 8) -> dict:
    """N write-mostly authors join one room, `concurrency` at a time (one fan-out worker's pace), with py-spy on
    the server meanwhile: how long each tenth of the joins took, and where the server's time went."""
    room, key = fanout.new_app_room(app)
    gate = asyncio.Semaphore(concurrency)
    peers, done = [], []
    started = time.monotonic()

    async def one(i: int) -> None:
        async with gate:
            t = time.monotonic()
            peers.append(await LightSocketPeer.join(app.url, room, f'author{i}', key=key, timeout=60))
            done.append((time.monotonic() - started, time.monotonic() - t))

    spy = profiling.start(app.process.pid, 60, work / 'join-spy.txt')
    outcomes = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    done.sort()
    step = max(1, n // 10)
    tenths = [{'joins': len(chunk), 'mean_join_s': round(statistics.mean(d for _, d in chunk), 2),
               'all_done_at_s': round(chunk[-1][0], 1)}
              for chunk in (done[k:k + step] for k in range(0, len(done), step))]
    profile = None
    if spy is not None:
        await asyncio.get_running_loop().run_in_executor(None, spy.wait)
        profile = profiling.summarise(work / 'join-spy.txt', top=25)
    await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
    return {'n': n, 'joined': len(peers), 'failed': sum(isinstance(o, Exception) for o in outcomes),
            'seconds': round(done[-1][0], 1) if done else None, 'tenths': tenths, 'profile': profile}


async def _change(peers: list[CountingPeer], who: CountingPeer, event: str, args: dict, status: str | None) -> dict:
    """What each tab is sent when `who` sends one presence event (a status: until every chip shows it)."""
    await _quiet(peers + [who])
    before = [p.snapshot() for p in peers]
    await who.emit_raw(event, args)
    deadline = time.monotonic() + 30
    while status and time.monotonic() < deadline and \
            not all(p.chips.get(who.participant['id']) == status for p in peers):
        await asyncio.sleep(0.05)
    await _quiet(peers)
    return _deltas(peers, before)


def _deltas(peers: list[CountingPeer], before: list[tuple[int, int, int]]) -> dict:
    deltas = [tuple(a - b for a, b in zip(p.snapshot(), b0)) for p, b0 in zip(peers, before)]
    return {'messages_per_tab': _spread([d[0] for d in deltas]), 'elements_per_tab': _spread([d[1] for d in deltas]),
            'bytes_per_tab': _spread([d[2] for d in deltas])}


def _spread(values: list[int]) -> dict:
    return {'min': min(values), 'median': statistics.median(values), 'max': max(values)}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def main(args: argparse.Namespace) -> dict:
    results: dict = {'load_average_start': _load(), 'started': time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()),
                     'rev': args.rev or 'working tree'}
    with tempfile.TemporaryDirectory(prefix='pairpad-joins-') as work:
        tree = checkout(args.rev, Path(work) / 'tree') if args.rev else None  # the app as it was at REV
        app = start_app(Path(work) / 'app', root=tree)
        try:
            results['join_cost'] = []
            for n in [int(x) for x in args.ns.split(',') if x]:
                cost = await join_cost(app, n)
                results['join_cost'].append(cost)
                for what in ('join', 'cursor_move', 'status_change'):
                    print(f'N={n} {what}: per earlier tab {cost[what]["elements_per_tab"]} elements in '
                          f'{cost[what]["messages_per_tab"]} messages, {cost[what]["bytes_per_tab"]} bytes '
                          f'(load {_load()})', file=sys.stderr, flush=True)
            if args.join_profile:
                results['join_profile'] = await join_profile(app, args.join_profile, Path(work))
                print(f'{args.join_profile} joins: {results["join_profile"]["seconds"]} s (load {_load()})',
                      file=sys.stderr, flush=True)
            if args.ceiling:
                ns = [int(x) for x in args.ceiling.split(',')]
                results['fanout'] = await fanout.sweep('ours', app, ns, duration=args.seconds, time_budget=3600,
                                                       new_room=lambda: fanout.new_app_room(app))
        finally:
            app.stop()
    results['load_average_end'] = _load()
    return results


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--ns', default='10,50', help='comma-separated N for the join cost ("" to skip)')
    parser.add_argument('--ceiling', default='', help='comma-separated author counts for the fan-out sweep')
    parser.add_argument('--join-profile', type=int, default=0,
                        help='N authors join 8 at a time with py-spy on the server (0: skip)')
    parser.add_argument('--rev', help='measure the app as it was at this git revision (its own tree, this script)')
    parser.add_argument('--seconds', type=float, default=15.0, help='seconds of typing per fan-out step')
    parser.add_argument('--json', help='write the results here too')
    arguments = parser.parse_args()
    out = asyncio.run(main(arguments))
    text = json.dumps(out, indent=1, default=str)
    if arguments.json:
        Path(arguments.json).write_text(text)
    for step in out.get('fanout', {}).get('steps', []):
        step.pop('latencies_sample_ms', None)
    print(json.dumps(out, indent=1, default=str))

"""`python -m tools.bench [--quick | --smoke] [--json FILE] [--baseline REV] [--profile-n N] [--only NAMES]`

Runs every benchmark of docs/benchmarks.md on this machine, everything on 127.0.0.1, and writes all figures
into one JSON object (FILE, and tools/bench/results/latest-<mode>.json). `make bench` runs the full set and renders
docs/benchmarks.md and the plots from it (tools/bench/report.py).

Modes bound every loop in count and time: --smoke (about a minute, tiny workloads, for CI: it only proves the
bench runs and every key is there), --quick (under 3 minutes), full (the default: 30 s of typing per latency
figure, fan-out until it breaks; about 20 minutes).
"""

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

from . import baseline, fanout, latency, memory, profiling, trace_replay, traces
from .browsers import launch
from .servers import ROOT, FloorServer, NodeWebsocketServer, PycrdtWebsocketServer, start_app

RESULTS = ROOT / 'tools' / 'bench' / 'results'
BENCHMARKS = ('trace', 'memory', 'latency', 'fanout')
REQUIRED_KEYS = ('keystroke_p50_ms', 'keystroke_p95_ms', 'keystroke_p99_ms', 'floor_p99_ms', 'cursor_p50_ms',
                 'cursor_p99_ms', 'floor_cursor_p99_ms', 'fanout_p95_ms_by_n', 'fanout_ceiling',
                 'trace_updates_per_s', 'trace_limit_updates_per_s', 'trace_peer_updates_per_s', 'idle_room_bytes',
                 'idle_room_document_bytes', 'browser_bytes', 'client_bytes', 'cold_join_seconds', 'peers',
                 'machine', 'mode', 'command')


@dataclass
class Plan:
    mode: str
    latency_seconds: float
    fanout_ns: list[int]
    fanout_seconds: float
    fanout_budget: float         # seconds per server for the whole sweep
    trace_names: tuple[str, ...]
    trace_limit: int | None      # transactions of each trace (None: all)
    peer_trace_limit: int | None  # the YRoom+SQLiteYStore peer writes ~70 updates/s: a prefix in short modes
    idle_rooms: int
    tabs: int
    cold_trace_limit: int | None
    extra: dict = field(default_factory=dict)


PLANS = {
    'smoke': Plan('smoke', 0.5, [3], 1.0, 30, ('sveltecomponent',), 200, 60, 5, 1, 1000),
    'quick': Plan('quick', 3.0, [10, 25], 2.0, 40, ('sveltecomponent',), None, 400, 5, 2, 10000),
    'full': Plan('full', 30.0, [10, 25, 50, 100, 200, 300, 400, 600, 800], 15.0, 600,
                 ('sveltecomponent', 'rustcode'), None, 5000, 50, 8, None),
}


def machine() -> dict:
    model = platform.processor() or ''
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    memory_kb = 0
    try:
        memory_kb = int(next(l for l in Path('/proc/meminfo').read_text().splitlines()
                             if l.startswith('MemTotal')).split()[1])
    except (OSError, StopIteration, ValueError):
        pass
    return {'cores': os.cpu_count(), 'cpu_model': model, 'memory_gib': round(memory_kb / 1024 ** 2, 1),
            'load_average_start': [round(x, 2) for x in os.getloadavg()],
            'python': platform.python_version(), 'system': platform.platform()}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def bench_trace(plan: Plan, results: dict) -> None:
    loaded = [traces.load(name, limit=plan.trace_limit) for name in plan.trace_names]
    replay = await trace_replay.run(loaded, peer_limit=plan.peer_trace_limit)
    tree = plan.extra.get('baseline_tree')
    if tree is not None:
        log(f'  the same updates through the app at {plan.extra["baseline"]}')
        replay['baseline'] = await asyncio.to_thread(baseline.replay_traces, tree, loaded)
    results['details']['trace'] = replay

    def slowest(side: str) -> float | None:
        figures = [r['updates_per_s'] for r in replay[side]]
        return None if not figures or None in figures else min(figures)
    results['trace_updates_per_s'] = slowest('ours')
    results['trace_limit_updates_per_s'] = slowest('limit')
    results['trace_peer_updates_per_s'] = slowest('peer')
    for side in ('ours', 'limit', 'peer', 'baseline'):
        for r in replay.get(side, []):
            log(f'  trace {r["trace"]:>16} {side:>5}: {r["updates_per_s"]} updates/s ({r["updates"]} updates, '
                f'text ok: {r["final_text_ok"]})')


async def bench_memory(plan: Plan, results: dict, work: Path, browser, servers: dict) -> None:
    name = 'rustcode' if 'rustcode' in plan.trace_names else plan.trace_names[0]
    idle = memory.idle_rooms(traces.load(name, limit=plan.trace_limit), plan.idle_rooms,
                             baseline=plan.extra.get('baseline_tree'))
    log(f'  idle room ({name}): {idle["ours_bytes_per_room"]:,} B per room, document {idle["document_bytes"]:,} B')
    settle = plan.extra['settle']
    tabs = {'ours': await memory.per_browser_ours(servers['app'], browser, plan.tabs, settle)}
    for peer in ('pycrdt-websocket', 'y-websocket'):
        tabs[peer] = await memory.per_browser_peer(servers[peer], servers['floor'].url, browser, plan.tabs, settle)
    log(f'  per browser tab: {json.dumps(tabs)}')
    cold_trace = traces.load('rustcode', limit=plan.cold_trace_limit)
    cold = {'trace': cold_trace.name, 'updates': len(cold_trace.updates),
            'ours': await memory.cold_join_ours(servers['app'], cold_trace, browser)}
    for peer in ('pycrdt-websocket', 'y-websocket'):
        cold[peer] = await memory.cold_join_peer(servers[peer], servers['floor'].url, cold_trace, browser)
    log(f'  cold join: {json.dumps(cold)}')
    results['details']['memory'] = {'idle_room': idle, 'per_tab': tabs, 'cold_join': cold}
    results['idle_room_bytes'] = idle['ours_bytes_per_room']
    results['idle_room_document_bytes'] = idle['document_bytes']
    results['browser_bytes'] = tabs['ours']['bytes_per_tab']
    results['client_bytes'] = cold['ours']['socket_bytes']
    results['cold_join_seconds'] = cold['ours']['seconds']


async def bench_latency(plan: Plan, results: dict, browsers, servers: dict) -> None:
    floor_url = servers['floor'].url
    targets = [latency.Floor(floor_url, servers['floor'].pid), latency.Ours(servers['app']),
               latency.Peer('pycrdt-websocket', floor_url, servers['pycrdt-websocket'].ws_url,
                            servers['pycrdt-websocket'].pid),
               latency.Peer('y-websocket', floor_url, servers['y-websocket'].ws_url, servers['y-websocket'].pid)]
    if 'baseline' in servers:
        targets.insert(2, latency.Ours(servers['baseline'], name='baseline'))
    measured = await latency.run(targets, browsers, plan.latency_seconds, settle=plan.extra['settle'])
    results['details']['latency'] = measured
    keystroke, cursor = measured['keystroke'], measured['cursor']
    results.update({'keystroke_p50_ms': keystroke['ours']['p50'], 'keystroke_p95_ms': keystroke['ours']['p95'],
                    'keystroke_p99_ms': keystroke['ours']['p99'], 'floor_p50_ms': keystroke['floor']['p50'],
                    'floor_p99_ms': keystroke['floor']['p99'], 'cursor_p50_ms': cursor['ours']['p50'],
                    'cursor_p95_ms': cursor['ours']['p95'], 'cursor_p99_ms': cursor['ours']['p99'],
                    'floor_cursor_p99_ms': cursor['floor']['p99'],
                    'server_cpu_ms_per_keystroke': keystroke['ours']['server_cpu_ms_per_keystroke'],
                    'floor_cpu_ms_per_keystroke': keystroke['floor']['server_cpu_ms_per_keystroke']})
    if 'baseline' in keystroke:
        results['baseline'] = {**results.get('baseline', {}), 'keystroke_p99_ms': keystroke['baseline']['p99'],
                               'keystroke_p50_ms': keystroke['baseline']['p50'],
                               'server_cpu_ms_per_keystroke': keystroke['baseline']['server_cpu_ms_per_keystroke'],
                               'cursor_p99_ms': cursor['baseline']['p99']}
    for peer in ('pycrdt-websocket', 'y-websocket'):
        results['peers'].setdefault(peer, {}).update({
            'keystroke_p50_ms': keystroke[peer]['p50'], 'keystroke_p99_ms': keystroke[peer]['p99'],
            'server_cpu_ms_per_keystroke': keystroke[peer]['server_cpu_ms_per_keystroke'],
            'cursor_p50_ms': cursor[peer]['p50'], 'cursor_p99_ms': cursor[peer]['p99']})


async def bench_fanout(plan: Plan, results: dict, servers: dict, work: Path) -> None:
    app = servers['app']
    workers = 1 if plan.mode == 'smoke' else fanout.WORKERS
    common = {'duration': plan.fanout_seconds, 'time_budget': plan.fanout_budget, 'grace': plan.extra['grace'],
              'workers': workers}
    sweeps = {'ours': lambda: fanout.sweep('ours', app, plan.fanout_ns, new_room=lambda: fanout.new_app_room(app),
                                           profile_at=plan.extra.get('profile_n'), profile_dir=work, **common)}
    for peer in ('pycrdt-websocket', 'y-websocket'):
        sweeps[peer] = lambda peer=peer: fanout.sweep('ws', servers[peer], plan.fanout_ns,
                                                      new_room=fanout.new_ws_room, **common)
    if plan.mode == 'smoke':  # only proves that every sweep runs: at once, their figures disturb one another
        details = dict(zip(sweeps, await asyncio.gather(*(sweep() for sweep in sweeps.values()))))
    else:
        details = {name: await sweep() for name, sweep in sweeps.items()}
    if 'baseline' in servers:
        log(f'  fan-out of the app at {plan.extra["baseline"]}')
        before = servers['baseline']
        details['baseline'] = await fanout.sweep(
            'ours', before, plan.fanout_ns, duration=plan.fanout_seconds, time_budget=plan.fanout_budget,
            new_room=lambda: fanout.new_app_room(before), grace=plan.extra['grace'], workers=workers)
        results['baseline'] = {**results.get('baseline', {}), 'fanout_p95_ms_by_n': {
            str(s['n']): s.get('p95_ms') for s in details['baseline']['steps']}}
    results['details']['fanout'] = details
    results['fanout_p95_ms_by_n'] = {str(s['n']): s.get('p95_ms') for s in details['ours']['steps']}
    results['fanout_ceiling'] = details['ours']['ceiling']
    results['fanout_server_cpu_by_n'] = {str(s['n']): s.get('server_cpu_cores') for s in details['ours']['steps']}
    results['fanout_server_rss_by_n'] = {str(s['n']): s.get('server_rss_bytes') for s in details['ours']['steps']}
    for peer in ('pycrdt-websocket', 'y-websocket'):
        results['peers'].setdefault(peer, {}).update({
            'fanout_p95_ms_by_n': {str(s['n']): s.get('p95_ms') for s in details[peer]['steps']},
            'fanout_ceiling': details[peer]['ceiling']})


async def main(args: argparse.Namespace) -> dict:
    plan = PLANS[args.mode]
    if args.fanout_ns:
        plan.fanout_ns = [int(n) for n in args.fanout_ns.split(',')]
    if args.fanout_seconds:
        plan.fanout_seconds = args.fanout_seconds
    if args.what_if:
        log('--what-if is gone: the fixes it prototyped are in the app. Use --baseline REV for before/after figures.')
    plan.extra.update({'baseline': args.baseline, 'profile_n': args.profile_n,
                       'grace': 1.0 if plan.mode == 'smoke' else 2.0,
                       'settle': {'smoke': 0.5, 'quick': 1.0}.get(plan.mode, 1.5)})
    only = set(args.only.split(',')) if args.only else set(BENCHMARKS)
    command = 'python -m tools.bench' + (f' --{args.mode}' if args.mode != 'full' else '') + \
        (f' --baseline {args.baseline}' if args.baseline else '') + \
        (f' --profile-n {args.profile_n}' if args.profile_n else '') + \
        (f' --fanout-ns {args.fanout_ns}' if args.fanout_ns else '') + \
        (f' --fanout-seconds {args.fanout_seconds:g}' if args.fanout_seconds else '') + \
        (f' --only {args.only}' if args.only else '')
    results: dict = {'mode': plan.mode, 'command': command, 'machine': machine(), 'peers': {}, 'details': {},
                     **({'baseline_rev': args.baseline} if args.baseline else {}),
                     'started': time.strftime('%Y-%m-%d %H:%M:%S %Z')}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='pairpad-bench-') as tmp:
        work = Path(tmp)
        if args.baseline:
            plan.extra['baseline_tree'] = baseline.checkout(args.baseline, work / 'baseline-tree')
        if 'trace' in only:
            log('trace replay')
            await bench_trace(plan, results)
            log(f'  ({time.monotonic() - started:.0f} s)')
        needs_servers = only & {'memory', 'latency', 'fanout'}
        servers: dict = {}
        try:
            if needs_servers:
                log('starting the app, the floor app and the peers')
                starts = {'app': lambda: start_app(work / 'app'), 'floor': lambda: FloorServer(work).start(),
                          'pycrdt-websocket': lambda: PycrdtWebsocketServer(work).start(),
                          'y-websocket': lambda: NodeWebsocketServer(work).start()}
                if args.baseline and only & {'latency', 'fanout'}:
                    starts['baseline'] = lambda: start_app(work / 'baseline', root=plan.extra['baseline_tree'])
                with ThreadPoolExecutor(len(starts)) as pool:
                    futures = {name: pool.submit(start) for name, start in starts.items()}
                    for name, future in futures.items():
                        try:
                            servers[name] = future.result()
                        except Exception:
                            for other in futures.values():
                                if other.done() and other.exception() is None:
                                    other.result().stop()
                            raise
            if only & {'memory', 'latency'}:
                async with async_playwright() as playwright:
                    browsers = [await launch(playwright), await launch(playwright)]
                    if 'latency' in only:
                        log('latency (two browsers)')
                        await bench_latency(plan, results, browsers, servers)
                        log(f'  ({time.monotonic() - started:.0f} s)')
                    if 'memory' in only:
                        log('memory')
                        await bench_memory(plan, results, work, browsers[0], servers)
                        log(f'  ({time.monotonic() - started:.0f} s)')
                    for browser in browsers:
                        await browser.close()
            if 'fanout' in only:
                log('fan-out')
                await bench_fanout(plan, results, servers, work)
                log(f'  ({time.monotonic() - started:.0f} s)')
        finally:
            for server in servers.values():
                server.stop()
    results['seconds'] = round(time.monotonic() - started, 1)
    results['machine']['load_average_end'] = [round(x, 2) for x in os.getloadavg()]
    return results


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m tools.bench', description=__doc__.split('\n\n')[1])
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument('--quick', dest='mode', action='store_const', const='quick', help='short run, under 3 min')
    modes.add_argument('--smoke', dest='mode', action='store_const', const='smoke', help='tiny run for CI (~1 min)')
    parser.set_defaults(mode='full')
    parser.add_argument('--json', type=Path, help='write the results object to this file')
    parser.add_argument('--only', help=f'comma-separated subset of {",".join(BENCHMARKS)}')
    parser.add_argument('--baseline', metavar='REV',
                        help='also measure the app as it was at this git revision (before/after in one run)')
    parser.add_argument('--what-if', action='store_true', help=argparse.SUPPRESS)  # gone: see --baseline
    parser.add_argument('--profile-n', type=int, help='py-spy the app server during the fan-out step with this N')
    parser.add_argument('--fanout-ns', help='comma-separated author counts for the fan-out sweep (default: the mode\'s)')
    parser.add_argument('--fanout-seconds', type=float, help='seconds of typing per fan-out step (default: the mode\'s)')
    return parser.parse_args(argv)


if __name__ == '__main__':
    arguments = parse()
    outcome = asyncio.run(main(arguments))
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(outcome, indent=1)
    (RESULTS / f'latest-{outcome["mode"]}.json').write_text(text)
    if arguments.json:
        arguments.json.write_text(text)
    missing = [k for k in REQUIRED_KEYS if k not in outcome] if not arguments.only else []
    summary = {k: outcome.get(k) for k in REQUIRED_KEYS if k not in ('peers', 'machine')}
    print(json.dumps(summary, indent=1))
    if missing:
        sys.exit(f'missing figures: {", ".join(missing)}')

"""Benchmark 3: fan-out. N protocol-level authors in one room, each typing 5 edits per second, for N = 10, 25,
50, 100, 200, ... until it breaks; p95 delivery latency, server CPU and memory per N. The authors run in two
worker processes apart from the server; the same workload runs against our app (SocketPeer over the NiceGUI
socket) and against pycrdt-websocket and the y-websocket Node server (WebsocketPeer).

A step "breaks" when an author cannot join, when observers receive less than 99 % of the edits they should
within the grace period, or when p95 exceeds 1 s; the ceiling is the largest N that did not break."""

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from . import profiling
from .servers import ROOT, Usage
from .stats import percentiles

WORKERS = 2
OBSERVERS = 4
BREAK_P95_MS = 1000.0
BREAK_DELIVERED = 0.99


async def _worker(config: dict) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, '-m', 'tools.bench.fanout_worker', json.dumps(config), cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=open(ROOT / 'tools' / 'bench' / 'results' / 'fanout-worker.log', 'ab'),
        limit=256 * 1024 * 1024)
    return process


async def run_step(kind: str, url: str, room: str | tuple[str, str], n: int, *, server_pid: int, duration: float, rate: float = 5.0,
                   join_timeout: float = 120.0, profile_path: Path | None = None, grace: float = 2.0,
                   workers: int = WORKERS) -> dict:
    room, key = room if isinstance(room, tuple) else (room, None)  # the app's rooms come with their link's key
    observers = sorted({0, n // 4, n // 2, (3 * n) // 4})[:OBSERVERS]
    bounds = [(w * n // workers, (w + 1) * n // workers) for w in range(workers)]
    processes = []
    for first, last in bounds:
        config = {'kind': kind, 'url': url, 'room': room, 'key': key, 'first': first, 'last': last, 'rate': rate,
                  'duration': duration, 'observers': [o for o in observers if first <= o < last], 'grace': grace}
        processes.append(await _worker(config))
    usage = Usage(server_pid)
    join_started = time.monotonic()
    ready = []
    try:
        for process in processes:
            line = await asyncio.wait_for(process.stdout.readline(), join_timeout)
            ready.append(json.loads(line))
    except (asyncio.TimeoutError, json.JSONDecodeError):
        for process in processes:
            process.kill()
        return {'n': n, 'broke': True, 'reason': 'authors could not join in time', 'joined': None}
    join_seconds = time.monotonic() - join_started
    start_at = time.time() + 0.5
    for process in processes:
        process.stdin.write(f'start {start_at}\n'.encode())
        await process.stdin.drain()
    await asyncio.sleep(max(0.0, start_at - time.time()))
    spy = profiling.start(server_pid, duration, profile_path) if profile_path else None
    cpu_before, t_before = usage.cpu_seconds(), time.monotonic()
    rss_samples = []
    while time.monotonic() - t_before < duration:
        await asyncio.sleep(min(1.0, duration / 4))
        rss_samples.append(usage.rss())
    cpu = (usage.cpu_seconds() - cpu_before) / (time.monotonic() - t_before)
    profile = None
    if spy is not None:
        await asyncio.get_running_loop().run_in_executor(None, spy.wait)
        profile = profiling.summarise(profile_path)
    outputs = []
    for process in processes:
        out, _ = await asyncio.wait_for(process.communicate(), duration + 120)
        outputs.append(json.loads(out.decode().strip().splitlines()[-1]))
    summary = _summarise(n, outputs, cpu, max(rss_samples), join_seconds, duration, rate)
    if profile is not None:
        summary['profile'] = profile
    return summary


def _summarise(n: int, outputs: list[dict], cpu: float, rss: int, join_seconds: float, duration: float,
               rate: float) -> dict:
    sent = {token: t for out in outputs for token, t in out['sent'].items()}
    received = {int(o): r for out in outputs for o, r in out['received'].items()}
    latencies, expected, delivered = [], 0, 0
    for observer, tokens in received.items():
        others = [t for t in sent if int(t.split('.')[0]) != observer]
        expected += len(others)
        for token in others:
            if token in tokens:
                delivered += 1
                latencies.append((tokens[token] - sent[token]) * 1000)
    joined = sum(out['joined'] for out in outputs)
    failures = [f for out in outputs for f in out['failures']]
    stats = percentiles(latencies)
    fraction = delivered / expected if expected else 0.0
    broke = joined < n or fraction < BREAK_DELIVERED or stats['p95'] is None or stats['p95'] > BREAK_P95_MS
    reason = None
    if joined < n:
        reason = f'{n - joined} authors could not join ({failures[:1]})'
    elif fraction < BREAK_DELIVERED:
        reason = f'only {fraction:.1%} of edits delivered'
    elif broke:
        reason = f'p95 {stats["p95"]:.0f} ms over {BREAK_P95_MS:.0f} ms'
    return {'n': n, 'joined': joined, 'join_seconds': round(join_seconds, 2), 'edits_sent': len(sent),
            'edits_per_s': round(len(sent) / duration, 1), 'deliveries_measured': delivered,
            'delivered_fraction': round(fraction, 4), **{f'{k}_ms': v for k, v in stats.items()},
            'server_cpu_cores': round(cpu, 3), 'server_rss_bytes': rss,
            'client_cpu_seconds': round(sum(out['cpu_seconds'] for out in outputs), 2),
            'join_retries': sum(out.get('join_retries', 0) for out in outputs),
            'broke': broke, 'reason': reason, 'latencies_sample_ms': latencies[::max(1, len(latencies) // 2000)]}


async def sweep(kind: str, server, ns: list[int], *, duration: float, time_budget: float,
                new_room, profile_at: int | None = None, profile_dir: Path | None = None,
                grace: float = 2.0, workers: int = WORKERS) -> dict:
    """Run the steps in order until one breaks or the time budget is spent."""
    steps, started = [], time.monotonic()
    for n in ns:
        if time.monotonic() - started > time_budget:
            break
        room = new_room()
        url = server.url if kind.startswith('ours') else server.ws_url
        pid = server.process.pid
        profile_path = profile_dir / f'py-spy-{kind}-{n}.txt' if profile_at == n and profile_dir else None
        step = await run_step(kind, url, room, n, server_pid=pid, duration=duration, profile_path=profile_path,
                              grace=grace, workers=workers)
        steps.append(step)
        print(f'  fan-out {kind:>16} N={n:<4} p95={step.get("p95_ms")} ms cpu={step.get("server_cpu_cores")} '
              f'delivered={step.get("delivered_fraction")} {step.get("reason") or ""}', file=sys.stderr, flush=True)
        if step['broke']:
            break
    ok = [s['n'] for s in steps if not s['broke']]
    within = [s['n'] for s in steps if not s['broke'] and s['p95_ms'] is not None and s['p95_ms'] <= 100]
    return {'steps': steps, 'ceiling': max(ok) if ok else 0, 'max_n_p95_within_100ms': max(within) if within else 0,
            'broke_at': next((s['n'] for s in steps if s['broke']), None)}


def new_ws_room() -> str:
    return f'fanout-{uuid.uuid4().hex[:8]}'


def new_app_room(server) -> tuple[str, str]:
    """A new interview: its id and the candidate link's key the authors join with."""
    response = httpx.post(f'{server.url}/api/interviews', json={'title': 'fan-out', 'language': 'plaintext'},
                          timeout=30)
    response.raise_for_status()
    created = response.json()
    return created['id'], created.get('candidate_key')  # no key: a baseline build from before private links

"""Capacity: how many concurrent interviews one instance carries, and three behind haproxy.

    python -m tools.bench.capacity [--instances 1 3] [--steps 50,100,...] [--seconds 15] [--json FILE] [--quick]

The workload of real interviews: K rooms, two tabs each (protocol-level peers, tools/bench/capacity_worker.py:
keystrokes in bursts, 2 a second on average per tab, each with its cursor's awareness update and `cursor` event,
typing presence, a heartbeat every second). The rooms grow in steps (the tabs of earlier steps keep typing); at each
step the keystrokes of a window are timed from one tab to the other, and the instances' CPU and RSS are sampled.
A step passes when every tab joined, 99 % of its keystrokes arrived within the grace, and the keystroke p99 is at
most 50 ms. After the first failing step the rooms shrink and grow between the last pass and it (bisection), so the
figure is the largest K that passed. With --all-steps every step is measured anyway (no bisection): the CPU and RSS
one room costs at larger K, when other processes on the machine make the latency fail early.

Everything runs on a real cluster (tools.cluster: redis-server, PostgreSQL, the instances, haproxy). With one
instance the tabs join it directly; with several they join through the proxy (its cookie pins each tab, and the two
tabs of a room often land on different instances: the Redis relay carries their keystrokes). The tabs run in two
worker processes on the same machine: their CPU is reported too, since they share the cores with the server.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tools.cluster import Cluster

from .servers import ROOT
from .stats import percentile

P99_LIMIT_MS = 50.0
DELIVERED_AT_LEAST = 0.99
WORKERS = 2
DEFAULT_STEPS = [25, 50, 100, 150, 200, 300, 400, 600]


class Workers:
    """The worker processes, each holding its share of the rooms (both tabs of a room in one worker)."""

    def __init__(self, url: str, count: int = WORKERS, without: list[str] | None = None) -> None:
        self.url = url
        self.without = without or []
        self.count = count
        self.processes: list[asyncio.subprocess.Process] = []
        self.rooms: list[list[tuple[str, str]]] = [[] for _ in range(count)]

    async def start(self) -> None:
        for _ in range(self.count):
            process = await asyncio.create_subprocess_exec(
                sys.executable, '-m', 'tools.bench.capacity_worker', json.dumps({'url': self.url, 'without': self.without}), cwd=ROOT,
                env={k: v for k, v in os.environ.items() if not k.startswith('PYTEST')},
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=64 * 1024 * 1024)
            self.processes.append(process)
            await self._answer(process, 60)

    @property
    def size(self) -> int:
        return sum(len(rooms) for rooms in self.rooms)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    async def resize(self, k: int, new_room) -> dict:
        """Grow to k rooms (new interviews, dealt round-robin) or shrink to k (each worker closes its last ones)."""
        if k >= self.size:
            shares: list[list[tuple[str, str]]] = [[] for _ in range(self.count)]
            for n in range(self.size, k):
                shares[n % self.count].append(await new_room())
            answers = await asyncio.gather(*(self._ask(i, {'cmd': 'grow', 'rooms': share}, 600)
                                             for i, share in enumerate(shares)))
            for i, share in enumerate(shares):
                self.rooms[i] += share[:answers[i]['joined']]
            return {'failures': [f for a in answers for f in a['failures']],
                    'not_joined': sum(len(s) for s in shares) - sum(a['joined'] for a in answers)}
        target = [k // self.count + (1 if i < k % self.count else 0) for i in range(self.count)]
        await asyncio.gather(*(self._ask(i, {'cmd': 'shrink', 'count': max(0, len(self.rooms[i]) - target[i])}, 120)
                               for i in range(self.count)))
        self.rooms = [rooms[:max(0, t)] for rooms, t in zip(self.rooms, target)]
        return {'failures': [], 'not_joined': 0}

    async def measure(self, seconds: float) -> list[dict]:
        return list(await asyncio.gather(*(self._ask(i, {'cmd': 'measure', 'seconds': seconds}, seconds + 120)
                                           for i in range(self.count))))

    async def stop(self) -> None:
        for i, process in enumerate(self.processes):
            try:
                await self._ask(i, {'cmd': 'stop'}, 60)
                await asyncio.wait_for(process.wait(), 30)
            except (asyncio.TimeoutError, BrokenPipeError, ConnectionResetError, ValueError):
                if process.returncode is None:
                    process.kill()

    async def _ask(self, index: int, command: dict, timeout: float) -> dict:
        process = self.processes[index]
        process.stdin.write((json.dumps(command) + '\n').encode())
        await process.stdin.drain()
        return await self._answer(process, timeout)

    @staticmethod
    async def _answer(process: asyncio.subprocess.Process, timeout: float) -> dict:
        line = await asyncio.wait_for(process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f'capacity worker {process.pid} exited ({process.returncode})')
        return json.loads(line)


class Sampler:
    """CPU seconds and RSS of a set of processes (the instances), each on its own, over a window."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]

    def cpu(self) -> list[float]:
        return [sum(p.cpu_times()[:2]) for p in self.processes]

    def rss(self) -> list[int]:
        return [p.memory_info().rss for p in self.processes]


async def run_step(k: int, workers: Workers, sampler: Sampler, new_room, seconds: float, baseline_rss: list[int],
                   idle_cpu: float) -> dict:
    grown = await workers.resize(k, new_room)
    await asyncio.sleep(3.0)  # the new tabs' joins and first bursts settle
    cpu_before, started = sampler.cpu(), time.monotonic()
    workers_cpu_before = [sum(psutil.Process(pid).cpu_times()[:2]) for pid in workers.pids]
    answers = await workers.measure(seconds)
    # the workers answer after their grace: the server's CPU is taken over the window plus the grace
    elapsed = time.monotonic() - started
    cpu = [(after - before) / elapsed for before, after in zip(cpu_before, sampler.cpu())]
    workers_cpu = sum(sum(psutil.Process(pid).cpu_times()[:2]) - before
                      for pid, before in zip(workers.pids, workers_cpu_before)) / elapsed
    rss = sampler.rss()
    latencies = [v for answer in answers for v in answer['latencies_ms']]
    sent = sum(answer['sent'] for answer in answers)
    delivered = len(latencies) / sent if sent else 0.0
    p99 = percentile(latencies, 99)
    rooms = workers.size
    reasons = []
    if rooms < k:
        reasons.append(f'{k - rooms} rooms could not join ({grown["failures"][:1]})')
    if delivered < DELIVERED_AT_LEAST:
        reasons.append(f'only {delivered:.1%} of keystrokes arrived')
    if p99 is None or p99 > P99_LIMIT_MS:
        reasons.append(f'p99 {p99} ms over {P99_LIMIT_MS:g} ms')
    return {'k': k, 'rooms': rooms, 'tabs': 2 * rooms, 'keystrokes': sent,
            'keystrokes_per_s': round(sent / seconds, 1), 'delivered': round(delivered, 4),
            'p50_ms': _r(percentile(latencies, 50)), 'p99_ms': _r(p99), 'max_ms': _r(max(latencies, default=None)),
            'server_cpu_cores': round(sum(cpu), 3), 'server_cpu_cores_each': [round(c, 3) for c in cpu],
            'cpu_ms_per_room_s': round(sum(cpu) * 1000 / rooms, 3) if rooms else None,
            # what the rooms add to the instances' idle CPU (health checks, liveness, sweeps), per room
            'marginal_cpu_ms_per_room_s': round((sum(cpu) - idle_cpu) * 1000 / rooms, 3) if rooms else None,
            'server_rss_mb': round(sum(rss) / 2**20, 1),
            'rss_kb_per_room': round((sum(rss) - sum(baseline_rss)) / 1024 / rooms, 1) if rooms else None,
            'tabs_cpu_cores': round(workers_cpu, 3), 'load_average': round(os.getloadavg()[0], 2),
            'passed': not reasons, 'reason': '; '.join(reasons) or None}


async def ramp(instances: int, steps: list[int], seconds: float, bisect: int, log, all_steps: bool = False,
               without: list[str] | None = None) -> dict:
    state = Path(tempfile.mkdtemp(prefix='pairpad-bench-capacity-'))  # under /tmp: PostgreSQL's user reaches it
    cluster = Cluster(state, instances=instances, durable=False)
    try:
        urls = cluster.start()
        url = urls['instances'][0] if instances == 1 else urls['proxy']
        api = httpx.AsyncClient(timeout=30)
        made = [0]

        async def new_room() -> tuple[str, str]:
            """Straight to an instance (they share the database): haproxy may just have marked a busy one down."""
            made[0] += 1
            base = urls['instances'][made[0] % instances]
            response = await api.post(f'{base}/api/interviews', json={'title': 'capacity', 'language': 'plaintext'})
            response.raise_for_status()
            return response.json()['id'], response.json()['candidate_key']

        sampler = Sampler([part.pid for part in cluster.instances])
        baseline_rss = sampler.rss()
        workers = Workers(url, without=without)
        await workers.start()
        before, started = sampler.cpu(), time.monotonic()
        await asyncio.sleep(min(seconds, 10.0))  # the instances with no room: their fixed cost
        idle_cpu = sum(after - b for b, after in zip(before, sampler.cpu())) / (time.monotonic() - started)
        log({'idle_server_cpu_cores': round(idle_cpu, 3)})
        results: list[dict] = []
        try:
            passed, failed, broke = 0, None, None
            for k in steps:
                try:
                    step = await run_step(k, workers, sampler, new_room, seconds, baseline_rss, idle_cpu)
                except (httpx.HTTPError, RuntimeError, asyncio.TimeoutError) as error:  # a result, not a crash
                    broke = {'k': k, 'broke': f'{type(error).__name__}: {error}'[:300]}
                    log(broke)
                    failed = k if failed is None else failed
                    break
                results.append(step)
                log(step)
                if not step['passed'] and failed is None:
                    failed = k
                    if not all_steps:
                        break
                elif failed is None:
                    passed = k
            for _ in range(bisect if failed is not None and not all_steps else 0):
                k = (passed + failed) // 2
                if failed - passed <= max(5, passed // 20):
                    break
                step = await run_step(k, workers, sampler, new_room, seconds, baseline_rss, idle_cpu)
                results.append(step)
                log(step)
                passed, failed = (k, failed) if step['passed'] else (passed, k)
        finally:
            await workers.stop()
            await api.aclose()
    finally:
        cluster.stop()
        shutil.rmtree(state, ignore_errors=True)
    # the largest K below which every step passed (with --all-steps a later step may pass again by luck)
    ordered = sorted(results, key=lambda s: s['k'])
    first_fail = next((s['k'] for s in ordered if not s['passed']), None)
    best = max((s for s in ordered if s['passed'] and (first_fail is None or s['k'] < first_fail)),
               key=lambda s: s['k'], default=None)
    biggest = max(results, key=lambda s: s['rooms'], default=None)
    cores = psutil.cpu_count()
    return {'instances': instances, 'machine_cores': cores, 'idle_server_cpu_cores': round(idle_cpu, 3),
            'steps': results, 'broke': broke,
            'largest_k': best['k'] if best else 0, 'at_largest': best,
            'largest_k_per_instance': round((best['k'] if best else 0) / instances, 1),
            'largest_k_per_machine_core': round((best['k'] if best else 0) / cores, 1),
            'largest_k_per_server_cpu_core': round(best['k'] / best['server_cpu_cores'], 1)
            if best and best['server_cpu_cores'] else None,
            # the server CPU one room adds at the largest K measured, as the rooms one fully used core would carry
            # beside an instance's idle cost: a projection, free of the latency noise other processes on the machine
            # add (not a measured capacity)
            'projected_rooms_per_server_core': round((1000 - idle_cpu * 1000 / instances)
                                                     / biggest['marginal_cpu_ms_per_room_s'], 1)
            if biggest and biggest['marginal_cpu_ms_per_room_s'] and biggest['marginal_cpu_ms_per_room_s'] > 0 else None,
            'limited_by': next((s['reason'] for s in results if not s['passed']), 'the last step (raise --steps)')}


def table(outcomes: list[dict]) -> str:
    lines = ['| instances | K | tabs | keystrokes/s | p50 ms | p99 ms | delivered | server CPU (cores) | CPU ms/room/s '
             '| marginal CPU ms/room/s | server RSS MB | RSS KB/room | tabs CPU | load | passed |',
             '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |']
    for outcome in outcomes:
        for s in outcome['steps']:
            lines.append(f'| {outcome["instances"]} | {s["k"]} | {s["tabs"]} | {s["keystrokes_per_s"]} | {s["p50_ms"]} '
                         f'| {s["p99_ms"]} | {s["delivered"]:.2%} | {s["server_cpu_cores"]} | {s["cpu_ms_per_room_s"]} '
                         f'| {s.get("marginal_cpu_ms_per_room_s")} | {s["server_rss_mb"]} | {s["rss_kb_per_room"]} | {s["tabs_cpu_cores"]} '
                         f'| {s["load_average"]} | {"yes" if s["passed"] else "no: " + s["reason"]} |')
    return '\n'.join(lines)


def _progress(step: dict) -> None:
    if 'passed' not in step:
        print(f'  {step}', file=sys.stderr, flush=True)
        return
    print(f'  K={step["k"]:<4} p99={step["p99_ms"]} ms cpu={step["server_cpu_cores"]} '
          f'delivered={step["delivered"]} {step["reason"] or "passed"}', file=sys.stderr, flush=True)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def main(args: argparse.Namespace) -> dict:
    outcomes = []
    for instances in args.instances:
        print(f'capacity: {instances} instance(s), steps {args.steps}', file=sys.stderr, flush=True)
        outcomes.append(await ramp(instances, args.steps, args.seconds, args.bisect,
                                   _progress, args.all_steps, args.without))
    return {'workload': {'tabs_per_room': 2, 'keystrokes_per_s_per_tab': 2.0, 'p99_limit_ms': P99_LIMIT_MS,
                         'window_s': args.seconds, 'without': args.without},
            'started_load_average': args.load, 'results': outcomes}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m tools.bench.capacity', description=__doc__.split('\n\n')[0])
    parser.add_argument('--instances', type=int, nargs='+', default=[1, 3])
    parser.add_argument('--steps', type=lambda v: [int(k) for k in v.split(',')], default=DEFAULT_STEPS)
    parser.add_argument('--seconds', type=float, default=15.0, help='the measured window of each step')
    parser.add_argument('--bisect', type=int, default=2, help='bisection steps after the first failing step')
    parser.add_argument('--all-steps', action='store_true',
                        help='measure every step even after one failed (CPU and RSS per room at larger K); no bisection')
    parser.add_argument('--without', type=lambda v: [e for e in v.split(',') if e], default=[],
                        help='leave out events of each keystroke (awareness, cursor, typing): what does it cost?')
    parser.add_argument('--quick', action='store_true', help='a tiny run (K = 2, 4; one instance): the test')
    parser.add_argument('--json', type=Path)
    args = parser.parse_args(argv)
    if args.quick:
        args.instances, args.steps, args.seconds, args.bisect = [1], [2, 4], 4.0, 0
    args.load = round(os.getloadavg()[0], 2)
    return args


if __name__ == '__main__':
    arguments = parse()
    outcome = asyncio.run(main(arguments))
    print(json.dumps(outcome, indent=1))
    print(table(outcome['results']), file=sys.stderr)
    if arguments.json:
        arguments.json.write_text(json.dumps(outcome, indent=1))

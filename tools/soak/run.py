"""The soak run behind `python -m tools.soak [--peers 30] [--rate 5] [--minutes 10] [--workers 3] [--json PATH]
[--starve-server SECONDS]`

Starts the real app (a subprocess with its own SQLite database) and joins N headless peers that speak the app's
socket protocol (peers.SocketPeer with reconnection on, as a browser tab), spread over worker processes so the
peers' own CPU does not starve their sockets. Each peer types `rate` characters per second at random places for
the given time, from an alphabet of its own (1-, 2-, 3- and 4-byte UTF-8 characters), and keeps typing while it is
disconnected, as a person would. One peer per worker applies everything it receives (and types at the start of
the text); the others type at random places of what they hold, only read what they receive off the socket and
answer the server's sync step 1 with their own edits (peers.SocketPeer, apply_remote=False): a pycrdt peer that
holds the whole document pays O(document) per keystroke at a random place, which starved the peers' event loops
before (docs/resilience.md, soak).

Afterwards: every peer has to be connected again, the server's text (REST) has to hold exactly what was typed
(each peer's characters counted separately), and every peer, after one more sync handshake, has to hold exactly
the server's text. Reported: disconnects and reconnections, the server's memory (after the join, at the end of the
typing, after the final sync) against the size of the document, the memory a pycrdt document of that state
takes, and what a fresh server holding the same document uses; CPU of the server, the peers and the rest of the
machine; the peers' event-loop lag.

`--starve-server` is chaos: halfway through, the server only runs a tenth of the time for a while, as on a
machine busy with other work. That is what made peers drop before (docs/resilience.md, soak): the Engine.IO
server gives up on a socket whose PONG it has not processed 4 s after queueing its PING.
"""

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from tools.peers.socket_peer import SocketPeer
from tools.app_server import AppServer

MB = 2 ** 20
JOIN_TIMEOUT = 60.0
RECONNECT_WAIT = 120.0     # after the typing: how long the peers may take to be connected and synced again
CONVERGE_WAIT = 120.0      # how long the server's text may take to hold everything typed


def alphabet(index: int) -> str:
    """Characters only peer `index` types: one each of 1, 2, 3 and 4 UTF-8 bytes (the 4-byte one is 2 UTF-16
    units), so every character in the final text says who typed it."""
    ascii_chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
    return (ascii_chars[index % len(ascii_chars)] + chr(0x100 + index) + chr(0x4E00 + index) + chr(0x1F600 + index)) \
        if index < len(ascii_chars) else (chr(0x100 + index) + chr(0x4E00 + index) + chr(0x1F600 + index))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- worker processes ------------------------------------------------------------------------------------------

async def _work(url: str, interview_id: str, key: str, specs: list[tuple[str, str]], rate: float, seconds: float, seed: int,
                commands, results, worker: int) -> None:
    rng = random.Random(seed)
    me = psutil.Process()
    group: list[SocketPeer] = []
    for i, (name, _) in enumerate(specs):
        # The first peer of each worker applies everything it receives (the observer); the others only count it.
        group.append(await SocketPeer.join(url, interview_id, name, key=key, apply_remote=i == 0, reconnect=True,
                                           timeout=JOIN_TIMEOUT))
    results.put(('joined', worker, len(group)))
    _, start_at = await asyncio.to_thread(commands.get)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    start, start_wall = time.monotonic(), time.time()
    cpu_start = sum(me.cpu_times()[:2])
    lags: list[float] = []

    async def measure_lag() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            lags.append(now - last - 0.1)
            last = now

    lag_task = asyncio.create_task(measure_lag())
    typed: dict[str, Counter] = {name: Counter() for name, _ in specs}
    typed_offline: Counter = Counter()

    async def type_for(peer: SocketPeer, chars: str) -> None:
        name = peer.participant['name']
        next_at = time.monotonic()
        while time.monotonic() - start < seconds:
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            char = rng.choice(chars)
            if not peer.connected:
                typed_offline[name] += 1
            # Offline too: the local document keeps it. A peer that applies what it receives holds the whole document,
            # where a random place costs two conversions to str per keystroke (O(document)): it types at the start.
            if peer.apply_remote:
                await peer.insert_utf8(0, char)
            else:
                await peer.insert(rng.randint(0, len(peer.text)), char)
            typed[name][char] += 1

    await asyncio.gather(*(type_for(peer, chars) for peer, (_, chars) in zip(group, specs)))
    typing_s = time.monotonic() - start
    cpu_typing = sum(me.cpu_times()[:2]) - cpu_start
    deadline = time.monotonic() + RECONNECT_WAIT
    while time.monotonic() < deadline and not all(peer.connected and not peer.reconnecting for peer in group):
        await asyncio.sleep(0.2)
    lag_task.cancel()
    results.put(('typed', worker, {
        'typed': {name: dict(counter) for name, counter in typed.items()},
        'typed_offline': dict(typed_offline),
        'disconnects': {peer.participant['name']: [
            {'at': round(d.at - start_wall, 1), 'reason': d.reason,
             'offline_s': None if d.offline_s is None else round(d.offline_s, 1), 'attempts': d.attempts}
            for d in peer.disconnects] for peer in group},
        'connected': {peer.participant['name']: peer.connected and not peer.reconnecting for peer in group},
        'lag_max': max(lags, default=0.0),
        'lag_p99': sorted(lags)[int(len(lags) * 0.99)] if lags else 0.0,
        'lags_over_1s': sum(1 for lag in lags if lag > 1.0),
        'cpu_percent': 100 * cpu_typing / typing_s,
        'rejections': sum(1 for peer in group for n in peer.notifications if 'could not be applied' in n),
        'notifications': [n for peer in group for n in peer.notifications][:5],
    }))
    await asyncio.to_thread(commands.get)  # 'sync': the server holds everything; every peer asks for all of it
    synced: dict[str, dict] = {}
    for peer in group:
        name = peer.participant['name']
        for attempt in range(1, 4):  # a peer may drop meanwhile (a busy machine): it reconnects, then asks again
            deadline = time.monotonic() + RECONNECT_WAIT
            while time.monotonic() < deadline and not (peer.connected and not peer.reconnecting):
                await asyncio.sleep(0.2)
            try:
                await peer.sync(timeout=60)
            except AssertionError as e:
                synced[name] = {'error': str(e), 'connected': peer.connected, 'attempts': attempt}
                continue
            synced[name] = {'length': len(peer.text), 'digest': digest(peer.text), 'connected': peer.connected,
                            'attempts': attempt}
            break
    state = group[0].client.doc.get_update()
    results.put(('synced', worker, {'peers': synced, 'state': state}))
    await asyncio.to_thread(commands.get)  # 'close'
    for peer in group:
        await peer.close()


def _worker(url, interview_id, key, specs, rate, seconds, seed, commands, results, worker) -> None:
    try:
        asyncio.run(_work(url, interview_id, key, specs, rate, seconds, seed, commands, results, worker))
    except BaseException as e:  # the main process must hear of it rather than wait for a report
        results.put(('failed', worker, f'{type(e).__name__}: {e}'))
        raise


# -- measurements in the main process --------------------------------------------------------------------------

def _collect(results, kind: str, workers: int, timeout: float) -> dict[int, object]:
    got: dict[int, object] = {}
    deadline = time.monotonic() + timeout
    while len(got) < workers:
        try:
            what, worker, payload = results.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f'workers {sorted(set(range(workers)) - set(got))} sent no {kind!r} report '
                               f'within {timeout:.0f} s') from None
        if what == 'failed':
            raise RuntimeError(f'worker {worker} failed: {payload}')
        if what != kind:
            raise RuntimeError(f'expected {kind!r} from worker {worker}, got {what!r}')
        got[worker] = payload
    return got


DOC_MEMORY = '''
import gc, sys, psutil
from pycrdt import Doc, Text
state = open(sys.argv[1], 'rb').read()
process = psutil.Process()
warm = Doc()  # the first document of a process allocates more than its content (the Rust side's arenas)
warm.get('code', type=Text).insert(0, 'x')
str(warm.get('code', type=Text))
gc.collect()
before = process.memory_info().rss
doc = Doc()
doc.apply_update(state)
text = str(doc.get('code', type=Text))
gc.collect()
print(process.memory_info().rss - before)
'''


def document_memory(state: bytes) -> int:
    """RSS a fresh process gains by holding a pycrdt Doc of this state (and its text once as a str)."""
    with tempfile.NamedTemporaryFile(suffix='.yjs') as file:
        file.write(state)
        file.flush()
        out = subprocess.run([sys.executable, '-c', DOC_MEMORY, file.name], capture_output=True, text=True,
                             check=True).stdout
    return int(out.strip())


def fresh_server_memory(server: AppServer, interview_id: str) -> tuple[int, int]:
    """Restart the server on the same database: RSS idle, and with the room loaded by one peer."""
    server.start()
    try:
        process = psutil.Process(server.process.pid)
        time.sleep(3)
        idle = process.memory_info().rss

        async def one_peer() -> int:
            peer = await SocketPeer.join(server.url, interview_id, 'Memory probe', key=server.key(interview_id, 'candidate'),
                                        timeout=JOIN_TIMEOUT)
            await asyncio.sleep(3)
            rss = process.memory_info().rss
            await peer.close()
            return rss

        return idle, asyncio.run(one_peer())
    finally:
        server.stop()


class CpuMeter:
    """CPU seconds of the server, of the peers' processes and of the whole machine over an interval."""

    def __init__(self, server: psutil.Process, workers: list[psutil.Process]) -> None:
        self.server, self.workers = server, workers
        self.start = self.last = self._read()

    def _read(self) -> tuple[float, float, float, float]:
        system = psutil.cpu_times()
        busy = system.user + system.nice + system.system + getattr(system, 'irq', 0) + getattr(system, 'softirq', 0)
        return (time.monotonic(), sum(self.server.cpu_times()[:2]),
                sum(sum(w.cpu_times()[:2]) for w in self.workers), busy)

    def percent(self, since: tuple | None = None) -> dict[str, float]:
        """Since the start, or since `since` (see `interval`)."""
        start, now = since or self.start, self._read()
        wall = now[0] - start[0]
        server, peers, machine = ((now[i] - start[i]) / wall * 100 for i in (1, 2, 3))
        return {'server': server, 'peers': peers, 'machine': machine, 'others': max(0.0, machine - server - peers),
                'cores': psutil.cpu_count()}

    def interval(self) -> dict[str, float]:
        """Since the previous call."""
        since, self.last = self.last, self._read()
        return self.percent(since)


# -- the run ---------------------------------------------------------------------------------------------------

def soak(peers: int, rate: float, seconds: float, workers: int, seed: int, json_path: str | None = None,
         starve: float = 0.0) -> int:
    context = multiprocessing.get_context('spawn')
    workers = max(1, min(workers, peers))
    report: dict = {'peers': peers, 'workers': workers, 'rate': rate, 'seconds': seconds, 'starve_s': starve,
                    'started': time.time()}
    with tempfile.TemporaryDirectory() as data:
        server = AppServer(Path(data), env={'PAIRPAD_MAX_PARTICIPANTS': str(peers + 5),
                                            'PAIRPAD_MAX_CONNECTIONS': str(peers + 5)}).start()
        procs: list = []
        try:
            process = psutil.Process(server.process.pid)
            interview = server.create_interview(language='plaintext')
            start_text = server.interview(interview['id'])['code']
            specs = [(f'Soak {i}', ''.join(c for c in alphabet(i) if c not in start_text)) for i in range(peers)]
            results = context.Queue()
            commands = [context.Queue() for _ in range(workers)]
            procs = [context.Process(target=_worker, args=(server.url, interview['id'], interview['candidate_key'],
                                                           specs[w::workers], rate, seconds, seed + w, commands[w],
                                                           results, w))
                     for w in range(workers)]
            for proc in procs:
                proc.start()
            _collect(results, 'joined', workers, JOIN_TIMEOUT * (peers / workers + 1))
            print(f'soak: {peers} peers joined in {workers} worker processes; typing {rate:g}/s each for '
                  f'{seconds:.0f} s', flush=True)
            rss = {'joined': process.memory_info().rss}
            cpu = CpuMeter(process, [psutil.Process(p.pid) for p in procs])
            load_before = os.getloadavg()
            for queue_ in commands:
                queue_.put(('type', time.time() + 0.5))
            samples, cpu_samples, begin = [], [], time.monotonic()
            stall_at = seconds / 2 if starve > 0 else None
            while time.monotonic() - begin < seconds:
                time.sleep(min(10.0, max(0.1, seconds - (time.monotonic() - begin)),
                               max(0.1, (stall_at or seconds) - (time.monotonic() - begin))))
                if stall_at is not None and time.monotonic() - begin >= stall_at:
                    # Chaos: the server gets a tenth of the time for a while, as on a machine busy with other work
                    # (SIGSTOP 0.9 s, SIGCONT 0.1 s, repeated)
                    print(f'soak: starving the server (running 0.1 s of every second) for {starve:g} s', flush=True)
                    until = time.monotonic() + starve
                    while time.monotonic() < until:
                        process.suspend()
                        time.sleep(0.9)
                        process.resume()
                        time.sleep(0.1)
                    stall_at = None
                samples.append((round(time.monotonic() - begin), process.memory_info().rss))
                cpu_samples.append((samples[-1][0], {k: round(v) for k, v in cpu.interval().items() if k != 'cores'}))
                if len(samples) % 6 == 0:
                    print(f'soak: {samples[-1][0]} s, server RSS {samples[-1][1] / MB:.1f} MB', flush=True)
            rss['typing_end'] = process.memory_info().rss
            cpu_typing = cpu.percent()
            load_after = os.getloadavg()
            typed_reports = _collect(results, 'typed', workers, seconds + RECONNECT_WAIT + 60)

            typed = {name: Counter(counts) for r in typed_reports.values() for name, counts in r['typed'].items()}
            expected = Counter(start_text) + sum(typed.values(), Counter())
            total_typed = sum(sum(c.values()) for c in typed.values())
            deadline = time.monotonic() + CONVERGE_WAIT
            server_text = server.interview(interview['id'])['code']
            while Counter(server_text) != expected and time.monotonic() < deadline:
                time.sleep(0.5)
                server_text = server.interview(interview['id'])['code']
            missing = {name: sum((counts - Counter({c: Counter(server_text)[c] for c in counts})).values())
                       for name, counts in typed.items()}
            surplus = sum((Counter(server_text) - expected).values())

            for queue_ in commands:
                queue_.put(('sync',))
            synced_reports = _collect(results, 'synced', workers, 300)
            rss['synced'] = process.memory_info().rss
            final_text = server.interview(interview['id'])['code']
            peer_states = {name: s for r in synced_reports.values() for name, s in r['peers'].items()}
            same_as_server = {name: s.get('digest') == digest(final_text) and s.get('length') == len(final_text)
                              for name, s in peer_states.items()}
            different = {name: {**peer_states[name], 'server_length': len(final_text)}
                         for name, same in same_as_server.items() if not same}
            state = max((r['state'] for r in synced_reports.values()), key=len)
            for queue_ in commands:
                queue_.put(('close',))
            for proc in procs:
                proc.join(30)

            drops = [dict(d, peer=name) for r in typed_reports.values() for name, ds in r['disconnects'].items()
                     for d in ds]
            connected_at_end = sum(v for r in typed_reports.values() for v in r['connected'].values())
            server_has_all = Counter(server_text) == expected
            converged = server_has_all and final_text == server_text and all(same_as_server.values()) \
                and connected_at_end == peers

            server.stop()  # a clean shutdown flushes and compacts; then the same database in a fresh server
            doc_rss = document_memory(state)
            fresh_idle, fresh_loaded = fresh_server_memory(server, interview['id'])

            offline = [d['offline_s'] for d in drops if d['offline_s'] is not None]
            report.update({
                'typed': total_typed, 'typed_per_s': total_typed / seconds, 'target_per_s': peers * rate,
                'typed_offline': sum(sum(r['typed_offline'].values()) for r in typed_reports.values()),
                'disconnects': len(drops), 'reconnections': len(offline),
                'disconnect_reasons': dict(Counter(d['reason'] for d in drops)),
                'disconnect_times_s': sorted(d['at'] for d in drops),
                'offline_s': {'min': min(offline), 'median': statistics.median(offline), 'max': max(offline)}
                if offline else None,
                'connected_at_end': connected_at_end,
                'server_has_every_typed_character': server_has_all,
                'peers_missing_characters': {n: m for n, m in missing.items() if m},
                'server_surplus_characters': surplus,
                'peers_equal_to_server': sum(same_as_server.values()),
                'peers_different_from_server': different,
                'final_sync_attempts': dict(Counter(s.get('attempts') for s in peer_states.values())),
                'converged': converged,
                'document_chars': len(final_text), 'document_utf8_bytes': len(final_text.encode()),
                'document_state_bytes': len(state),
                'rss_mb': {'joined': rss['joined'] / MB, 'typing_end': rss['typing_end'] / MB,
                           'synced': rss['synced'] / MB, 'max': max(r for _, r in samples) / MB},
                'rss_growth_mb': (rss['typing_end'] - rss['joined']) / MB,
                'rss_samples': [(t, round(r / MB, 1)) for t, r in samples],
                'document_rss_mb': doc_rss / MB,
                'fresh_server_mb': {'idle': fresh_idle / MB, 'room_loaded_one_peer': fresh_loaded / MB},
                'cpu_percent': cpu_typing, 'load_average': {'before': load_before, 'after': load_after},
                'cpu_samples': cpu_samples,
                'others_cpu_before_first_drop': _others_before(cpu_samples, min((d['at'] for d in drops), default=None)),
                'peer_loop_lag_s': {'max': max(r['lag_max'] for r in typed_reports.values()),
                                    'p99': max(r['lag_p99'] for r in typed_reports.values()),
                                    'over_1s': sum(r['lags_over_1s'] for r in typed_reports.values())},
                'peer_rejections': sum(r['rejections'] for r in typed_reports.values()),
            })
            _print(report, drops)
            if json_path:
                Path(json_path).write_text(json.dumps(report, indent=1))
            if not converged or drops:
                Path('/tmp/soak-server.log').write_text(server.log())
                print('soak: server log kept in /tmp/soak-server.log')
            return 0 if converged else 1
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
            server.stop()


def _others_before(cpu_samples: list, at: float | None, window: float = 30.0) -> float | None:
    """Mean CPU of other processes in the sampling intervals ending up to `window` s before a drop was noticed
    (a drop is noticed about 12 s after the server closed the socket)."""
    if at is None:
        return None
    values = [sample['others'] for t, sample in cpu_samples if at - window <= t <= at + 10]
    return sum(values) / len(values) if values else None


def _print(r: dict, drops: list[dict]) -> None:
    print(f'soak: {r["typed"]:,} characters typed in {r["seconds"]:.0f} s by {r["peers"]} peers '
          f'({r["typed_per_s"]:.0f}/s, target {r["target_per_s"]:.0f}/s); {r["typed_offline"]:,} of them while the '
          f'peer was offline or resyncing')
    line = f'soak: disconnects {r["disconnects"]}, reconnections {r["reconnections"]}'
    if drops:
        offline = r['offline_s']
        line += (f' ({", ".join(f"{n}× {reason}" for reason, n in r["disconnect_reasons"].items())}; noticed at '
                 f'{", ".join(f"{t:.0f}" for t in r["disconnect_times_s"][:12])}'
                 f'{" …" if len(drops) > 12 else ""} s')
        if offline:
            line += f'; synced again after {offline["min"]:.1f}–{offline["max"]:.1f} s, median {offline["median"]:.1f} s'
        line += ')'
    print(line + f'; connected at the end {r["connected_at_end"]}/{r["peers"]}')
    differ = f' (different: {r["peers_different_from_server"]})' if r['peers_different_from_server'] else ''
    print(f'soak: server text holds exactly what was typed: {r["server_has_every_typed_character"]} '
          f'(peers missing characters: {r["peers_missing_characters"] or "none"}, surplus '
          f'{r["server_surplus_characters"]}); peers whose final text equals the server\'s: '
          f'{r["peers_equal_to_server"]}/{r["peers"]}{differ}; converged: {r["converged"]}')
    rss, fresh = r['rss_mb'], r['fresh_server_mb']
    print(f'soak: server RSS {rss["joined"]:.1f} MB after the join → {rss["typing_end"]:.1f} MB at the end of the '
          f'typing (growth {r["rss_growth_mb"]:+.1f} MB, max {rss["max"]:.1f} MB), {rss["synced"]:.1f} MB after the '
          f'final sync of every peer')
    print(f'soak: document {r["document_chars"]:,} characters, {r["document_utf8_bytes"] / 1024:.0f} KB of UTF-8, '
          f'Yjs state {r["document_state_bytes"] / 1024:.0f} KB; a pycrdt Doc holding it takes '
          f'{r["document_rss_mb"]:.1f} MB; a fresh server on the same database: {fresh["idle"]:.1f} MB idle, '
          f'{fresh["room_loaded_one_peer"]:.1f} MB with the room loaded and one peer')
    cpu, lag = r['cpu_percent'], r['peer_loop_lag_s']
    others = max((sample['others'] for _, sample in r['cpu_samples']), default=0)
    before = r['others_cpu_before_first_drop']
    print(f'soak: CPU while typing (% of one core; {cpu["cores"]} cores): server {cpu["server"]:.0f} %, peers '
          f'{cpu["peers"]:.0f} %, other processes {cpu["others"]:.0f} % (max {others:.0f} % over 10 s'
          f'{"" if before is None else f", {before:.0f} % around the first drop"}); load average '
          f'{r["load_average"]["before"][0]:.1f} → {r["load_average"]["after"][0]:.1f}; peers\' event-loop lag '
          f'max {lag["max"]:.2f} s, p99 {lag["p99"] * 1000:.0f} ms')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m tools.soak', description=__doc__.split('\n\n')[1])
    parser.add_argument('--peers', type=int, default=30)
    parser.add_argument('--rate', type=float, default=5.0, help='characters per second per peer')
    parser.add_argument('--minutes', type=float, default=10.0)
    parser.add_argument('--workers', type=int, default=3, help='processes the peers are spread over')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', help='also write every figure to this JSON file')
    parser.add_argument('--starve-server', type=float, default=0.0, metavar='SECONDS',
                        help='chaos: halfway through the typing, let the server run only 0.1 s of every second '
                             '(SIGSTOP/SIGCONT) for this long')
    args = parser.parse_args(argv)
    return soak(args.peers, args.rate, args.minutes * 60, args.workers, args.seed, args.json, args.starve_server)


if __name__ == '__main__':
    sys.exit(main())

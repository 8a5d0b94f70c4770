"""The soak run behind `python -m soak [--peers 30] [--rate 5] [--minutes 10] [--workers 3]`

Starts the real app (a subprocess with its own SQLite database), joins N headless peers that speak the app's
socket protocol (peers.SocketPeer), spread over worker processes so the peers' own CPU does not starve their
sockets (one observer per worker applies everything it receives; the others only count it), has each type `rate` characters per second at random places for the given time, then checks
convergence. Reports the server's memory over time (growth from the first sample after everyone joined),
disconnects, the edit rate achieved and whether every peer and the server ended with the same text holding
every typed character.
"""

import argparse
import asyncio
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from peers.socket_peer import SocketPeer
from tests.server import AppServer

ALPHABET = 'abcdefghijklmnopqrstuvwxyzé漢😊'


async def _type(url: str, interview_id: str, names: list[str], rate: float, seconds: float, seed: int,
                joined, go) -> dict:
    """One worker: its peers join, wait for everyone, type, then wait for the final text of the room."""
    rng = random.Random(seed)
    # Every peer receives the whole room's traffic; only the first of each worker applies it to a document (the
    # observer that checks convergence), so the load generator's own CPU does not starve its sockets.
    group = [await SocketPeer.join(url, interview_id, name, apply_remote=i == 0) for i, name in enumerate(names)]
    joined.release()
    await asyncio.to_thread(go.wait)
    typed: Counter = Counter()
    disconnects: list[str] = []
    start = time.monotonic()

    async def type_forever(peer: SocketPeer) -> None:
        next_at = time.monotonic()
        while time.monotonic() - start < seconds:
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if not peer.sio.connected:
                disconnects.append(f'{peer.participant["name"]} after {time.monotonic() - start:.0f} s')
                return
            char = rng.choice(ALPHABET)
            await peer.insert(rng.randint(0, len(peer.text)), char)
            typed[char] += 1

    await asyncio.gather(*(type_forever(peer) for peer in group))
    return {'typed': typed, 'disconnects': disconnects, 'group': group}


def _worker(url, interview_id, names, rate, seconds, seed, joined, go, results, total_queue) -> None:
    async def main() -> None:
        outcome = await _type(url, interview_id, names, rate, seconds, seed, joined, go)
        results.put({'typed': outcome['typed'], 'disconnects': outcome['disconnects']})
        expected = total_queue.get()  # the main process tells how long the final text must be
        observer = outcome['group'][0]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(observer.text) != expected:
            await asyncio.sleep(0.2)
        results.put({'texts': [observer.text]})
        for peer in outcome['group']:
            await peer.close()
    asyncio.run(main())


def soak(peers: int, rate: float, seconds: float, workers: int, seed: int) -> int:
    context = multiprocessing.get_context('spawn')
    with tempfile.TemporaryDirectory() as data:
        server = AppServer(Path(data), env={'PAIRPAD_MAX_PARTICIPANTS': str(peers + 5),
                                            'PAIRPAD_MAX_CONNECTIONS': str(peers + 5)}).start()
        try:
            process = psutil.Process(server.process.pid)
            interview = server.create_interview(language='plaintext')
            start_text = server.interview(interview['id'])['code']
            joined, go = context.Semaphore(0), context.Event()
            results, totals = context.Queue(), [context.Queue() for _ in range(workers)]
            names = [f'Soak {i}' for i in range(peers)]
            procs = [context.Process(target=_worker, args=(server.url, interview['id'], names[w::workers], rate,
                                                           seconds, seed + w, joined, go, results, totals[w]))
                     for w in range(workers)]
            for proc in procs:
                proc.start()
            for _ in range(workers):
                joined.acquire(timeout=120)
            print(f'soak: {peers} peers joined in {workers} worker processes; typing {rate}/s each for '
                  f'{seconds:.0f} s', flush=True)
            go.set()
            samples, begin = [], time.monotonic()
            while time.monotonic() - begin < seconds:
                samples.append(process.memory_info().rss)
                time.sleep(min(10.0, seconds / 10))
            reports = [results.get(timeout=seconds + 120) for _ in range(workers)]
            typed = sum((r['typed'] for r in reports), Counter())
            disconnects = [d for r in reports for d in r['disconnects']]
            expected = len(start_text) + sum(typed.values())
            for queue in totals:
                queue.put(expected)
            texts = {text for _ in range(workers) for text in results.get(timeout=180)['texts']}
            for proc in procs:
                proc.join(30)
            server_text = server.interview(interview['id'])['code']
            converged = texts == {server_text} and Counter(server_text) == typed + Counter(start_text)
            print(f'soak: {sum(typed.values())} characters typed in {seconds:.0f} s '
                  f'({sum(typed.values()) / seconds:.0f}/s, target {peers * rate:.0f}/s); '
                  f'disconnects: {len(disconnects)} {disconnects[:5]}')
            print(f'soak: server RSS {samples[0] / 2**20:.1f} MB after join → {samples[-1] / 2**20:.1f} MB at the end '
                  f'(max {max(samples) / 2**20:.1f} MB, growth {(samples[-1] - samples[0]) / 2**20:+.1f} MB); '
                  f'server CPU time {sum(process.cpu_times()[:2]):.1f} s')
            print(f'soak: document {len(server_text)} characters; converged: {converged}')
            if not converged or disconnects:
                Path('/tmp/soak-server.log').write_text(server.log())
                print('soak: server log kept in /tmp/soak-server.log')
            return 0 if converged and not disconnects else 1
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m soak', description=__doc__.split('\n\n')[1])
    parser.add_argument('--peers', type=int, default=30)
    parser.add_argument('--rate', type=float, default=5.0, help='characters per second per peer')
    parser.add_argument('--minutes', type=float, default=10.0)
    parser.add_argument('--workers', type=int, default=3, help='processes the peers are spread over')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    return soak(args.peers, args.rate, args.minutes * 60, args.workers, args.seed)


if __name__ == '__main__':
    sys.exit(main())

"""`python -m soak [--peers 30] [--rate 5] [--minutes 10]`

Starts the real app (a subprocess with its own SQLite database), joins N headless peers that speak the app's
socket protocol (peers.SocketPeer), has each type `rate` characters per second at random places for the given
time, then checks convergence. Reports the server's memory over time (growth from the first sample after
everyone joined), disconnects, the edit rate achieved and whether every peer, the server and the store ended with
the same text holding every typed character.
"""

import argparse
import asyncio
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


async def soak(peers: int, rate: float, seconds: float, seed: int) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as data:
        server = AppServer(Path(data), env={'PAIRPAD_MAX_PARTICIPANTS': str(peers + 5)}).start()
        try:
            process = psutil.Process(server.process.pid)
            interview = server.create_interview(language='plaintext')
            group = [await SocketPeer.join(server.url, interview['id'], f'Soak {i}') for i in range(peers)]
            print(f'soak: {peers} peers joined; typing {rate}/s each for {seconds:.0f} s', flush=True)
            typed: Counter = Counter()
            disconnects = 0
            samples: list[tuple[float, int]] = []
            start = time.monotonic()

            async def type_forever(peer: SocketPeer) -> None:
                nonlocal disconnects
                next_at = time.monotonic()
                while time.monotonic() - start < seconds:
                    next_at += 1 / rate
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                    if not peer.sio.connected:
                        disconnects += 1
                        return
                    char = rng.choice(ALPHABET)
                    await peer.insert(rng.randint(0, len(peer.text)), char)
                    typed[char] += 1

            async def sample_memory() -> None:
                while time.monotonic() - start < seconds:
                    samples.append((time.monotonic() - start, process.memory_info().rss))
                    await asyncio.sleep(min(10.0, seconds / 10))

            await asyncio.gather(sample_memory(), *(type_forever(peer) for peer in group))
            expected = sum(typed.values()) + len(interview.get('code', ''))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not all(len(p.text) == expected for p in group):
                await asyncio.sleep(0.2)
            texts = {p.text for p in group}
            server_text = server.interview(interview['id'])['code']
            converged = len(texts) == 1 and server_text in texts and Counter(server_text) == typed
            await asyncio.sleep(0.1)
            rss = [r for _, r in samples]
            print(f'soak: {sum(typed.values())} characters typed in {seconds:.0f} s '
                  f'({sum(typed.values()) / seconds:.0f}/s); disconnects: {disconnects}')
            print(f'soak: server RSS {rss[0] / 2**20:.1f} MB after join → {rss[-1] / 2**20:.1f} MB at the end '
                  f'(max {max(rss) / 2**20:.1f} MB, growth {(rss[-1] - rss[0]) / 2**20:+.1f} MB); '
                  f'CPU time {sum(process.cpu_times()[:2]):.1f} s')
            print(f'soak: document {len(server_text)} characters; converged: {converged}')
            for peer in group:
                await peer.close()
            return 0 if converged and disconnects == 0 else 1
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m soak', description=__doc__.split('\n\n')[1])
    parser.add_argument('--peers', type=int, default=30)
    parser.add_argument('--rate', type=float, default=5.0, help='characters per second per peer')
    parser.add_argument('--minutes', type=float, default=10.0)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    return asyncio.run(soak(args.peers, args.rate, args.minutes * 60, args.seed))


if __name__ == '__main__':
    sys.exit(main())

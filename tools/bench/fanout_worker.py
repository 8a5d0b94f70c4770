"""One process of fan-out peers (the benchmark runs two, apart from the server): joins its share of the room's
authors, has each type 5 edits per second from a common start time, and reports what it sent and what its
observers received, as JSON on stdout.

    python -m tools.bench.fanout_worker '<config json>'

Every edit inserts a unique token `<author>.<seq>|` at the end of the author's own text. Only observer peers
(SocketPeer / WebsocketPeer) apply remote updates and time the tokens they see arrive; the other authors are
peers.light's write-mostly peers, which read every frame but decode none (the server cannot tell: it sends
them everything all the same), so the authors' own CPU stays off the figure as far as possible on 2 cores.
"""

import asyncio
import json
import random
import re
import sys
import time

from tools.peers import SocketPeer, WebsocketPeer
from tools.peers.light import LightSocketPeer, LightWebsocketPeer

TOKEN = re.compile(r'(\d+)\.(\d+)\|')


async def join(config: dict, index: int, observer: bool, attempts: int = 3):
    """Join, retrying a join that timed out as a real client reconnects (counted in the results)."""
    for attempt in range(attempts):
        try:
            return await asyncio.wait_for(_join(config, index, observer), 20.0)
        except (asyncio.TimeoutError, OSError, RuntimeError):
            RETRIES.append(index)
            if attempt == attempts - 1:
                raise


RETRIES: list[int] = []


async def _join(config: dict, index: int, observer: bool):
    name = f'author{index}'
    if config['kind'] == 'ours':  # as the browser component speaks: the room's broadcasts as one socket event
        if observer:
            return await SocketPeer.join(config['url'], config['room'], name, key=config.get('key'), timeout=60)
        return await LightSocketPeer.join(config['url'], config['room'], name, key=config.get('key'), timeout=60)
    if observer:
        return await WebsocketPeer.join(config['url'], config['room'], name, timeout=60)
    return await LightWebsocketPeer.join(config['url'], config['room'], name, timeout=60)


async def main(config: dict) -> dict:
    indices = range(config['first'], config['last'])
    observers = set(config['observers'])
    peers: dict[int, object] = {}
    failures: list[str] = []
    gate = asyncio.Semaphore(config.get('join_concurrency', 8))

    async def join_one(index: int) -> None:
        async with gate:
            try:
                peers[index] = await join(config, index, index in observers)
            except Exception as e:  # a refused or timed-out join is a result, not a crash
                failures.append(f'{index}: {type(e).__name__}: {e}'[:200])

    await asyncio.gather(*(join_one(i) for i in indices))
    received: dict[str, dict[str, float]] = {str(i): {} for i in observers if i in peers}
    for index in received:
        def record(update, index=index):
            for author, seq in TOKEN.findall(update.inserted):
                received[index].setdefault(f'{author}.{seq}', update.received_at)
        peers[int(index)].on_update(record)
    print(json.dumps({'ready': len(peers), 'failures': len(failures)}), flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    start_at = float(line.split()[1])  # "start <wall time>", the same for every worker

    sent: dict[str, float] = {}
    rate, duration = config['rate'], config['duration']
    await asyncio.sleep(max(0.0, start_at - time.time()))

    async def type_forever(index: int, peer) -> None:
        rng = random.Random(index)
        await asyncio.sleep(rng.random() / rate)  # authors out of phase, as people are
        seq, own_length = 0, len(peer.text)
        next_at = time.monotonic()
        end = time.monotonic() + duration
        while time.monotonic() < end:
            token = f'{index}.{seq}|'
            sent[token[:-1]] = time.time()
            own_length = len(peer.text) if peer.apply_remote else own_length
            await peer.insert(own_length, token)
            own_length += len(token)
            seq += 1
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    await asyncio.gather(*(type_forever(i, p) for i, p in peers.items()))
    await asyncio.sleep(config.get('grace', 2.0))
    cpu = time.process_time()
    await asyncio.gather(*(p.close() for p in peers.values()), return_exceptions=True)
    return {'sent': sent, 'received': received, 'failures': failures, 'joined': len(peers), 'cpu_seconds': cpu,
            'join_retries': len(RETRIES)}


if __name__ == '__main__':
    import logging
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s')
    result = asyncio.run(main(json.loads(sys.argv[1])))
    print(json.dumps(result), flush=True)

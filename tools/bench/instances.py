"""Several instances, measured: `python -m tools.bench.instances [--keystrokes N] [--json FILE]`

- relay hop: a RedisRelay publishes a message, another RedisRelay of the same process receives it (through a real
  redis-server on loopback): p50/p99 of the hop, at 50 messages a second.
- keystroke latency on a real 2-instance cluster (tools.cluster): one protocol-level peer types on instance 1,
  one peer watches on the same instance and one on the other; each keystroke's latency to each watcher, p50/p99,
  and the ratio cross-instance p99 / same-instance p99 (the target: at most 1.5), from the same keystrokes.
"""

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from collab.redis_relay import RedisRelay
from collab.relay import Kind
from tools.app_server import free_port
from tools.cluster import Cluster
from tools.cluster.parts import Redis
from tools.peers import SocketPeer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(values_ms: list[float]) -> dict:
    return {'n': len(values_ms), 'p50_ms': round(statistics.median(values_ms), 2),
            'p99_ms': round(percentile(values_ms, 0.99), 2), 'max_ms': round(max(values_ms), 2)}


async def relay_hop(url: str, messages: int) -> dict:
    sender, receiver = RedisRelay(url, 'sender'), RedisRelay(url, 'receiver')
    await sender.start(lambda: None)
    await receiver.start(lambda: None)
    hops: list[float] = []
    ready = asyncio.Event()
    receiver.subscribe('bench', lambda m: hops.append((time.perf_counter() - float(m.payload)) * 1000),
                       on_ready=ready.set)
    await asyncio.wait_for(ready.wait(), 10)
    await asyncio.sleep(0.2)
    for _ in range(messages):
        sender.publish('bench', Kind.UPDATE, repr(time.perf_counter()).encode())
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)
    await sender.stop()
    await receiver.stop()
    return figures(hops)


async def keystrokes(urls: dict, count: int) -> dict:
    created = httpx.post(f'{urls["proxy"]}/api/interviews', json={'title': 'bench', 'language': 'plaintext'},
                         timeout=10).json()
    room, key = created['id'], created['candidate_key']
    typist = await SocketPeer.join(urls['instances'][0], room, 'typist', key=key)
    same = await SocketPeer.join(urls['instances'][0], room, 'same', key=key)
    other = await SocketPeer.join(urls['instances'][1], room, 'other', key=key)
    sent: dict[str, float] = {}
    arrived: dict[str, dict[str, float]] = {'same': {}, 'other': {}}
    for name, peer in (('same', same), ('other', other)):
        peer.on_update(lambda update, name=name: [arrived[name].setdefault(ch, update.received_at)
                                                 for ch in update.inserted])
    alphabet = [chr(0x4E00 + i) for i in range(count)]  # one distinct character per keystroke
    for ch in alphabet:
        sent[ch] = time.time()
        await typist.insert(len(typist.text), ch)
        await asyncio.sleep(0.05)  # 20 keystrokes a second
    deadline = time.monotonic() + 20
    while min(len(a) for a in arrived.values()) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    result = {name: figures([(arrived[name][ch] - sent[ch]) * 1000 for ch in alphabet if ch in arrived[name]])
              for name in arrived}
    result['cross_over_same_p99'] = round(result['other']['p99_ms'] / result['same']['p99_ms'], 2)
    for peer in (typist, same, other):
        await peer.close()
    return result


async def main(args: argparse.Namespace) -> dict:
    state = Path(tempfile.mkdtemp(prefix='pairpad-bench-instances-'))
    try:
        redis = Redis(state, free_port())
        redis.start(timeout=20)
        try:
            hop = await relay_hop(redis.url, args.messages)
        finally:
            redis.stop()
        cluster_dir = Path(tempfile.mkdtemp(prefix='pairpad-bench-cluster-'))  # a fresh one: PostgreSQL's user enters it
        cluster = Cluster(cluster_dir, instances=2, durable=False)
        try:
            latency = await keystrokes(cluster.start(), args.keystrokes)
        finally:
            cluster.stop()
            shutil.rmtree(cluster_dir, ignore_errors=True)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return {'relay_hop': hop, 'keystroke': latency}


if __name__ == '__main__':
    parser = argparse.ArgumentParser(prog='python -m tools.bench.instances', description=__doc__.split('\n\n')[0])
    parser.add_argument('--keystrokes', type=int, default=300)
    parser.add_argument('--messages', type=int, default=500)
    parser.add_argument('--json', type=Path)
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    print(json.dumps(outcome, indent=2))
    if arguments.json:
        arguments.json.write_text(json.dumps(outcome, indent=2))

"""Resident memory of idle rooms, in a fresh process: `python -m bench.memory_worker KIND COUNT UPDATE_FILE`
loads COUNT copies of one document (a Yjs update file) as KIND and prints the RSS growth per copy as JSON.

KIND: `room` (our collab.Room, as the registry holds an idle one), `doc` (a bare pycrdt Doc: the limit), `yroom`
(pycrdt-websocket's YRoom around a Doc, not serving)."""

import gc
import json
import sys
from pathlib import Path

import psutil

from collab import Room
from pycrdt import Doc
from pycrdt.websocket import YRoom


def load(kind: str, update: bytes, i: int):
    if kind == 'room':
        room = Room(f'room-{i}')
        room.load([update])
        return room
    doc = Doc()
    doc.apply_update(update)
    return doc if kind == 'doc' else YRoom(ready=True, ydoc=doc)


def main(kind: str, count: int, path: str) -> dict:
    update = Path(path).read_bytes()
    keep = [load(kind, update, -1)]  # warm up imports and allocator pools
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    keep += [load(kind, update, i) for i in range(count)]
    gc.collect()
    after = process.memory_info().rss
    KEEP.append(keep)  # alive until the process ends, so the next kind's growth is its own
    return {'kind': kind, 'count': count, 'update_bytes': len(update), 'rss_growth_bytes': after - before,
            'bytes_per_room': (after - before) // count}


KEEP: list = []


if __name__ == '__main__':
    # KIND may be a comma-separated list: measured one after the other, each kept alive, so each growth is its own
    results = []
    for one in sys.argv[1].split(','):
        results.append(main(one, int(sys.argv[2]), sys.argv[3]))
    print(json.dumps(results))

"""Resident memory of idle rooms, in a fresh process: `python -m tools.bench.memory_worker KIND COUNT UPDATE_FILE`
loads COUNT copies of one document (a Yjs update file) as KIND and prints the RSS growth per copy as JSON.

KIND: `room` (an idle room as our RoomRegistry holds it: loaded, its last peer gone, hibernating), `live-room` (our
collab.Room with its live pycrdt Doc, as a room with people in it holds it), `doc` (a bare pycrdt Doc: the limit of
keeping a live document), `yroom` (pycrdt-websocket's YRoom around a Doc, not serving)."""

import asyncio
import gc
import json
import sys
from pathlib import Path

import psutil

from collab import Room, RoomRegistry
from pycrdt import Doc
from pycrdt.websocket import YRoom


class OneDocument:
    """Persistence that loads the same bytes object for every room: the store's copy is not counted per room."""

    def __init__(self, update: bytes) -> None:
        self.update = update

    def load(self, room_id: str) -> list[bytes]:
        return [self.update]

    def append(self, batch) -> None:
        pass

    def compact(self, room_id: str, base: bytes | None = None) -> None:
        pass


def load(kind: str, update: bytes, i: int, registry: RoomRegistry, loop: asyncio.AbstractEventLoop):
    if kind == 'room':
        room_id = f'room-{i}'
        loop.run_until_complete(registry.get(room_id))
        assert registry.hibernate(room_id)
        return room_id
    if kind == 'live-room':
        room = Room(f'room-{i}')
        room.load([update])
        return room
    doc = Doc()
    doc.apply_update(update)
    return doc if kind == 'doc' else YRoom(ready=True, ydoc=doc)


def main(kind: str, count: int, path: str) -> dict:
    update = Path(path).read_bytes()
    loop = asyncio.new_event_loop()
    registry = RoomRegistry(OneDocument(update), hibernate_after=0)
    keep = [load(kind, update, -1, registry, loop)]  # warm up imports and allocator pools
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    keep += [load(kind, update, i, registry, loop) for i in range(count)]
    gc.collect()
    after = process.memory_info().rss
    KEEP.append((keep, registry, loop))  # alive until the process ends, so the next kind's growth is its own
    return {'kind': kind, 'count': count, 'update_bytes': len(update), 'rss_growth_bytes': after - before,
            'bytes_per_room': (after - before) // count}


KEEP: list = []


if __name__ == '__main__':
    # KIND may be a comma-separated list: measured one after the other, each kept alive, so each growth is its own
    results = []
    for one in sys.argv[1].split(','):
        results.append(main(one, int(sys.argv[2]), sys.argv[3]))
    print(json.dumps(results))

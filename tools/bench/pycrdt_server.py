"""pycrdt-websocket's server as the benchmarks' Python peer: its ASGI WebSocket server under uvicorn on loopback,
one YRoom per path with an SQLiteYStore (its documented persistence), as one would deploy it.

    python -m tools.bench.pycrdt_server PORT DB_PATH
"""

import asyncio
import logging
import sys

import uvicorn
from pycrdt.store import SQLiteYStore
from pycrdt.websocket import ASGIServer, WebsocketServer, YRoom


class StoredWebsocketServer(WebsocketServer):
    """Gives every room its own SQLiteYStore path in one database file."""

    def __init__(self, db_path: str) -> None:
        super().__init__(rooms_ready=True, auto_clean_rooms=False)
        self.db_path = db_path

    async def get_room(self, name: str) -> YRoom:
        if name not in self.rooms:
            store = SQLiteYStore(path=name)
            store.db_path = self.db_path
            self.rooms[name] = YRoom(ready=True, ystore=store, log=self.log)
        room = self.rooms[name]
        await self.start_room(room)
        return room


async def main(port: int, db_path: str) -> None:
    websocket_server = StoredWebsocketServer(db_path)
    app = ASGIServer(websocket_server)
    config = uvicorn.Config(app, host='127.0.0.1', port=port, log_level='warning', ws_max_size=64 * 1024 * 1024)
    async with websocket_server:
        await uvicorn.Server(config).serve()


if __name__ == '__main__':
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))

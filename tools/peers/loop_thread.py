"""An asyncio event loop in a background thread, so synchronous code (sync Playwright tests, scripts) can drive
async peers: `with LoopThread() as loop: peer = loop.run(SocketPeer.join(...))`."""

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

T = TypeVar('T')


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name='peers-loop', daemon=True)

    def __enter__(self) -> 'LoopThread':
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        """Run a coroutine on the loop and wait for its result (its exception is raised here)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

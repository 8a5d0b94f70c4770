"""Stand-ins for jedi that the completion worker process can import (they must live in a module, not a test)."""

import time


def sleepy(code: str, line: int, column: int) -> list[dict]:
    """Sleeps as many seconds as `code` says: a completion that never comes back in time."""
    time.sleep(float(code))
    return [{'label': 'late'}]


def broken(code: str, line: int, column: int) -> list[dict]:
    raise RuntimeError('jedi fell over')

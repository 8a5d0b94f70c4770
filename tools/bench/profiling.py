"""py-spy on a running server during a benchmark step: where the time goes, summarised as the functions with
the most samples on top of the stack (self) and anywhere on it (total), ignoring idle waiting."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

IDLE = ('select (selectors.py', 'poll (selectors.py', '_run_once (asyncio', 'wait (threading.py', '_worker (concurrent')


def py_spy() -> str | None:
    local = Path(sys.executable).parent / 'py-spy'
    return str(local) if local.exists() else shutil.which('py-spy')


def start(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    """Start sampling `pid` for `seconds` into a collapsed-stacks file; None when py-spy is unavailable."""
    tool = py_spy()
    if tool is None:
        return None
    return subprocess.Popen([tool, 'record', '-p', str(pid), '-d', str(max(1, int(seconds))), '-r', '200',
                             '-f', 'raw', '-o', str(out), '--nonblocking'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(path: Path, top: int = 15) -> dict:
    """Top functions by self and total samples from py-spy's collapsed ('raw') output."""
    if not path.exists():
        return {}
    own, total, samples, idle = Counter(), Counter(), 0, 0
    for line in path.read_text(errors='replace').splitlines():
        stack, _, count = line.rpartition(' ')
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(';') if f and not f.startswith('process ') and not f.startswith('thread ')]
        if not frames:
            continue
        samples += n
        if any(frames[-1].startswith(i) or i in frames[-1] for i in IDLE):
            idle += n
            continue
        own[_short(frames[-1])] += n
        for frame in set(_short(f) for f in frames):
            total[frame] += n
    busy = samples - idle
    return {'samples': samples, 'busy_fraction': round(busy / samples, 3) if samples else None,
            'self': [(f, round(n / busy, 3)) for f, n in own.most_common(top)] if busy else [],
            'total': [(f, round(n / busy, 3)) for f, n in total.most_common(top * 2)] if busy else []}


def _short(frame: str) -> str:
    # "function (path/to/module.py:line)" → "function (module.py)"
    name, _, where = frame.partition(' (')
    where = where.rstrip(')').rsplit(':', 1)[0]
    parts = where.split('/')
    return f'{name} ({"/".join(parts[-2:])})'

"""Before/after in one run: `python -m tools.bench --baseline REV` runs the app as it was at a git revision beside the
current one, on the same machine at the same time, so every before/after ratio comes from one run.

- latency and fan-out: the revision's app is one more server (servers.TreeAppServer, started from a `git archive`
  of the revision with this venv);
- trace replay and idle room: the revision's own bench code (tools/bench/trace_replay.py, tools/bench/memory_worker.py, which
  it has had since the benchmarks were written) runs in a subprocess in that tree, on the same updates.
"""

import json
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from .servers import checkout
from .traces import Trace

__all__ = ['checkout', 'idle_room_bytes', 'replay_traces']

_REPLAY = '''
import asyncio, json, pickle, sys, tempfile
from pathlib import Path
try:  # the bench lives in tools/ since the house-in-order change, at the top level before
    from tools.bench import trace_replay
    from tools.bench.traces import Trace
except ImportError:
    from bench import trace_replay
    from bench.traces import Trace

async def main():
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, updates, end in pickle.loads(Path(sys.argv[1]).read_bytes()):
            out.append(await trace_replay.replay_ours(Trace(name, updates, end), Path(tmp)))
    print(json.dumps(out))

asyncio.run(main())
'''


def replay_traces(tree: Path, traces: list[Trace], timeout: float = 900.0) -> list[dict]:
    """The revision's Room + store replaying the same updates (its tools/bench/trace_replay.replay_ours)."""
    with tempfile.NamedTemporaryFile(suffix='.pickle') as f:
        f.write(pickle.dumps([(t.name, t.updates, t.end) for t in traces]))
        f.flush()
        out = subprocess.run([sys.executable, '-c', _REPLAY, f.name], cwd=tree, capture_output=True, text=True,
                             check=True, timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


def idle_room_bytes(tree: Path, update_file: str, count: int) -> int:
    """RSS growth per idle room in a fresh process as the revision's bench measured it (its memory_worker `room`)."""
    package = 'tools.bench' if (tree / 'tools' / 'bench').is_dir() else 'bench'
    out = subprocess.run([sys.executable, '-m', f'{package}.memory_worker', 'room', str(count), update_file], cwd=tree,
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout)[0]['bytes_per_room']

"""Loaded by the server process of `python -m tools.bench.tab_memory` (its directory is put first on PYTHONPATH;
the product never sees it): tracemalloc from the first import, and on SIGUSR2 a snapshot written to the file named
by PAIRPAD_MEMORY_PROBE, then that file's name + '.done' so the bench knows the snapshot is complete."""

import os
import signal
import tracemalloc

_TARGET = os.environ.get('PAIRPAD_MEMORY_PROBE')

if _TARGET:
    tracemalloc.start(int(os.environ.get('PAIRPAD_MEMORY_PROBE_FRAMES', '12')))

    def _dump(_signum, _frame) -> None:
        import gc
        gc.collect()
        tracemalloc.take_snapshot().dump(_TARGET)
        with open(_TARGET + '.done', 'w') as done:
            done.write('ok')

    signal.signal(signal.SIGUSR2, _dump)

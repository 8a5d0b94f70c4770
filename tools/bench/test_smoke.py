"""The benchmark never rots: its smoke run (every benchmark on a tiny workload, real servers, real Chromium) must
finish and report every figure of docs/benchmarks.md."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.bench.__main__ import REQUIRED_KEYS

ROOT = Path(__file__).resolve().parents[2]  # the repository


@pytest.mark.e2e
def test_bench_smoke_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / 'smoke.json'
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
    run = subprocess.run([sys.executable, '-m', 'tools.bench', '--smoke', '--json', str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    results = json.loads(out.read_text())
    assert [k for k in REQUIRED_KEYS if k not in results] == []
    for key in ('keystroke_p99_ms', 'floor_p99_ms', 'cursor_p99_ms', 'trace_updates_per_s',
                'trace_limit_updates_per_s', 'trace_peer_updates_per_s', 'client_bytes'):
        assert results[key] is not None and results[key] > 0, key
    assert results['fanout_p95_ms_by_n'] and all(v is not None for v in results['fanout_p95_ms_by_n'].values())
    assert set(results['peers']) == {'pycrdt-websocket', 'y-websocket'}
    for trace in results['details']['trace']['ours'] + results['details']['trace']['peer']:
        assert trace['final_text_ok'], trace

"""The capacity benchmark never rots: its quick mode (K = 2 and 4 rooms on a real one-instance cluster) must run
the whole way and report every figure. Whether the steps pass is not asserted: that is the machine's load."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository

pytestmark = pytest.mark.skipif(
    (not shutil.which('redis-server') or not shutil.which('haproxy')) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'),
    reason='needs redis-server and haproxy (make cluster-packages; CI installs them and sets PAIRPAD_REQUIRE_CLUSTER)')


def test_capacity_quick_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / 'capacity.json'
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST') and k != 'NICEGUI_SCREEN_TEST_PORT'}
    run = subprocess.run([sys.executable, '-m', 'tools.bench.capacity', '--quick', '--json', str(out)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    assert json.loads(run.stdout) == json.loads(out.read_text())
    assert '| instances | K |' in run.stderr  # the table
    (result,) = json.loads(out.read_text())['results']
    assert result['instances'] == 1 and [step['k'] for step in result['steps']][0] == 2
    for step in result['steps']:
        assert step['rooms'] == step['k'] and step['tabs'] == 2 * step['k'], step
        assert step['keystrokes'] > 0 and step['delivered'] >= 0.99, step  # both tabs typed and heard each other
        for key in ('p50_ms', 'p99_ms', 'server_cpu_cores', 'cpu_ms_per_room_s', 'marginal_cpu_ms_per_room_s',
                    'server_rss_mb', 'rss_kb_per_room', 'tabs_cpu_cores'):
            assert step[key] is not None, key
    for key in ('largest_k', 'largest_k_per_instance', 'largest_k_per_machine_core', 'idle_server_cpu_cores',
                'projected_rooms_per_server_core', 'limited_by'):
        assert key in result, key

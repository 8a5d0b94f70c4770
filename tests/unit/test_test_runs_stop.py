"""Stop stops a Run tests set (runner/hub.py, runner/program.Stopper), for everyone, from either instance: two
RunHubs linked by an in-process relay (pages/run_link.py) over the real sandboxed runner; a set whose first case
never ends is stopped from the instance running it or from the other one, the case going on and the rest fail as
'stopped by <name>' on both instances, and the room is free again."""

import pytest

from collab.relay import MemoryHub
from pages.run_link import RunLink
from questions import TestCase, run_tests
from runner import RunHubs, RunLimits, RunnerSettings
from store.locks import LocalRunLock
from tests.sandbox import sandboxed_runner
from tests.unit.test_run_hub import until

LOOP = "import sys\nline = sys.stdin.read()\nprint('started', flush=True)\nwhile line == 'loop\\n':\n    pass\n"
CASES = [TestCase(name='loops', stdin='loop\n', expected=''), TestCase(name='after', stdin='', expected=''),
         TestCase(name='hidden', stdin='', expected='', hidden=True)]


@pytest.fixture(scope='module')
def runner():
    return sandboxed_runner(RunnerSettings(max_concurrent=4), RunLimits(cpu_seconds=30, wall_seconds=60))


@pytest.fixture
def two(runner):
    relay, lock = MemoryHub(), LocalRunLock()
    sides = []
    for name in ('a', 'b'):
        hubs = RunHubs(runner, lock=lock)
        RunLink(hubs, relay.relay(name))
        sides.append(hubs.get('iv'))
    return sides


def start_looping_set(hub, runner):
    async def job(record) -> dict:
        result = await run_tests(runner, LOOP, 'python', CASES, started_by=record.started_by,
                                 stopper=record.stopper)
        return result.view('interviewer')
    return hub.start_tests('python', job, started_by='Cara')


@pytest.mark.parametrize('stopped_on', ['a', 'b'])
async def test_stop_on_either_instance_stops_the_set_for_everyone(two, runner, stopped_on):
    a, b = two
    record = start_looping_set(a, runner)
    await until(lambda: b.testing is not None and record.stopper.current is not None
                and record.stopper.current.first_output_at is not None, timeout=30)  # the loop is going
    assert b.testing.run_id == record.run_id
    assert (a if stopped_on == 'a' else b).stop('Ivan')
    await until(lambda: record.ended and b.tests[-1].ended, timeout=30)
    for hub in (a, b):
        cases = hub.tests[-1].result['cases']
        assert [(case['name'], case['reason']) for case in cases] == [
            ('loops', 'stopped by Ivan'), ('after', 'stopped by Ivan'), ('hidden', 'stopped by Ivan')]
        assert not hub.busy
    b.start('print(1)', 'python', started_by='Ivan')  # the room's run lock is free again
    await until(lambda: a.last is not None and a.last.ended, timeout=30)


async def test_stop_with_nothing_running_stops_nothing(two):
    a, b = two
    assert not a.stop('Ivan') and not b.stop('Ivan')

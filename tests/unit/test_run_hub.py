"""RunHub (runner/hub.py) with a scripted runner, no sandbox: the room's stdin reaches the runner and goes with the
run's start to the other instances; a run's markers go with its end and are rebuilt there with Marker.from_dict;
a relayed marker that does not validate is dropped with a log line and the run's end still arrives."""

import asyncio
import json
import logging

import pytest

from collab.relay import Kind, MemoryHub
from pages.run_link import CHANNEL, RunLink
from runner import Outcome, RunHubs, RunResult
from runner.diagnostics import Marker
from store.locks import LocalRunLock

MARKERS = (Marker(3, 5, "expected ';' before '}' token", 'error'), Marker(1, 1, 'unused variable', 'warning'))


class ScriptedRun:
    def __init__(self, run_id: str, language: str, started_by: str | None, result_markers) -> None:
        self.id = run_id
        self.started_by = started_by
        self.done = False
        self._finished = asyncio.get_running_loop().create_future()
        self._result = RunResult(run_id=run_id, language=language, outcome=Outcome.COMPILE_ERROR,
                                 reason='compile error', exit_code=1, signal=None, duration=0.1, output_bytes=0,
                                 truncated=False, timed_out=False, stopped_by=None, unsafe=False,
                                 started_by=started_by, markers=result_markers)

    def finish(self) -> None:
        self.done = True
        self._finished.set_result(self._result)

    def stop(self, by: str) -> bool:
        self.finish()
        return True

    async def wait(self) -> RunResult:
        return await self._finished


class ScriptedRunner:
    """What RoomRunner needs of a CodeRunner; remembers what each start was given."""

    def __init__(self, markers=MARKERS) -> None:
        self.starts: list[dict] = []
        self.runs: list[ScriptedRun] = []
        self.markers = markers

    def start(self, code, language, on_output=None, *, stdin='', limits=None, started_by=None):
        self.starts.append({'code': code, 'language': language, 'stdin': stdin})
        self.runs.append(run := ScriptedRun(f'run{len(self.runs)}', language, started_by, self.markers))
        return run

    async def stop_all(self, by: str = '') -> None:
        pass


async def until(condition, timeout: float = 5.0) -> None:
    async def wait():
        while not condition():
            await asyncio.sleep(0.01)
    await asyncio.wait_for(wait(), timeout)


@pytest.fixture
def two():
    runner, hub, lock = ScriptedRunner(), MemoryHub(), LocalRunLock()
    sides = []
    for name in ('a', 'b'):
        hubs = RunHubs(runner, lock=lock)
        RunLink(hubs, hub.relay(name))
        sides.append(hubs.get('iv'))
    return runner, sides[0], sides[1], hub


async def test_stdin_reaches_the_runner_and_the_other_instance(two):
    runner, a, b, _ = two
    record = a.start('read it', 'cpp', started_by='Ada', stdin='2\n3 4\n')
    assert runner.starts == [{'code': 'read it', 'language': 'cpp', 'stdin': '2\n3 4\n'}]
    assert record.stdin == '2\n3 4\n'
    await until(lambda: b.last is not None)
    assert b.last.run_id == record.run_id and b.last.stdin == '2\n3 4\n'
    runner.runs[0].finish()
    await until(lambda: b.last.ended)


async def test_markers_cross_to_the_other_instance_as_markers(two):
    runner, a, b, _ = two
    ends = []
    b.subscribe(lambda event, record, chunk: event == 'end' and ends.append(record.result.markers))
    a.start('int main() { return 0 }', 'cpp', started_by='Ada')
    await until(lambda: b.last is not None)
    runner.runs[0].finish()
    await until(lambda: ends)
    assert ends == [MARKERS] and a.last.result.markers == MARKERS
    assert b.last.result.outcome is Outcome.COMPILE_ERROR and b.last.result.exit_code == 1


async def test_a_malformed_relayed_marker_is_dropped_and_the_run_still_ends(two, caplog):
    runner, a, b, hub = two
    relay = hub.relay('c')  # a third instance that runs the code and sends odd markers
    started = {'run_id': 'r9', 'language': 'cpp', 'started_by': 'Eve', 'started_at': 1.0, 'stdin': ''}
    relay.publish(CHANNEL + 'iv', Kind.RUN, json.dumps({'event': 'start', **started}).encode())
    await until(lambda: b.last is not None and b.last.run_id == 'r9')
    good = MARKERS[0].to_dict()
    bad = [{'line': 0, 'column': 1, 'message': 'x', 'severity': 'error'},
           {'line': 2, 'column': 1, 'message': 'x', 'severity': 'fatal'},
           {'line': '2', 'column': 1, 'message': 'x', 'severity': 'error'},
           {'line': 2, 'column': 1, 'message': 'x' * 10_000, 'severity': 'error'},
           'not a marker', None, [1, 2]]
    result = {'run_id': 'r9', 'language': 'cpp', 'outcome': 'compile_error', 'reason': 'compile error',
              'exit_code': 1, 'signal': None, 'duration': 0.2, 'output_bytes': 10, 'truncated': False,
              'timed_out': False, 'stopped_by': None, 'unsafe': False, 'started_by': 'Eve',
              'markers': [bad[0], good, *bad[1:]]}
    with caplog.at_level(logging.WARNING, logger='runner.hub'):
        relay.publish(CHANNEL + 'iv', Kind.RUN, json.dumps({'event': 'end', 'run_id': 'r9', 'result': result}).encode())
        await until(lambda: b.last.ended and a.last.ended)
    for hub_side in (a, b):
        assert hub_side.last.result.markers == (MARKERS[0],)
        assert hub_side.last.result.outcome is Outcome.COMPILE_ERROR
    dropped = [r for r in caplog.records if 'dropped a marker of run r9 from c' in r.getMessage()]
    assert len(dropped) == 2 * len(bad)  # each bad one, on each of the two instances


async def test_markers_that_are_not_a_list_are_dropped_too(two, caplog):
    runner, a, b, hub = two
    relay = hub.relay('c')
    relay.publish(CHANNEL + 'iv', Kind.RUN, json.dumps({'event': 'start', 'run_id': 'r1', 'language': 'python',
                                                        'started_by': 'Eve', 'started_at': 1.0}).encode())
    await until(lambda: b.last is not None)
    assert b.last.stdin == ''  # an instance that sends no stdin: none
    result = {'run_id': 'r1', 'language': 'python', 'outcome': 'exited', 'reason': 'exited with code 1',
              'exit_code': 1, 'signal': None, 'duration': 0.2, 'output_bytes': 10, 'truncated': False,
              'timed_out': False, 'stopped_by': None, 'unsafe': False, 'markers': 'line 3'}
    relay.publish(CHANNEL + 'iv', Kind.RUN, json.dumps({'event': 'end', 'run_id': 'r1', 'result': result}).encode())
    await until(lambda: b.last.ended)
    assert b.last.result.markers == () and b.last.result.outcome is Outcome.EXITED

"""Runs across instances (pages/run_link.py, runner.hub) over an in-process relay hub: two RunHubs stand for the
same interview on two instances, sharing a run lock (what PostgreSQL's advisory lock is across processes). Run
pressed on both gives exactly one run, seen by both consoles; Stop on the other instance stops it; when the
instance that runs it is gone, the run ends as failed and the room is free; bad run messages are dropped."""

import asyncio
import os

import pytest

from collab.relay import Kind, MemoryHub
from pages.run_link import CHANNEL, RunLink
from runner import CodeRunner, Outcome, RunBusy, RunHubs, RunLimits, RunnerSettings
from store.locks import LocalRunLock

LIMITS = RunLimits(cpu_seconds=5, wall_seconds=20, memory_bytes=128 * 1024 * 1024, max_processes=16)


@pytest.fixture
def two():
    runner = CodeRunner(RunnerSettings(max_concurrent=4), LIMITS)
    if runner.mode != 'sandbox':
        if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
            pytest.fail(runner.status)
        pytest.skip(runner.status)
    hub, lock = MemoryHub(), LocalRunLock()
    sides = []
    for name in ('a', 'b'):
        hubs = RunHubs(runner, lock=lock)
        RunLink(hubs, hub.relay(name))
        sides.append(hubs.get('iv'))
    return sides[0], sides[1], hub


async def until(condition, timeout: float = 20.0) -> None:
    async def wait():
        while not condition():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(wait(), timeout)


async def test_run_pressed_on_two_instances_gives_one_run_seen_by_both(two):
    a, b, hub = two
    seen_on_b = []
    b.subscribe(lambda event, record, chunk: seen_on_b.append((event, chunk)))
    record = a.start('print("hello from a")', 'python', started_by='Ada')
    with pytest.raises(RunBusy):
        b.start('print("b")', 'python', started_by='Bob')
    await until(lambda: b.last is not None and b.last.ended)
    assert b.last.run_id == record.run_id and b.last.instance == 'a'
    assert ''.join(text for _, text in b.last.output) == 'hello from a\n'
    assert b.last.result.outcome is Outcome.EXITED and b.last.result.exit_code == 0
    assert [event for event, _ in seen_on_b][0] == 'start' and seen_on_b[-1][0] == 'end'
    b.start('print("now b")', 'python', started_by='Bob')  # the lock was released at the end
    await until(lambda: a.last.run_id != record.run_id and a.last.ended)
    assert ''.join(text for _, text in a.last.output) == 'now b\n'


async def test_stop_on_the_other_instance_stops_the_run(two):
    a, b, hub = two
    a.start('import time\nprint("going", flush=True)\ntime.sleep(30)', 'python', started_by='Ada')
    await until(lambda: b.current is not None and b.current.output)
    assert b.stop(by='Bob')
    await until(lambda: b.last.ended)
    assert b.last.result.outcome is Outcome.STOPPED and b.last.result.stopped_by == 'Bob'


async def test_a_run_whose_instance_is_gone_ends_as_failed_and_frees_the_room(two):
    a, b, hub = two
    a.start('import time\ntime.sleep(30)', 'python', started_by='Ada')
    await until(lambda: b.current is not None)
    b.drop_instance('a')
    assert b.last.ended and b.last.result.outcome is Outcome.FAILED
    assert 'stopped' in b.last.result.reason
    a.stop(by='test')  # what the dead instance's lock release stands for here
    await until(lambda: a.last.ended)


@pytest.mark.parametrize('payload', [b'nope', b'[]', b'{"event": "explode"}', b'{"event": "start"}',
                                     b'{"event": "end", "run_id": "x", "result": {"outcome": "weird"}}'])
def test_a_bad_run_message_is_dropped(two, payload, caplog):
    a, b, hub = two
    hub.relay('mallory').publish(CHANNEL + 'iv', Kind.RUN, payload)
    assert b.current is None and b.history == []
    assert 'dropped a run message' in caplog.text or payload.startswith(b'{"event": "end"')


async def test_an_instance_seen_going_has_the_runs_it_left_running_failed_once_per_going():
    """The store's side of a dead instance (fail_abandoned): called when an instance that was alive is no longer,
    whether or not this instance has a hub for its rooms; not on the first look, not while nobody goes."""
    calls = []

    async def fail_abandoned():
        calls.append('failed')

    link = RunLink(RunHubs(CodeRunner(RunnerSettings(max_concurrent=1), LIMITS), lock=LocalRunLock()),
                   MemoryHub().relay('b'), fail_abandoned=fail_abandoned)
    link.on_alive({'a', 'b'})  # the first look: nobody was seen before, nobody has gone
    link.on_alive({'a', 'b'})
    await asyncio.sleep(0)
    assert calls == []
    link.on_alive({'b'})  # a's liveness key expired
    await until(lambda: calls == ['failed'])
    link.on_alive({'b'})
    link.on_alive({'b', 'c'})  # a newcomer is not a going
    await asyncio.sleep(0)
    assert calls == ['failed']
    link.on_alive({'b'})
    await until(lambda: calls == ['failed', 'failed'])


async def test_a_run_is_kept_as_started_by_the_instance_that_runs_it_before_its_end():
    """on_start (the app: a RUNNING row in the store) is told once, by the instance that runs the code, before
    on_end; the instance that only mirrors the run tells neither."""
    runner = CodeRunner(RunnerSettings(max_concurrent=4), LIMITS)
    if runner.mode != 'sandbox':
        if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
            pytest.fail(runner.status)
        pytest.skip(runner.status)
    hub, lock, told = MemoryHub(), LocalRunLock(), []
    sides = []
    for name in ('a', 'b'):
        hubs = RunHubs(runner, lock=lock,
                       on_start=lambda interview_id, record, name=name: told.append((name, 'start', record.ended)),
                       on_end=lambda interview_id, record, name=name: told.append((name, 'end', record.ended)))
        RunLink(hubs, hub.relay(name))
        sides.append(hubs.get('iv'))
    a, b = sides
    a.start('print("kept")', 'python', started_by='Ada')
    await until(lambda: b.last is not None and b.last.ended and a.last.ended)
    assert told == [('a', 'start', False), ('a', 'end', True)]


async def test_a_store_that_fails_at_the_start_does_not_stop_the_run(caplog):
    runner = CodeRunner(RunnerSettings(max_concurrent=4), LIMITS)
    if runner.mode != 'sandbox':
        if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
            pytest.fail(runner.status)
        pytest.skip(runner.status)

    def store_away(interview_id, record):
        raise ConnectionError('connection refused')

    hub = RunHubs(runner, lock=LocalRunLock(), on_start=store_away).get('iv')
    hub.start('print("still runs")', 'python', started_by='Ada')
    await until(lambda: hub.last.ended)
    assert ''.join(text for _, text in hub.last.output) == 'still runs\n'
    assert 'keeping run' in caplog.text and 'connection refused' in caplog.text

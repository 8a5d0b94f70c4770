"""Python completion (issue 16 §4): jedi's answers as the browser needs them, what jedi may not reveal, and the
bounds that keep a slow or failing completion away from typing and sync."""

import asyncio

import pytest

from completion import CompletionService
from completion.python import complete, jedi_position, signatures
from tests.unit import completion_functions


def labels(items: list[dict]) -> list[str]:
    return [item['label'] for item in items]


def test_monaco_positions_become_jedi_positions():
    assert jedi_position('abc\nde', 2, 3) == (2, 2)
    assert jedi_position('abc\n', 2, 1) == (2, 0)
    assert jedi_position('😀x', 1, 3) == (1, 1)  # the emoji is two UTF-16 units, one code point
    for line, column in ((3, 1), (0, 1), (1, 5), (1, 0)):
        with pytest.raises(ValueError):
            jedi_position('abc\nde', line, column)
    with pytest.raises(ValueError, match='splits'):
        jedi_position('😀x', 1, 2)


def test_attribute_completions_and_the_replace_range():
    items = complete('import os\nos.pa', 2, 6)
    assert 'path' in labels(items)
    path = next(item for item in items if item['label'] == 'path')
    assert path['prefix_chars'] == 2 and path['kind'] in {'Module', 'Variable'}
    assert labels(complete('numbers = [3, 1]\nnumbers.', 2, 9))[:3] == ['append', 'clear', 'copy']


def test_imports_offer_what_a_run_can_import_not_the_servers_packages_or_files():
    offered = set(labels(complete('import ', 1, 8)))
    assert {'collections', 'itertools', 'os'} <= offered
    assert not offered & {'nicegui', 'sqlmodel', 'pycrdt', 'store', 'pages', 'config', 'jedi'}
    assert complete('open("/et', 1, 10) == []          # no file names of the server
    assert complete('from config import ', 1, 20) == []


def test_signature_help_names_the_active_parameter():
    [first, *_] = signatures('def area(width, height=2):\n    return width * height\n\narea(3, ', 4, 9)
    assert first['label'].startswith('area(') and first['active_parameter'] == 1
    assert first['parameters'] == ['width', 'height=2']
    assert signatures('x = 1\n', 1, 1) == []


@pytest.fixture
async def service():
    started = CompletionService(timeout=60, warm_up=None)
    yield started
    started.close()


async def test_the_worker_answers_each_kind_and_bad_requests_get_an_error(service):
    answer = await service.answer('items', 'import os\nos.pa', 2, 6)
    assert answer.error is None and 'path' in labels(answer.items)
    answer = await service.answer('signatures', 'print(', 1, 7)
    assert answer.signatures and answer.signatures[0]['label'].startswith('print(')
    assert (await service.answer('items', 'x', 9, 1)).error == 'line 9 is outside the code (1 lines)'
    assert (await service.answer('eval', 'x', 1, 1)).error == "unknown kind 'eval'"
    assert service.pending == 0


async def test_a_completion_that_sleeps_never_holds_up_the_event_loop():
    service = CompletionService(timeout=0.5, functions={'items': completion_functions.sleepy}, warm_up=None)
    await service.start()
    ticks = 0

    async def ticker() -> None:  # what the rooms' keystrokes need: the loop turning
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    try:
        answer = await service.answer('items', '30', 1, 1)
    finally:
        running.cancel()
        service.close()
    assert answer.error == 'timed out' and answer.items == []
    assert ticks > 100


async def test_requests_beyond_the_bound_are_busy_at_once_and_a_stuck_worker_is_replaced():
    now = [0.0]
    service = CompletionService(timeout=2, max_pending=1, stuck_after=5,
                                functions={'items': completion_functions.sleepy}, warm_up=None,
                                clock=lambda: now[0])
    await service.start()
    try:
        stuck = asyncio.create_task(service.answer('items', '30', 1, 1))
        while service.pending == 0:
            await asyncio.sleep(0)
        assert (await service.answer('items', '0', 1, 1)).error == 'busy'
        now[0] = 6.0  # the first request has held the worker for longer than stuck_after
        answer = await service.answer('items', '0', 1, 1)
        assert answer.error is None and labels(answer.items) == ['late'] and service.restarts == 1
        stuck.cancel()
    finally:
        service.close()


async def test_a_failing_completion_answers_no_suggestions(caplog):
    service = CompletionService(timeout=60, functions={'items': completion_functions.broken}, warm_up=None)
    try:
        answer = await service.answer('items', 'x', 1, 1)
    finally:
        service.close()
    assert answer.error == 'failed' and answer.items == []
    assert 'jedi fell over' in caplog.text

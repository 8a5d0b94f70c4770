"""`python -m tools.bench.completion [--requests 100] [--lines 300] [--json FILE]`: how long a Python completion
takes, as the server answers it (completion.CompletionService: the worker process, jedi, the way back), on a
document of about 300 lines (target: p95 <= 150 ms, issue 16 §4).

The document is real code: the first `--lines` lines of a module of the standard library the sandbox's Python
has (textwrap.py: classes, methods, `self.` everywhere), so jedi has the imports, classes and attributes an
interview's solution has. The requests are where a person asks: just after each `.` of an attribute access
(with the first letter typed, as Monaco re-asks) and inside each call's parentheses (signature help), in document
order. Three figures, apart: the worker's start and warm-up (the first request of a server's life), a first round
over every position of the document (jedi meets each module the document uses for the first time: what the
first minutes of an interview feel like) and then `--requests` more, round after round (the steady state that the
target is about).
Beside it, in the same run, how late the event loop's timers fire while the requests are in flight: what typing
in the rooms of the same server would wait for (it should stay at the floor, since jedi is in another process).
"""

import argparse
import asyncio
import json
import re
import statistics
import time
from pathlib import Path

from completion import CompletionService

SOURCE = Path('/usr/lib/python3.11/textwrap.py')
TARGET_P95_MS = 150.0


def document(lines: int) -> str:
    source = SOURCE if SOURCE.exists() else Path(statistics.__file__)
    return '\n'.join(source.read_text().split('\n')[:lines]) + '\n'


def positions(code: str) -> list[tuple[str, int, int]]:
    """(kind, line, column) in Monaco's terms: after `name.x` for completions, after `call(` for signatures."""
    found = []
    for number, text in enumerate(code.split('\n'), start=1):
        for match in re.finditer(r'\b[A-Za-z_]\w*\.(\w)', text):
            found.append(('items', number, match.end(1) + 1))
        for match in re.finditer(r'\b[A-Za-z_]\w*\(', text):
            found.append(('signatures', number, match.end() + 1))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def loop_turns(stop: asyncio.Event, turns: list[float], every: float = 0.005) -> None:
    """How late a timer of `every` seconds fires, again and again: the wait a keystroke's handler would have.
    (A busy `sleep(0)` loop would measure the same but hold the GIL, and slow the answers it is measured beside.)"""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(every)
        turns.append(max(0.0, (time.perf_counter() - started - every) * 1000))


async def measure(requests: int, lines: int) -> dict:
    code = document(lines)
    asked = positions(code)
    service = CompletionService(timeout=30)
    try:
        started = time.perf_counter()
        await service.start()
        cold = (time.perf_counter() - started) * 1000
        first_round = []
        for kind, line, column in asked:
            started = time.perf_counter()
            await service.answer(kind, code, line, column)
            first_round.append((time.perf_counter() - started) * 1000)
        times: dict[str, list[float]] = {'items': [], 'signatures': []}
        offered = 0
        stop, turns = asyncio.Event(), []
        ticker = asyncio.create_task(loop_turns(stop, turns))
        for index in range(requests):
            kind, line, column = asked[index % len(asked)]
            started = time.perf_counter()
            answer = await service.answer(kind, code, line, column)
            times[kind].append((time.perf_counter() - started) * 1000)
            offered += bool(answer.items or answer.signatures)
            if answer.error:
                raise SystemExit(f'request {kind} at {line}:{column} failed: {answer.error}')
        stop.set()
        await ticker
    finally:
        service.close()
    every = times['items'] + times['signatures']
    return {
        'document_lines': code.count('\n'), 'requests': requests, 'answered_with_something': offered,
        'start_and_warm_up_ms': round(cold, 1), 'positions': len(asked),
        'first_round_p50_ms': round(statistics.median(first_round), 1),
        'first_round_p95_ms': round(percentile(first_round, 0.95), 1),
        'p50_ms': round(statistics.median(every), 1), 'p95_ms': round(percentile(every, 0.95), 1),
        'max_ms': round(max(every), 1),
        'items_p95_ms': round(percentile(times['items'], 0.95), 1) if times['items'] else None,
        'signatures_p95_ms': round(percentile(times['signatures'], 0.95), 1) if times['signatures'] else None,
        'loop_lateness_p99_ms': round(percentile(turns, 0.99), 3) if turns else None,
        'target_p95_ms': TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=100)
    parser.add_argument('--lines', type=int, default=300)
    parser.add_argument('--json', type=Path)
    args = parser.parse_args()
    result = asyncio.run(measure(args.requests, args.lines))
    for key, value in result.items():
        print(f'{key:>24}: {value}')
    verdict = 'met' if result['p95_ms'] <= TARGET_P95_MS else 'NOT met'
    print(f'p95 {result["p95_ms"]} ms against the target of {TARGET_P95_MS:g} ms: {verdict}')
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + '\n')


if __name__ == '__main__':
    main()

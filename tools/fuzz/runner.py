"""Running many schedules: which seed gets how many peers, catching failures, optional worker processes.

A schedule is a pure function of (seed, options): the number of peers comes from the seed too, so a failure is
named by its seed alone and `replay_command` rebuilds the exact command line that reruns it.
"""

import multiprocessing
import os
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from collab import Room

from .invariants import InvariantViolation
from .schedule import WrapPersistence, describe_plan, run_schedule
from .server import RoomFactory

TRACE_TAIL = 40  # events shown with a failure; the replay prints them all


@dataclass(frozen=True)
class Options:
    peers_min: int = 2
    peers_max: int = 8
    sql_fraction: float = 0.05
    room_factory: RoomFactory = Room                 # tests plant a broken room here
    wrap_persistence: WrapPersistence | None = None  # ... or a lossy store

    def __post_init__(self) -> None:
        if not 1 <= self.peers_min <= self.peers_max:
            raise ValueError(f'need 1 <= peers-min <= peers-max, got {self.peers_min} and {self.peers_max}')
        if not 0.0 <= self.sql_fraction <= 1.0:
            raise ValueError(f'sql fraction must be within 0..1, got {self.sql_fraction}')


@dataclass(frozen=True)
class Failure:
    seed: int
    peers: int
    setup: str            # what kind of schedule it was
    error: str            # the violated invariant, or the exception the engine raised
    trace: tuple[str, ...]  # the last events before it went wrong
    traceback: str | None = None  # for an exception that is not an invariant violation


@dataclass
class Report:
    schedules: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    totals: Counter = field(default_factory=Counter)  # operations and network events of the passing schedules


def peers_for(seed: int, options: Options) -> int:
    """Peers cycle with the seed through peers-min..peers-max, so consecutive seeds cover every K."""
    return options.peers_min + seed % (options.peers_max - options.peers_min + 1)


def run_one(seed: int, options: Options, *, trace: list[str] | None = None) -> Failure | Counter:
    """The schedule's statistics if it held every invariant, else what went wrong."""
    peers = peers_for(seed, options)
    try:
        return run_schedule(seed, peers, sql_fraction=options.sql_fraction, room_factory=options.room_factory,
                            wrap_persistence=options.wrap_persistence, trace=trace).stats
    except Exception as e:  # anything the engine raises on legitimate traffic is a failure too
        error = str(e) if isinstance(e, InvariantViolation) else f'{type(e).__name__}: {e}'
        details = None if isinstance(e, InvariantViolation) else traceback.format_exc()
    if trace is None:  # run it again, recording its events this time: same seed, same events
        trace = []
        run_one(seed, options, trace=trace)
    return Failure(seed, peers, describe_plan(seed, peers, sql_fraction=options.sql_fraction), error,
                   tuple(trace[-TRACE_TAIL:]), details)


def _run_chunk(job: tuple[list[int], Options]) -> tuple[int, list[Failure], Counter]:
    seeds, options = job
    failures, totals = [], Counter()
    for seed in seeds:
        outcome = run_one(seed, options)
        if isinstance(outcome, Failure):
            failures.append(outcome)
        else:
            totals.update(outcome)
    return len(seeds), failures, totals


def run_many(seeds: Iterable[int], options: Options = Options(), *, jobs: int = 1, max_failures: int | None = None,
             chunk: int | None = None, progress: Callable[[Report], None] | None = None) -> Report:
    """Run the schedules of `seeds` (in worker processes if jobs > 1); stop early after `max_failures`."""
    started = time.monotonic()
    report = Report()
    seeds = list(seeds)
    chunk = chunk or (50 if jobs > 1 else 1)  # one at a time in-process: stops right at the last failure allowed
    work = [(seeds[i:i + chunk], options) for i in range(0, len(seeds), chunk)]

    def absorb(results: Iterable[tuple[int, list[Failure], Counter]]) -> None:
        for count, failures, totals in results:
            report.schedules += count
            report.failures.extend(failures)
            report.totals.update(totals)
            report.seconds = time.monotonic() - started
            if progress is not None:
                progress(report)
            if max_failures is not None and len(report.failures) >= max_failures:
                return

    if jobs > 1 and len(work) > 1:
        with multiprocessing.get_context('fork').Pool(jobs) as pool:  # leaving the block stops the workers
            absorb(pool.imap(_run_chunk, work))
    else:
        absorb(map(_run_chunk, work))
    report.seconds = time.monotonic() - started
    return report


def replay_command(failure: Failure, options: Options) -> str:
    python = sys.executable
    relative = os.path.relpath(python)
    if not relative.startswith('..'):
        python = relative
    command = (f'{python} -m tools.fuzz --seed {failure.seed} --schedules 1 '
               f'--peers-min {options.peers_min} --peers-max {options.peers_max}')
    if options.sql_fraction != Options.sql_fraction:
        command += f' --sql-fraction {options.sql_fraction}'
    return command + ' --trace'

"""`python -m tools.fuzz`: run seeded schedules, print progress and a summary, and for every failure its seed and
the command that replays it. Exit status 1 if any schedule failed, 2 for bad arguments."""

import argparse
import logging
import os
import sys

from collab import Room

from .runner import Failure, Options, Report, replay_command, run_many, run_one
from .server import RoomFactory

OPERATIONS = ('type', 'delete', 'deliver', 'drop', 'reconnect', 'commit', 'restart', 'compact')


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m tools.fuzz', description=__doc__)
    parser.add_argument('--schedules', type=int, default=100_000, help='how many schedules (default 100000)')
    parser.add_argument('--seed', type=int, default=0, help='the first seed; schedule i uses seed+i (default 0)')
    parser.add_argument('--peers-min', type=int, default=Options.peers_min, help='fewest peers (default 2)')
    parser.add_argument('--peers-max', type=int, default=Options.peers_max, help='most peers (default 8)')
    parser.add_argument('--sql-fraction', type=float, default=Options.sql_fraction,
                        help='share of schedules on the SQLite store instead of memory (default 0.05)')
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1, help='worker processes (default: CPUs)')
    parser.add_argument('--max-failures', type=int, default=10, help='stop once this many failed (default 10)')
    parser.add_argument('--trace', action='store_true', help='print every event of a failing schedule')
    args = parser.parse_args(argv)
    if args.schedules < 0 or args.jobs < 1 or args.max_failures < 1:
        parser.error('--schedules must be >= 0, --jobs and --max-failures >= 1')
    return args


def main(argv: list[str] | None = None, *, room_factory: RoomFactory = Room) -> int:
    """The command line; `room_factory` lets a test run it against a deliberately broken room."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')
    try:
        options = Options(args.peers_min, args.peers_max, args.sql_fraction, room_factory=room_factory)
    except ValueError as e:
        print(f'fuzz: {e}', file=sys.stderr)
        return 2
    last_seed = args.seed + max(args.schedules, 1) - 1
    print(f'fuzz: {_count(args.schedules, "schedule")}, seeds {args.seed}..{last_seed}, '
          f'{options.peers_min}-{options.peers_max} peers, {options.sql_fraction:.0%} on SQLite, '
          f'{_count(args.jobs, "job")}', flush=True)
    shown = 0
    next_mark = max(1, args.schedules // 10)

    def progress(report: Report) -> None:
        nonlocal shown, next_mark
        for failure in report.failures[shown:]:
            print_failure(failure, options, full_trace=args.trace)
        shown = len(report.failures)
        if next_mark <= report.schedules < args.schedules:
            print(f'fuzz: {report.schedules}/{args.schedules} schedules, {len(report.failures)} failed, '
                  f'{report.seconds:.1f} s', flush=True)
            next_mark = report.schedules + max(1, args.schedules // 10)

    report = run_many(range(args.seed, args.seed + args.schedules), options, jobs=args.jobs,
                      max_failures=args.max_failures, progress=progress)
    if report.totals['schedules']:
        print(describe_totals(report))
    rate = report.schedules / report.seconds if report.seconds else 0.0
    summary = f'fuzz: ran {_count(report.schedules, "schedule")} in {report.seconds:.1f} s ({rate:.0f}/s): '
    if not report.failures:
        print(summary + 'all invariants held', flush=True)
        return 0
    seeds = ', '.join(str(failure.seed) for failure in report.failures)
    print(summary + f'{len(report.failures)} failed (seeds {seeds})', flush=True)
    return 1


def describe_totals(report: Report) -> str:
    totals = report.totals
    operations = ', '.join(f'{totals[name]} {name}' for name in OPERATIONS)
    return (f'fuzz: the {totals["schedules"]} passing schedules ({totals["sqlite schedules"]} on SQLite, '
            f'{totals["reordering schedules"]} reordering) ran {operations}; {totals["delivered"]} messages '
            f'delivered, {totals["duplicated"]} replayed, {totals["lost"]} lost with their connection')


def print_failure(failure: Failure, options: Options, *, full_trace: bool) -> None:
    print(f'FAIL seed {failure.seed} ({failure.setup}): {failure.error}')
    print(f'  replay: {replay_command(failure, options)}')
    if failure.traceback:
        print('  ' + failure.traceback.rstrip().replace('\n', '\n  '))
    if full_trace:  # the same seed makes the same events: run it once more and keep all of them
        events: list[str] = []
        run_one(failure.seed, options, trace=events)
        print(f'  all {len(events)} events:')
    else:
        events = list(failure.trace)
        print(f'  last {len(events)} events:')
    for line in events:
        print(f'    {line}')
    sys.stdout.flush()


def _count(n: int, noun: str) -> str:
    return f'{n} {noun}' if n == 1 else f'{n} {noun}s'


if __name__ == '__main__':
    sys.exit(main())

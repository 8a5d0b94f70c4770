"""`python -m tools.bench.cold_join [--baseline REV] [--runs N] [--typing S] [--limit N] [--json FILE]`

The cold join alone (benchmark 5's last figure; issue 17 target 7: ≤ 0.6 s from the Join click for the 36,981-update
`rustcode` history), before/after in one run: this tree's app and, with --baseline, the app at an earlier revision,
each joined the same way, the runs interleaved so that the machine's load falls on both alike. Three stores:

- squashed: the rows and the snapshot the server's compaction writes now (every 500 updates, the room's own
  document merged first): what a join finds after a restart or after the room was unloaded;
- merged: the same, compacted by merging the rows alone, as the server did before 4d18e80;
- raw: one row per keystroke and no snapshot, a store that no server ever compacted (the worst case).

The click comes `--typing` seconds (1.5) after the form shows, as a person types a name (0: at once). A figure
counts only if the editor then shows exactly the trace's final text (the join waits for it).
"""

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from . import memory, traces
from .browsers import launch
from .servers import checkout, start_app

VARIANTS = ('squashed', 'merged', 'raw')


async def measure(runs: int, limit: int | None, baseline: str | None, typing: float) -> dict:
    trace = traces.load('rustcode', limit=limit)
    with tempfile.TemporaryDirectory(prefix='pairpad-cold-') as tmp:
        servers = {'ours': start_app(Path(tmp) / 'ours')}
        try:
            if baseline:
                servers['baseline'] = start_app(Path(tmp) / 'baseline', root=checkout(baseline, Path(tmp) / 'tree'))
            samples: dict[str, dict[str, list[dict]]] = {name: {v: [] for v in VARIANTS} for name in servers}
            async with async_playwright() as playwright:
                browser = await launch(playwright)
                for _ in range(runs):
                    for variant in VARIANTS:
                        for name, server in servers.items():
                            samples[name][variant].append(await memory.cold_join_ours(
                                server, trace, browser, store=variant, typing=typing))
                await browser.close()
        finally:
            for server in servers.values():
                server.stop()
    return {'trace': trace.name, 'updates': len(trace.updates), 'runs': runs, 'baseline': baseline, 'typing': typing,
            **{name: {variant: {'median_seconds': statistics.median(s['seconds'] for s in got),
                                'seconds': [s['seconds'] for s in got],
                                'socket_bytes': got[-1]['socket_bytes']}
                      for variant, got in by_variant.items()}
               for name, by_variant in samples.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[1])
    parser.add_argument('--baseline', help='git revision to measure beside this tree')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--typing', type=float, default=1.5, help='seconds from the form to the click')
    parser.add_argument('--limit', type=int, help="the trace's first N transactions only")
    parser.add_argument('--json', type=Path)
    args = parser.parse_args()
    result = asyncio.run(measure(args.runs, args.limit, args.baseline, args.typing))
    for name in ('ours', 'baseline'):
        for variant in VARIANTS if isinstance(result.get(name), dict) else ():  # 'baseline' is also the revision
            r = result[name][variant]
            print(f'{name:>8} {variant:>9}: median {r["median_seconds"]:.3f} s of {r["seconds"]}, '
                  f'{r["socket_bytes"]:,} B on the socket')
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()

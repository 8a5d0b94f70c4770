"""Where a connected tab's server memory goes (issue 17 target 6): `python -m tools.bench.tab_memory [--tabs 8]
[--role candidate|interviewer] [--typing 0] [--top 25] [--json FILE] [--no-trace] [--env NAME=VALUE ...]`.

The real app runs as a subprocess with tracemalloc on from its first import (tools/bench/memory_probe, put first on
its PYTHONPATH; nothing of it is in the product). A first tab joins (the room is loaded and NiceGUI warm), the
server writes a snapshot, `--tabs` more tabs join through the form as people do (and, with `--typing N`, the first
tab types N characters so that the tabs' message histories fill as in an interview), a second snapshot is written
and the difference is printed per tab: by the allocating line, and by the first line of the product (or of the
library below it) on each allocation's stack, which says what of ours keeps the memory.

`--no-trace`: no tracemalloc (its bookkeeping is many times what it traces), only the server's RSS growth per tab,
as `python -m tools.bench --only memory` measures it; `--env` sets the server's environment (a setting to compare,
e.g. PAIRPAD_WEBSOCKET_DEFLATE=0)."""

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

from playwright.async_api import async_playwright

from tools.app_server import ROOT, AppServer

from .browsers import join_room, launch, new_page
from .servers import Usage

PROBE = Path(__file__).parent / 'memory_probe'
VENV = str(ROOT / '.venv')


def _snapshot(server: AppServer, path: Path, trace: bool) -> tracemalloc.Snapshot | None:
    if not trace:
        return None
    done = Path(f'{path}.done')
    done.unlink(missing_ok=True)
    server.process.send_signal(signal.SIGUSR2)
    deadline = time.monotonic() + 120
    while not done.exists():
        if time.monotonic() > deadline:
            raise RuntimeError('the server wrote no snapshot (is tools/bench/memory_probe on its PYTHONPATH?)')
        time.sleep(0.1)
    return tracemalloc.Snapshot.load(str(path)).filter_traces([
        tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, '<frozen importlib._bootstrap>')])


def _owner(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame in the repository outside .venv (the product's line that asked for it), else the
    innermost frame of a library."""
    for frame in reversed(traceback):  # tracemalloc lists the oldest call first when most_recent_first is False
        if frame.filename.startswith(str(ROOT)) and not frame.filename.startswith(VENV):
            return f'{os.path.relpath(frame.filename, ROOT)}:{frame.lineno}'
    frame = traceback[-1]
    return f'{frame.filename.split("site-packages/")[-1]}:{frame.lineno}'


def _package(traceback: tracemalloc.Traceback) -> str:
    filename = traceback[-1].filename
    if 'site-packages/' in filename:
        return filename.split('site-packages/')[1].split('/')[0]
    if filename.startswith(str(ROOT)):
        return os.path.relpath(filename, ROOT).split('/')[0]
    return 'python (stdlib)'


def attribute(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, tabs: int, top: int) -> dict:
    diff = after.compare_to(before, 'traceback')
    by_owner: dict[str, int] = defaultdict(int)
    by_package: dict[str, int] = defaultdict(int)
    for stat in diff:
        by_owner[_owner(stat.traceback)] += stat.size_diff
        by_package[_package(stat.traceback)] += stat.size_diff
    by_line = after.compare_to(before, 'lineno')

    def per_tab(items) -> list[tuple[str, int]]:
        return [(name, size // tabs) for name, size in sorted(items, key=lambda item: -item[1])[:top]]

    return {'tabs': tabs, 'traced_bytes_per_tab': sum(s.size_diff for s in diff) // tabs,
            'by_owner': per_tab(by_owner.items()), 'by_package': per_tab(by_package.items()),
            'by_line': per_tab((f'{s.traceback[0].filename.split("site-packages/")[-1]}:{s.traceback[0].lineno}',
                                s.size_diff) for s in by_line)}


async def measure(tabs: int, role: str, typing: int, top: int, trace: bool = True,
                  extra_env: dict[str, str] | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix='pairpad-tab-memory-') as work:
        work_dir = Path(work)
        path = work_dir / 'snapshot'
        env = {'PYTHONPATH': os.pathsep.join([str(PROBE), str(ROOT), os.environ.get('PYTHONPATH', '')]),
               'PAIRPAD_MEMORY_PROBE': str(path)} if trace else {}
        env.update(extra_env or {})
        server = AppServer(work_dir, env=env).start()
        try:
            interview = server.create_interview(language='python')
            usage = Usage(server.process.pid)
            async with async_playwright() as playwright:
                browser = await launch(playwright)
                first = await new_page(browser)
                await join_room(first, server.room_url(interview['id'], 'interviewer'), 'Warm')
                await asyncio.sleep(2)
                rss_before, before = usage.rss(), _snapshot(server, path, trace)
                pages = []
                for i in range(tabs):
                    pages.append(await new_page(browser))
                    await join_room(pages[-1], server.room_url(interview['id'], role), f'Tab {i}')
                if typing:
                    await first.locator('.monaco-editor textarea').first.focus()
                    for i in range(typing):
                        await first.keyboard.type('x' if i % 40 else '\n', delay=0)
                        await asyncio.sleep(0.05)
                await asyncio.sleep(2)
                rss_after, after = usage.rss(), _snapshot(server, path, trace)
                elements = await pages[-1].evaluate('Object.keys(mounted_app.elements).length')
                await browser.close()
        finally:
            server.stop()
    result = attribute(before, after, tabs, top) if trace else {'tabs': tabs}
    result.update({'role': role, 'typing': typing, 'env': extra_env or {},
                   'rss_bytes_per_tab': (rss_after - rss_before) // tabs,
                   'nicegui_elements_last_tab': elements})
    return result


def _print(result: dict) -> None:
    traced = f"traced {result['traced_bytes_per_tab'] / 1024:,.0f} KiB per tab " if 'by_owner' in result else ''
    print(f"{result['tabs']} {result['role']} tabs, {result['typing']} characters typed, env {result['env']}: "
          f"RSS {result['rss_bytes_per_tab'] / 1024:,.0f} KiB per tab, {traced}"
          f"({result['nicegui_elements_last_tab']} NiceGUI elements in the last tab's page)")
    if 'by_owner' not in result:
        return
    for title, key in (('by package', 'by_package'), ('by the first product line on the stack', 'by_owner'),
                       ('by allocating line', 'by_line')):
        print(f'\n{title} (KiB per tab)')
        for name, size in result[key]:
            print(f'  {size / 1024:8.1f}  {name}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tabs', type=int, default=8)
    parser.add_argument('--role', choices=('candidate', 'interviewer'), default='candidate')
    parser.add_argument('--typing', type=int, default=0, help='characters the first tab types before the snapshot')
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--json', type=Path)
    parser.add_argument('--no-trace', dest='trace', action='store_false', help='RSS only, no tracemalloc')
    parser.add_argument('--env', action='append', default=[], metavar='NAME=VALUE', help="the server's environment")
    args = parser.parse_args()
    extra_env = dict(item.split('=', 1) for item in args.env)
    result = asyncio.run(measure(args.tabs, args.role, args.typing, args.top, args.trace, extra_env))
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()

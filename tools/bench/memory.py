"""Benchmark 5: memory and the cold join.
- idle room: RSS growth per room holding a trace's full history and no peers, in a fresh process (our Room, a
  bare pycrdt Doc as the limit, pycrdt-websocket's YRoom as the peer), against the document's encoded size;
- per browser: the server's RSS growth per connected browser tab (ours and the peers);
- cold join: a room whose store holds the full `rustcode` history (36,981 keystroke updates, not in memory),
  joined by a fresh browser: time from "Join" until the editor shows the final text, and the bytes the browser
  received on its socket meanwhile; the same document joined on the peers."""

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from pycrdt import Doc, merge_updates

from collab import PendingUpdate, initial_update, protocol
from tools.peers import WebsocketPeer
from store import SqlUpdateLog, create_db, create_interview

from .browsers import join_room, new_page
from .servers import ROOT, Usage
from .traces import Trace


_HISTORIES: dict[tuple[str, int], bytes] = {}


def _history(trace: Trace) -> bytes:
    key = (trace.name, len(trace.updates))
    if key not in _HISTORIES:
        _HISTORIES[key] = merge_updates(*trace.updates)
    return _HISTORIES[key]


def encoded_size(update: bytes) -> int:
    doc = Doc()
    doc.apply_update(update)
    return len(doc.get_update())


def idle_rooms(trace: Trace, count: int, baseline: Path | None = None) -> dict:
    """RSS growth per idle room; with `baseline` (a checkout of an earlier revision) its idle room too."""
    history = _history(trace)
    with tempfile.NamedTemporaryFile(suffix='.bin') as f:
        f.write(history)
        f.flush()
        out = subprocess.run([sys.executable, '-m', 'tools.bench.memory_worker', 'room,live-room,doc,yroom', str(count),
                              f.name],
                             cwd=ROOT, capture_output=True, text=True, check=True, timeout=600)
        results = {r['kind']: r['bytes_per_room'] for r in json.loads(out.stdout)}
        if baseline is not None:
            from .baseline import idle_room_bytes
            results['baseline'] = idle_room_bytes(baseline, f.name, count)
    state = encoded_size(history)
    return {'trace': trace.name, 'document_bytes': state, 'text_bytes': len(trace.end.encode()),
            'history_update_bytes': len(history), 'rooms': count, 'ours_bytes_per_room': results['room'],
            'ours_live_bytes_per_room': results['live-room'],
            'limit_bytes_per_room': results['doc'], 'peer_bytes_per_room': results['yroom'],
            'baseline_bytes_per_room': results.get('baseline'),
            'target_bytes': 2 * state + 64 * 1024}


async def _settle_rss(usage: Usage, seconds: float = 1.5) -> int:
    await asyncio.sleep(seconds)
    return usage.rss()


async def per_browser_ours(server, browser, tabs: int, settle: float = 1.5) -> dict:
    interview = server.create_interview(language='plaintext')
    usage = Usage(server.process.pid)
    page = await new_page(browser)  # a first tab, so the room is loaded and NiceGUI's pools are warm
    await join_room(page, server.room_url(interview['id']), 'Warm')
    before = await _settle_rss(usage, settle)
    pages = []
    for i in range(tabs):
        pages.append(await new_page(browser))
        await join_room(pages[-1], server.room_url(interview['id']), f'Tab {i}')
    after = await _settle_rss(usage, settle)
    for p in [page, *pages]:
        await p.context.close()
    return {'tabs': tabs, 'bytes_per_tab': (after - before) // tabs}


async def per_browser_peer(server, floor_url: str, browser, tabs: int, settle: float = 1.5) -> dict:
    room = f'{server.ws_url}/tabs-{uuid.uuid4().hex[:8]}'
    usage = Usage(server.pid)

    async def open_tab():
        page = await new_page(browser)
        await page.goto(f'{floor_url}/peer?ws={room}')
        await page.wait_for_selector('[data-testid=editor][data-synced=true]', timeout=60_000)
        return page

    first = await open_tab()
    before = await _settle_rss(usage, settle)
    pages = [await open_tab() for _ in range(tabs)]
    after = await _settle_rss(usage, settle)
    for p in [first, *pages]:
        await p.context.close()
    return {'tabs': tabs, 'bytes_per_tab': (after - before) // tabs}


def seed_app_db(data_dir: Path, trace: Trace, *, store: str = 'raw') -> tuple[str, str]:
    """Write an interview holding the trace's whole history (one row per keystroke update) before the server
    starts, so the room is cold: its first join loads it from the store. `store`: 'raw', a store that no server
    ever compacted; 'merged', the rows compacted every 500 (PAIRPAD_COMPACT_EVERY) by merging them alone, as the
    server did before 4d18e80; 'squashed', compacted as the server does now, the room's document first."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db(f'sqlite:///{data_dir / "pairpad.db"}')
    first = initial_update('plaintext')
    interview = create_interview(engine, title=f'{trace.name} history', language='plaintext', initial_update=first)
    log = SqlUpdateLog(engine)
    step = 5000 if store == 'raw' else 500
    room = Doc()  # what the room holds, for 'squashed'
    room.apply_update(first)
    for i in range(0, len(trace.updates), step):
        batch = trace.updates[i:i + step]
        log.append([PendingUpdate(interview.id, u) for u in batch])
        if store == 'squashed':
            with room.transaction():
                for update in batch:
                    room.apply_update(update)
        if store != 'raw':
            log.compact(interview.id, room.get_update() if store == 'squashed' else None)
    engine.dispose()
    return interview.id, interview.candidate_key


def _count_socket_bytes(page) -> list[int]:
    counter = [0]

    def on_websocket(ws) -> None:
        ws.on('framereceived', lambda payload: counter.__setitem__(0, counter[0] + len(payload)))
    page.on('websocket', on_websocket)
    return counter


async def cold_join_ours(server, trace: Trace, browser, *, store: str = 'raw', typing: float = 0.0) -> dict:
    """The interview is written into the running server's database behind its back (SQLite in WAL mode allows
    it), so its room is not in memory: the join loads it from the store, as after a restart or an unload.
    `typing`: seconds between the form showing and the click, as a person takes to type a name."""
    interview_id, key = seed_app_db(server.data_dir, trace, store=store)
    page = await new_page(browser)
    counter = _count_socket_bytes(page)
    await page.goto(f'{server.url}/room/{interview_id}?key={key}')
    await page.get_by_test_id('name-input').fill('Cold')
    await asyncio.sleep(typing)
    before = counter[0]
    start = time.monotonic()
    await page.get_by_test_id('join-button').click()
    await page.wait_for_function('t => { const el = document.querySelector("[data-testid=editor]"); '
                                 'return el && el.pairpad && el.pairpad.editor.getModel().getValue() === t; }',
                                 arg=trace.end, timeout=120_000, polling=5)
    seconds = time.monotonic() - start
    received = counter[0] - before
    await page.context.close()
    return {'seconds': round(seconds, 3), 'socket_bytes': received, 'text_ok': True}


async def cold_join_peer(server, floor_url: str, trace: Trace, browser) -> dict:
    room = f'cold-{uuid.uuid4().hex[:8]}'
    holder = await WebsocketPeer.join(server.ws_url, room)
    holder.client.send(protocol.update(_history(trace)))  # the whole history, merged into one update
    await asyncio.sleep(1.0)
    try:
        page = await new_page(browser)
        counter = _count_socket_bytes(page)
        await page.goto(f'{floor_url}/peer?ws={server.ws_url}/{room}')
        await page.wait_for_function('t => { const el = document.querySelector("[data-testid=editor]"); '
                                     'return el && el.pairpad && el.pairpad.editor.getModel().getValue() === t; }',
                                     arg=trace.end, timeout=120_000, polling=5)
        seconds = await page.evaluate('(performance.now() - window.__openedAt) / 1000')
        await page.context.close()
        return {'seconds': round(seconds, 3), 'socket_bytes': counter[0], 'text_ok': True,
                'note': 'from the socket opening (the page and bundle were loaded before it)'}
    finally:
        await holder.close()


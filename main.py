"""Pairpad: start-up. Configuration from the environment, the store, the live rooms, the team workspace, the pages,
the server; or, as `pairpad users …`, the accounts command (accounts/cli.py)."""

import asyncio
import logging
import sys
import uuid

import uvicorn
from fastapi import FastAPI
from fastapi.routing import APIRoute
from nicegui import Client, app, ui

import pages
from accounts import Workspace
from accounts import cli as accounts_cli
from accounts.retention import RetentionJob
from collab import Limits, RoomRegistry
from collab.fanout import Fanout
from collab.redis_relay import RedisRelay, RelayUnavailable
from completion import CompletionService
from components.collab_editor import SocketTransport
from pages.presence_link import PresenceLink
from pages.services import remove_interview
from pages.socket_polls import LeftBeforeRequest
from pages.team_events import TeamEvents
from pages.run_link import RunLink
from pages.run_panel import keep_run
from config import Settings
from presence import PresenceService
from runner import CodeRunner, RunHubs
from store import DatabaseUnavailable, SqlUpdateLog, create_db, get_interview, room_run_lock


def build(settings: Settings) -> pages.Services:
    engine = create_db(settings.database_url)
    transport = SocketTransport()  # every room's tabs in this process are reached through it (collab.fanout)
    relay = RedisRelay(settings.redis_url, settings.instance_id or uuid.uuid4().hex[:8]) if settings.redis_url else None
    rooms = RoomRegistry(SqlUpdateLog(engine), limits=Limits.from_settings(settings),
                         commit_window=settings.commit_window, compact_every=settings.compact_every,
                         compact_after_idle=settings.compact_after_idle, unload_after=settings.unload_after,
                         hibernate_after=settings.hibernate_after, relay=relay,
                         channel_factory=lambda _room_id: Fanout(transport, interval=settings.fanout_interval,
                                                                 frames_per_s=settings.fanout_frames_per_s))
    presence = PresenceService.from_settings(
        engine, settings, lines=lambda room_id: (room := rooms.loaded(room_id)) and room.lines)
    run_lock = room_run_lock(engine)  # one run per room, across instances on PostgreSQL
    instance = relay.instance_id if relay is not None else None
    runs = RunHubs(CodeRunner.from_settings(settings), lock=run_lock,
                   on_start=lambda interview_id, record: keep_run(engine, interview_id, record, instance),
                   on_end=lambda interview_id, record: keep_run(engine, interview_id, record))
    completion = CompletionService(timeout=settings.completion_timeout) if settings.completion_enabled else None
    services = pages.Services(settings=settings, engine=engine, rooms=rooms, presence=presence, runs=runs,
                              relay=relay, completion=completion)
    if completion is not None:
        app.on_shutdown(completion.close)
    app.on_startup(rooms.start)  # starts the relay too
    if relay is not None:
        for link in (PresenceLink(presence, relay),
                     RunLink(runs, relay, fail_abandoned=lambda: pages.services.fail_abandoned(services))):
            app.on_startup(link.start)
            app.on_shutdown(link.stop)
    app.on_startup(presence.start)
    app.on_startup(lambda: pages.services.fail_abandoned(services))  # runs a dead instance left "running"
    app.on_shutdown(presence.stop)
    app.on_shutdown(runs.close)
    app.on_shutdown(run_lock.close)
    app.on_shutdown(rooms.stop)
    workspace = Workspace.open(engine, settings.secret)
    events = TeamEvents(engine, relay, on_local=lambda change: record_change(workspace, change))
    app.on_shutdown(events.close)
    pages.register(services, workspace, events)
    retention = RetentionJob(engine, settings.retention_days, lambda interview_id: remove_interview(services,
                                                                                                   interview_id))
    app.on_startup(retention.start)
    app.on_shutdown(retention.stop)
    return services


def record_change(workspace: Workspace, change) -> None:
    """The activity log's line for an interview ended or reopened, with who did it (the person in the room, or the
    REST API); created and erased are written by whoever did it."""
    if change.kind in ('ended', 'reopened'):
        interview = get_interview(workspace.engine, change.interview_id)
        workspace.log(change.team_id, change.by or 'an interviewer', change.kind, interview.title if interview else '',
                      change.interview_id)


def users(settings: Settings, argv: list[str]) -> int:
    """`pairpad users create|token …`: the accounts command, on the configured database."""
    try:
        engine = create_db(settings.database_url)
    except DatabaseUnavailable as e:
        sys.exit(f'pairpad: {e}')
    try:
        return accounts_cli.run(argv, engine, settings.secret)
    finally:
        engine.dispose()


def main() -> None:
    settings = Settings.from_env()
    if sys.argv[1:2] == ['users']:
        logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')
        sys.exit(users(settings, sys.argv[2:]))
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    if settings.redis_url:
        try:
            asyncio.run(RedisRelay.check(settings.redis_url))
        except RelayUnavailable as e:
            sys.exit(f'pairpad: {e}')
    if settings.websocket not in WEBSOCKETS:
        sys.exit(f'pairpad: PAIRPAD_WEBSOCKET must be one of {", ".join(WEBSOCKETS)}, not {settings.websocket!r}')
    try:
        build(settings)
    except DatabaseUnavailable as e:  # a wrong DATABASE_URL or a database that does not answer: one line, no traceback
        sys.exit(f'pairpad: {e}')
    serve(settings)


WEBSOCKETS = ('websockets-sansio', 'websockets', 'wsproto')  # uvicorn's names


def serve(settings: Settings) -> None:
    """NiceGUI mounted on an app of ours and served by a uvicorn we configure, not by ui.run: ui.run hard-codes
    uvicorn's `ws='wsproto'`, whose pure-Python framing was the largest item of the server's CPU per keystroke
    (docs/benchmarks.md, issue 17); `websockets-sansio` frames in C."""
    root = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    ui.run_with(root, title='Pairpad', favicon='📝', reconnect_timeout=settings.reconnect_timeout,
                tailwind=False,  # the pages bring their Tailwind compiled (pages/__init__.py)
                show_welcome_message=False)
    app.title = 'Pairpad'
    pages_ = set(Client.page_routes.values())
    for route in app.routes:  # the docs list the REST API, as ui.run's did: not NiceGUI's own routes, not the pages
        if isinstance(route, APIRoute) and (route.path.startswith('/_nicegui') or route.path in pages_):
            route.include_in_schema = False
    app.docs_url, app.redoc_url, app.openapi_url = '/docs', '/redoc', '/openapi.json'  # the REST API's, as before
    app.setup()
    server = uvicorn.Server(uvicorn.Config(LeftBeforeRequest(root), host=settings.host, port=settings.port,
                                           ws=settings.websocket, ws_per_message_deflate=settings.websocket_deflate,
                                           log_level='info', access_log=False))  # says its address when bound
    server.run()
    if not server.started:  # e.g. the port is taken: uvicorn has said why
        sys.exit(1)


if __name__ == '__main__':  # not '__mp_main__': a spawned worker (completion/) imports this file and must not serve
    main()

"""Fixtures for end-to-end tests: a real server subprocess and Debian's Chromium driven by Playwright."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tools.app_server import AppServer

# Assertions wait as long as actions do (new_page's 15 s), not Playwright's 5 s: on a 2-core machine at load 9 (the
# suite's two workers, their browsers and servers) a sign-in's argon2 check and the page it lands on took more than
# 5 s (clean-clone run at fd80309). A passing assertion returns as soon as it holds, so this costs nothing then.
expect.set_options(timeout=15_000)

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
                 '--disable-backgrounding-occluded-windows']


@pytest.fixture(scope='module')
def browser() -> Browser:
    # Module scope, not session: sync Playwright keeps an event loop running while it is open, which would
    # stop the asyncio unit tests collected after the e2e modules.
    with sync_playwright() as p:
        options = {'executable_path': CHROMIUM} if os.path.exists(CHROMIUM) else {}
        browser = p.chromium.launch(headless=True, args=CHROMIUM_ARGS, **options)
        yield browser
        browser.close()


def _run(data_dir: Path, env: dict[str, str] | None = None, *, admin: bool = False):
    """A server for the fixture's scope; it fails the tests that used it if it logged an ERROR. `admin`: a claimed
    server (its first account made by `pairpad users create`: tools/app_server.AppServer)."""
    app = AppServer(data_dir, env=env, admin=admin).start()
    yield app
    app.stop()
    _no_errors(app.log())


def _no_errors(log: str) -> None:
    """Fails with each ERROR line or traceback, the 3 lines before it (who printed it: "Exception in ASGI
    application", "Exception in thread …") and the 40 after it: CI keeps only this message, so it must say where
    the error came from."""
    lines = log.splitlines()
    starts = [i for i, line in enumerate(lines) if ' ERROR ' in line or 'Traceback' in line]
    assert not starts, 'the server logged errors:\n' + '\n---\n'.join(
        '\n'.join(lines[max(0, i - 3):i + 40]) for i in starts)


@pytest.fixture(scope='session')
def shared_server(tmp_path_factory) -> AppServer:
    """One plain server per test worker, for the modules that need nothing else: a server start costs seconds of
    CPU (the toolchains' probes and build caches), and each test makes its own interview, so modules do not see
    each other. A test that stops, kills or restarts a server, or needs settings or accounts, has a server of its
    own (own_server, claimed, a module's own fixture)."""
    yield from _run(tmp_path_factory.mktemp('server'))


@pytest.fixture(scope='module')
def server(shared_server: AppServer) -> AppServer:
    """The worker's plain server; the module fails if the server logged an error while it ran."""
    start = len(shared_server.log())
    yield shared_server
    _no_errors(shared_server.log()[start:])


@pytest.fixture(scope='module')
def claimed(tmp_path_factory) -> AppServer:
    """A server with a team: its administrator (ADMIN_EMAIL) made by `pairpad users create`; the dashboard needs one."""
    yield from _run(tmp_path_factory.mktemp('claimed'), admin=True)


@pytest.fixture
def own_server(tmp_path: Path) -> AppServer:
    """A server for one test, for tests that stop, kill or restart it."""
    yield from _run(tmp_path)


@pytest.fixture
def new_page(browser: Browser):
    """Opens pages in separate browser contexts (separate people), closed after the test."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(permissions=['clipboard-read', 'clipboard-write'])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()

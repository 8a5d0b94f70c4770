"""Chromium for the benchmarks: Debian's /usr/bin/chromium with the same flags as the e2e tests (no background
throttling, so a tab's timers and socket keep running), driven by async Playwright."""

import os

from playwright.async_api import Browser, Page, Playwright

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
                 '--disable-backgrounding-occluded-windows']

NOW = 'performance.timeOrigin + performance.now()'


async def launch(playwright: Playwright) -> Browser:
    options = {'executable_path': CHROMIUM} if os.path.exists(CHROMIUM) else {}
    return await playwright.chromium.launch(headless=True, args=CHROMIUM_ARGS, **options)


async def new_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={'width': 1200, 'height': 800})
    page = await context.new_page()
    page.set_default_timeout(30_000)
    return page


async def join_room(page: Page, room_url: str, name: str) -> None:
    """The app's room page at a private link, joined through its form as a person would; returns once the editor
    is synced."""
    await page.goto(room_url)
    await page.get_by_test_id('name-input').fill(name)
    await page.get_by_test_id('join-button').click()
    await page.wait_for_selector('[data-testid=editor][data-synced=true]', timeout=60_000)

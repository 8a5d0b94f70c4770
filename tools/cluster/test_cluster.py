"""The rig itself: a 2-instance cluster through the Python API. Its parts answer, the proxy pins a browser to an
instance with its cookie (which instance served a request: the X-Pairpad-Instance header and /healthz's
`instance`), a killed instance's browsers and new ones go to the other within ~3 s, and stop() leaves no process;
then `python -m tools.cluster` itself: its JSON line, SIGTERM, a part that fails at start-up.

The API tests share one cluster and run in file order: the later ones kill parts of it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tools.cluster import Cluster
from tools.cluster.parts import MARK, ROOT, free_port
from tools.postgres import PostgresUnavailable, find_binaries

HEADER = 'X-Pairpad-Instance'


def _missing() -> list[str]:
    missing = [name for name, fallback in (('redis-server', '/usr/bin/redis-server'), ('haproxy', '/usr/sbin/haproxy'))
               if not shutil.which(name) and not Path(fallback).exists()]
    try:
        find_binaries()
    except PostgresUnavailable:
        missing.append('postgresql-15')
    return missing


pytestmark = pytest.mark.skipif(bool(_missing()) and not os.environ.get('PAIRPAD_REQUIRE_CLUSTER'), reason=f'needs Debian packages: {" ".join(_missing())}')


@pytest.fixture(scope='module')
def cluster():
    # Under /tmp, not pytest's tmp_path: as root, PostgreSQL runs as an unprivileged user that must reach it.
    state_dir = Path(tempfile.mkdtemp(prefix='pairpad-cluster-'))
    cluster = Cluster(state_dir, instances=2, durable=False)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def fresh_dir():
    state_dir = Path(tempfile.mkdtemp(prefix='pairpad-cluster-'))
    yield state_dir
    shutil.rmtree(state_dir, ignore_errors=True)


def _served_by(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.json()['instance'] == response.headers[HEADER]
    return response.headers[HEADER]


def test_every_part_answers_at_its_url(cluster):
    urls = cluster.urls
    assert set(urls) == {'proxy', 'instances', 'redis', 'database'}
    assert urls['proxy'].startswith('http://127.0.0.1:') and len(urls['instances']) == 2
    assert urls['redis'].startswith('redis://127.0.0.1:') and urls['database'].startswith('postgresql+psycopg://')
    for n, url in enumerate(urls['instances'], 1):
        assert _served_by(httpx.get(f'{url}/healthz')) == f'i{n}'
    assert set(cluster.pids()) == {'postgres', 'redis', 'i1', 'i2', 'haproxy'} and all(cluster.pids().values())


def test_the_proxy_cookie_keeps_a_browser_on_one_instance(cluster):
    with httpx.Client(base_url=cluster.proxy.url) as browser:
        first = browser.get('/')  # the page request of a new browser
        assert first.status_code == 200
        cookie = first.headers['set-cookie']
        assert cookie.startswith('SRV=') and 'HttpOnly' in cookie
        pinned = first.headers[HEADER]
        assert browser.cookies['SRV'] == pinned
        assert {_served_by(browser.get('/healthz')) for _ in range(8)} == {pinned}
    # without the cookie, leastconn spreads new browsers over both
    assert {_served_by(httpx.get(f'{cluster.proxy.url}/healthz')) for _ in range(8)} == {'i1', 'i2'}


def test_a_killed_instance_is_replaced_by_the_other_within_3_seconds(cluster):
    with httpx.Client(base_url=cluster.proxy.url) as browser:
        victim = _served_by(browser.get('/healthz'))
        survivor = 'i2' if victim == 'i1' else 'i1'
        cluster.instance(int(victim[1:]) - 1).kill()
        killed = time.monotonic()
        # the browser pinned to the dead instance is sent to the other, which pins it anew
        moved = browser.get('/healthz')
        assert _served_by(moved) == survivor and browser.cookies['SRV'] == survivor
    deadline = killed + 3
    while True:  # new browsers: every one goes to the survivor once the proxy has marked the victim down
        served = [_served_by(httpx.get(f'{cluster.proxy.url}/healthz', timeout=5)) for _ in range(4)]
        if set(served) == {survivor}:
            break
        assert time.monotonic() < deadline, served
        time.sleep(0.2)
    assert time.monotonic() - killed < 3.5


def test_a_killed_instance_starts_again_and_stop_leaves_no_process(cluster):
    for instance in cluster.instances:
        if not instance.alive:
            instance.start()
    assert all(_served_by(httpx.get(f'{i.url}/healthz')) == i.id for i in cluster.instances)
    pids = [pid for pid in cluster.pids().values() if pid]
    assert len(pids) == 5
    cluster.stop()
    assert not any(cluster.pids().values())
    assert not [_alive(pid) for pid in pids if _alive(pid)]
    assert not _processes_of(cluster.state_dir)  # postgres' backends included


def _processes_of(state_dir: Path) -> list[str]:
    """Processes that carry the rig's mark or name the state directory on their command line."""
    found = []
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / 'cmdline').read_bytes().replace(b'\0', b' ')
            environ = (proc / 'environ').read_bytes().split(b'\0')
        except OSError:
            continue
        if str(state_dir).encode() in cmdline or f'{MARK}={state_dir}'.encode() in environ:
            found.append(f'{proc.name}: {cmdline.decode(errors="replace")}')
    return found


def _alive(pid: int) -> str | None:
    """The process' stat line if it exists and is not a zombie (one whose parent, init for the postmaster, has not
    reaped it yet), else None."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return None
    return None if stat.split(') ')[-1].startswith('Z') else stat


def _cli(state_dir: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, '-m', 'tools.cluster', '--instances', '1', '--port', str(port),
                             '--state-dir', str(state_dir), '--no-fsync'], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_the_command_prints_the_urls_and_stops_everything_on_sigterm(fresh_dir):
    port = free_port()
    cli = _cli(fresh_dir, port)
    try:
        line = cli.stdout.readline()
        assert line, cli.stderr.read()
        urls = json.loads(line)
        assert urls['proxy'] == f'http://127.0.0.1:{port}' and len(urls['instances']) == 1
        assert _served_by(httpx.get(f'{urls["proxy"]}/healthz')) == 'i1'
        pids = [pid for pid in json.loads((fresh_dir / 'pids.json').read_text()).values() if pid]
        assert len(pids) == 4
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(30) == 0
    finally:
        cli.kill()
    assert not [_alive(pid) for pid in pids if _alive(pid)] and not _processes_of(fresh_dir)
    assert not any(json.loads((fresh_dir / 'pids.json').read_text()).values())


def test_a_part_that_fails_at_start_up_stops_the_others_and_the_command_says_why(fresh_dir):
    with socket.socket() as taken:  # the proxy's port is taken: haproxy cannot bind it
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        cli = _cli(fresh_dir, taken.getsockname()[1])
        try:
            assert cli.wait(60) == 1
        finally:
            cli.kill()
    error = cli.stderr.read()
    assert 'haproxy exited' in error and 'cannot bind socket' in error, error
    assert cli.stdout.read() == ''
    assert not _processes_of(fresh_dir)

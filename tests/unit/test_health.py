"""GET /healthz on a FastAPI app of its own (as test_api.py does): 200 while the store (and a configured relay)
answers, 503 with the reason otherwise; the instance's name in the body and, through the middleware, in a header."""

import asyncio
import threading
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event

from config import Settings
from pages.health import INSTANCE_HEADER, InstanceHeader, build_router
from store import create_db


@dataclass
class _Services:  # what /healthz reads of pages.Services
    settings: Settings
    engine: object
    relay: object = None


def _client(services, timeout: float = 2.0, middleware: bool = False) -> TestClient:
    app = FastAPI()
    app.include_router(build_router(services, timeout=timeout))

    @app.get('/other')
    def other() -> dict:
        return {}

    if middleware:
        app.add_middleware(InstanceHeader, instance_id=services.settings.instance_id)
    return TestClient(app)


def test_a_reachable_store_is_healthy(tmp_path):
    services = _Services(Settings(), create_db(f'sqlite:///{tmp_path / "p.db"}'))
    response = _client(services).get('/healthz')
    assert response.status_code == 200 and response.json() == {'status': 'ok'}
    assert response.headers['cache-control'] == 'no-store'


def test_an_unreachable_database_gives_503_with_the_reason():
    # nothing listens on port 1: the connection is refused at once
    engine = create_engine('postgresql+psycopg://pairpad@127.0.0.1:1/pairpad', connect_args={'connect_timeout': 2})
    response = _client(_Services(Settings(), engine)).get('/healthz')
    assert response.status_code == 503
    body = response.json()
    assert body['status'] == 'unavailable'
    assert body['reason'].startswith('store: OperationalError') and '127.0.0.1' in body['reason'], body


def test_a_hanging_database_gives_503_in_time_and_the_checks_do_not_pile_up(tmp_path):
    engine = create_db(f'sqlite:///{tmp_path / "p.db"}')
    release, calls = threading.Event(), []

    @event.listens_for(engine, 'before_cursor_execute')
    def _hang(*_args) -> None:
        calls.append(1)
        release.wait(10)

    client = _client(_Services(Settings(), engine), timeout=0.2)
    try:
        first, second = client.get('/healthz'), client.get('/healthz')
    finally:
        release.set()
    assert (first.status_code, first.json()['reason']) == (503, 'store: no answer within 0.2 s')
    assert (second.status_code, second.json()['reason']) == (503, 'store: no answer within 0.2 s')
    assert len(calls) == 1  # the second check waited for the hung query instead of starting another behind it


class _Relay:
    def __init__(self, error: Exception | None = None, delay: float = 0.0) -> None:
        self.error, self.delay = error, delay

    async def ping(self) -> None:
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error


@pytest.mark.parametrize(('relay', 'status', 'reason'), [
    (_Relay(), 200, None),
    (_Relay(ConnectionError('Error 111 connecting to 127.0.0.1:6379. Connection refused.')), 503,
     'redis: ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused.'),
    (_Relay(delay=5), 503, 'redis: no answer within 0.2 s'),
])
def test_a_configured_relay_is_checked_too(tmp_path, relay, status, reason):
    services = _Services(Settings(), create_db(f'sqlite:///{tmp_path / "p.db"}'), relay=relay)
    response = _client(services, timeout=0.2).get('/healthz')
    assert response.status_code == status
    assert response.json().get('reason') == reason


def test_the_instance_names_itself_in_the_body_and_in_a_header_of_every_response(tmp_path):
    services = _Services(Settings(instance_id='i2'), create_db(f'sqlite:///{tmp_path / "p.db"}'))
    client = _client(services, middleware=True)
    health = client.get('/healthz')
    assert health.json() == {'status': 'ok', 'instance': 'i2'} and health.headers[INSTANCE_HEADER] == 'i2'
    assert client.get('/other').headers[INSTANCE_HEADER] == 'i2'


def test_the_instance_id_comes_from_the_environment():
    assert Settings.from_env({'PAIRPAD_INSTANCE_ID': 'i3'}).instance_id == 'i3'
    assert Settings.from_env({}).instance_id == ''

"""Databases for the store's tests: `database_url` is parametrized over SQLite (a file in tmp_path) and a real
PostgreSQL, a private cluster started once per session from Debian's binaries (tools/postgres.py) in a fresh
/tmp/pairpad-pg-* directory, with an empty database per test.

Without the binaries the PostgreSQL cases skip, or fail when PAIRPAD_REQUIRE_POSTGRES=1 (CI sets it). As root the
server runs as `nobody` (tools/postgres.py says why and how)."""

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from tools.postgres import PostgresCluster, PostgresUnavailable, find_binaries, free_port


@pytest.fixture(scope='session')
def postgres_cluster():
    try:
        find_binaries()
    except PostgresUnavailable as error:
        if os.environ.get('PAIRPAD_REQUIRE_POSTGRES') == '1':
            pytest.fail(f'PAIRPAD_REQUIRE_POSTGRES=1 but {error}', pytrace=False)
        pytest.skip(str(error))
    state = Path(tempfile.mkdtemp(prefix='pairpad-pg-'))
    cluster = PostgresCluster(state, free_port(), durable=False, settings={'max_connections': '200'})
    try:
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster):
    """An empty database of its own, dropped (its sessions ended) after the test."""
    import psycopg
    name = f'test_{uuid.uuid4().hex[:12]}'
    url = postgres_cluster.create_database(name)
    yield url
    with psycopg.connect(host='127.0.0.1', port=postgres_cluster.port, user='postgres', dbname='postgres',
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=['sqlite', 'postgresql'])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once on each engine the store supports."""
    if request.param == 'sqlite':
        (tmp_path / 'sub').mkdir()
        return f'sqlite:///{tmp_path / "sub" / "pairpad.db"}'
    return request.getfixturevalue('postgres_url')

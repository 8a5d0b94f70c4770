"""Engine creation: SQLite by default (a file under ./data/), any SQLAlchemy URL through DATABASE_URL (PostgreSQL:
postgresql+psycopg://user:password@host/database). The schema is brought up to date at every start
(store/migrate.py)."""

import re
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import create_engine

from . import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from .migrate import upgrade


class DatabaseUnavailable(RuntimeError):
    """The database URL is unusable or the database does not answer; the message names the URL (password masked)
    and the reason in one line."""


def create_db(url: str) -> Engine:
    """Create the engine and upgrade the schema. SQLite runs in WAL mode so readers never wait for the group commit.
    Raises DatabaseUnavailable when the URL is wrong or the database cannot be reached."""
    if url.startswith('sqlite:///') and not url.startswith('sqlite:///:memory:'):
        try:
            Path(url.removeprefix('sqlite:///')).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f'cannot connect to the database at {masked(url)}: {_one_line(error)}') from None
    is_sqlite = url.startswith('sqlite')
    try:
        # pool_pre_ping: a pooled connection is checked before use, so after a database restart the app reconnects
        # instead of failing once with "server closed the connection" per pooled connection (SQLite has no server)
        engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30} if is_sqlite else {},
                               pool_pre_ping=not is_sqlite)
    except (ArgumentError, ImportError) as error:
        raise DatabaseUnavailable(f'not a usable database URL: {masked(url)} ({_one_line(error)})') from None
    if is_sqlite:
        @event.listens_for(engine, 'connect')
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute('PRAGMA journal_mode=WAL')
            cursor.execute('PRAGMA synchronous=NORMAL')  # durable across a process crash, which is what we face
            cursor.execute('PRAGMA foreign_keys=ON')
            cursor.close()
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        raise DatabaseUnavailable(f'cannot connect to the database at {masked(url)}: '
                                  f'{_one_line(error.orig or error)}') from None
    upgrade(engine)
    return engine


def masked(url: str) -> str:
    """The URL with its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r'(://[^:/@]*:)[^@]*@', r'\1***@', url)


def _one_line(error: BaseException) -> str:
    return ' '.join(str(error).split()) or type(error).__name__

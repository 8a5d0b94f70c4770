"""Engine creation: SQLite by default (a file under ./data/), any SQLAlchemy URL through DATABASE_URL."""

from pathlib import Path

import logging

from sqlalchemy import Engine, event, inspect, text
from sqlmodel import SQLModel, create_engine

from . import models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)


def create_db(url: str) -> Engine:
    """Create the engine and the tables. SQLite runs in WAL mode so readers never wait for the group commit."""
    if url.startswith('sqlite:///') and not url.startswith('sqlite:///:memory:'):
        Path(url.removeprefix('sqlite:///')).parent.mkdir(parents=True, exist_ok=True)
    is_sqlite = url.startswith('sqlite')
    engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30} if is_sqlite else {})
    if is_sqlite:
        @event.listens_for(engine, 'connect')
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute('PRAGMA journal_mode=WAL')
            cursor.execute('PRAGMA synchronous=NORMAL')  # durable across a process crash, which is what we face
            cursor.execute('PRAGMA foreign_keys=ON')
            cursor.close()
    SQLModel.metadata.create_all(engine)
    _add_new_columns(engine)
    return engine


def _add_new_columns(engine: Engine) -> None:
    """Add the columns a newer build introduced to tables an older build created (create_all only creates
    missing tables). Only additive changes happen here, each with its default; anything else needs a migration
    tool (Alembic) — see docs/architecture.md."""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            existing = {column['name'] for column in inspector.get_columns(table.name)}
            key = inspector.get_pk_constraint(table.name)['constrained_columns']
            if key and set(key) != {column.name for column in table.primary_key.columns}:
                raise RuntimeError(f'the database at {engine.url} was made by an older build of Pairpad whose table '
                                   f'{table.name} has another primary key; move it away (or set DATABASE_URL) to '
                                   'start with a new one')
            for column in table.columns:
                if column.name in existing:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = column.default.arg if column.default is not None and column.default.is_scalar else None
                clause = f' DEFAULT {int(default) if isinstance(default, bool) else repr(default)}' \
                    if isinstance(default, (bool, int, str)) else ''
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{clause}'))
                log.warning('added column %s.%s (the database was made by an older build)', table.name, column.name)

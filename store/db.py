"""Engine creation: SQLite by default (a file under ./data/), any SQLAlchemy URL through DATABASE_URL."""

from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import SQLModel, create_engine

from . import models  # noqa: F401  (registers the tables on SQLModel.metadata)


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
    return engine

"""Alembic's environment: store.migrate hands it an open connection (config.attributes['connection']) inside the
transaction that holds the migration lock; Alembic's own command line gets one from DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from store import models  # noqa: F401  (registers the tables on SQLModel.metadata: autogenerate compares with it)

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == 'sqlite')  # SQLite alters tables by copying them
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get('connection')
if connection is not None:
    run(connection)
else:
    with create_engine(os.environ.get('DATABASE_URL', 'sqlite:///data/pairpad.db')).begin() as connection:
        run(connection)

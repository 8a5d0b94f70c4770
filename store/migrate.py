"""The schema upgrade: Alembic's revisions in store/migrations/versions, applied by create_db at every start and by
`make migrate` (`python -m store`).

The whole upgrade is one transaction that first takes the migration lock (store.locks.transaction_lock): of two
instances starting at once on one PostgreSQL database, the second waits and then finds the schema at head. A
database made by the release before Alembic (tables, no alembic_version) is adopted: what that release's additive
upgrade would have added is added, the database is stamped at the baseline revision, then upgraded as any other.
"""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from .locks import transaction_lock

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / 'migrations'
BASELINE = '0001'  # the schema of the last release before Alembic


class SchemaMismatch(RuntimeError):
    """The database holds tables this build cannot upgrade."""


def upgrade(engine: Engine) -> None:
    """Bring the database's schema to the newest revision (nothing if it is there)."""
    with engine.begin() as connection:
        transaction_lock(connection, 'migrate')
        config = _config(connection)
        if _made_before_alembic(connection):
            _adopt(connection, ScriptDirectory.from_config(config).get_revision(BASELINE).module.metadata)
            command.stamp(config, BASELINE)
            log.warning('adopted the database at %s (made before schema migrations) at revision %s',
                        engine.url.render_as_string(hide_password=True), BASELINE)
        command.upgrade(config, 'head')


def head() -> str:
    """The newest revision this build knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at; None before any."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS))
    config.attributes['connection'] = connection  # env.py runs the revisions on it, inside our transaction
    return config


def _made_before_alembic(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return 'alembic_version' not in tables and 'interview' in tables


def _adopt(connection: Connection, baseline) -> None:
    """Complete a database of an older build up to the baseline schema, as that build did at its start: missing
    tables created, missing columns added with their default. Anything else is a SchemaMismatch."""
    baseline.create_all(connection)  # only the missing tables
    inspector = inspect(connection)
    for table in baseline.sorted_tables:
        key = inspector.get_pk_constraint(table.name)['constrained_columns']
        if set(key) != {column.name for column in table.primary_key.columns}:
            raise SchemaMismatch(f'the database was made by an older build of Pairpad whose table {table.name} has '
                                 'another primary key; move it away (or set DATABASE_URL) to start with a new one')
        existing = {column['name'] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in existing:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            clause = f' DEFAULT {_literal(default)}' if default is not None else ''
            connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{clause}'))
            log.warning('added column %s.%s (the database was made by an older build)', table.name, column.name)


def _literal(value: bool | int | str) -> str:
    if isinstance(value, bool):
        return 'TRUE' if value else 'FALSE'
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


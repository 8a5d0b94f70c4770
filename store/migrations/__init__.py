"""The schema's history as Alembic revisions (versions/), applied by store.migrate at start-up or `make migrate`.
A new revision: `alembic -c store/migrations/alembic.ini revision -m "what changes"`, then write its upgrade."""

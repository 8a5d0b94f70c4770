"""The schema of the last release before Alembic (7f0a248), as its SQLModel.metadata.create_all made it.

A database that release made has these tables and no alembic_version table: store.migrate adopts it (fills in
what its additive upgrade would have added, then stamps it at this revision) instead of running this one.
The tables are frozen here, not imported from store.models: the models move on, this revision does not.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()
_key = sa.String(32)
_time = sa.DateTime(timezone=True)

sa.Table('interview', metadata,
         sa.Column('id', _key, primary_key=True),
         sa.Column('title', sa.String(200), nullable=False),
         sa.Column('language', sa.String(32), nullable=False),
         sa.Column('created_at', _time, nullable=False),
         sa.Column('ended_at', _time),
         sa.Column('interviewer_key', sa.String(32), nullable=False, default=''),
         sa.Column('candidate_key', sa.String(32), nullable=False, default=''))
sa.Table('coderun', metadata,
         sa.Column('id', _key, primary_key=True),
         sa.Column('interview_id', _key, sa.ForeignKey('interview.id'), nullable=False, index=True),
         sa.Column('language', sa.String(32), nullable=False),
         sa.Column('started_by', sa.String(40), nullable=False),
         sa.Column('started_at', _time, nullable=False),
         sa.Column('duration', sa.Float),
         sa.Column('exit_code', sa.Integer),
         sa.Column('outcome', sa.String(16), nullable=False),
         sa.Column('summary', sa.String(300), nullable=False),
         sa.Column('output', sa.String, nullable=False, default='[]'))
sa.Table('docsnapshot', metadata,
         sa.Column('interview_id', _key, sa.ForeignKey('interview.id'), primary_key=True),
         sa.Column('document', sa.String(8), primary_key=True, default='code'),
         sa.Column('data', sa.LargeBinary, nullable=False),
         sa.Column('checksum', sa.Integer, nullable=False),
         sa.Column('updated_at', _time, nullable=False))
sa.Table('docupdate', metadata,
         sa.Column('id', sa.Integer, primary_key=True),
         sa.Column('interview_id', _key, sa.ForeignKey('interview.id'), nullable=False, index=True),
         sa.Column('document', sa.String(8), nullable=False, default='code'),
         sa.Column('data', sa.LargeBinary, nullable=False),
         sa.Column('checksum', sa.Integer, nullable=False),
         sa.Column('created_at', _time, nullable=False),
         sa.Column('author', sa.String(32)),
         sa.Column('compacted', sa.Boolean, nullable=False, default=False, index=True))
sa.Table('participant', metadata,
         sa.Column('id', _key, primary_key=True),
         sa.Column('interview_id', _key, sa.ForeignKey('interview.id'), nullable=False, index=True),
         sa.Column('name', sa.String(40), nullable=False),
         sa.Column('color', sa.String(7), nullable=False),
         sa.Column('role', sa.String(16), nullable=False),
         sa.Column('status', sa.String(8), nullable=False, default='online'),
         sa.Column('is_typing', sa.Boolean, nullable=False, default=False),
         sa.Column('cursor_line', sa.Integer),
         sa.Column('cursor_column', sa.Integer),
         sa.Column('token_hash', sa.String(64), nullable=False),
         sa.Column('joined_at', _time, nullable=False),
         sa.Column('last_seen_at', _time, nullable=False))


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())

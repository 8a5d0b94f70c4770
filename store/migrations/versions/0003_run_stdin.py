"""coderun.stdin: what a run's program was given on its standard input (the room's shared stdin box when Run was
pressed), kept with the run so the report, the playback timeline and the REST API show what the output answered.
Rows of earlier runs get '' (they ran with no input).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('coderun', sa.Column('stdin', sa.String, nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('coderun') as batch:
        batch.drop_column('stdin')

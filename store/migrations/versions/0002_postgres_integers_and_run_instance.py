"""What PostgreSQL needs and what several instances need.

- The CRC-32 checksums (docupdate, docsnapshot) are unsigned 32-bit: half of them overflowed PostgreSQL's 4-byte
  INTEGER, so they become BIGINT; the update log's id becomes BIGINT too (one row per keystroke). SQLite's
  INTEGER already holds 64 bits: nothing changes there.
- coderun.instance: which instance ran the run, so a run it left `running` when it died can be failed with a
  reason that names it (store.runs.fail_abandoned_runs).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('docupdate', 'docsnapshot'):
            op.alter_column(table, 'checksum', type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=False)
        op.alter_column('docupdate', 'id', type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=False)
        op.execute('ALTER SEQUENCE docupdate_id_seq AS BIGINT')
    op.add_column('coderun', sa.Column('instance', sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('coderun') as batch:
        batch.drop_column('instance')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER SEQUENCE docupdate_id_seq AS INTEGER')
        op.alter_column('docupdate', 'id', type_=sa.Integer, existing_type=sa.BigInteger, existing_nullable=False)
        for table in ('docupdate', 'docsnapshot'):
            op.alter_column(table, 'checksum', type_=sa.Integer, existing_type=sa.BigInteger, existing_nullable=False)

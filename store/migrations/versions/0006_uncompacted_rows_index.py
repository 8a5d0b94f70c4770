"""An index on docupdate (interview_id, document, compacted, id): a compaction reads a room's uncompacted rows
without a "last compacted id" bound (that bound could skip a row another instance committed late, out of id
order: store/update_log.py), so the read must stay small however long the room's kept history is. Nothing else
changes.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_docupdate_room_uncompacted', 'docupdate', ['interview_id', 'document', 'compacted', 'id'])


def downgrade() -> None:
    op.drop_index('ix_docupdate_room_uncompacted', table_name='docupdate')

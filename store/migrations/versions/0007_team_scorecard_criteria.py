"""team.scorecard_criteria: a team's own default scorecard criteria (what a scorecard rates when the interview's
question has no rubric), one per line. Existing teams get '' and keep the built-in criteria.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('team', sa.Column('scorecard_criteria', sa.String(3000), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('team') as batch:
        batch.drop_column('scorecard_criteria')

"""The team workspace (issue 14): teams, accounts, their sessions and API tokens, invites, the activity log, sign-in
failures (the rate limit), server settings (the session secret shared by every instance); and on interview, whose
it is (team_id, created_by) and the candidate's name. Interviews made before stay without a team (None): the
dashboard does not list them, their links keep working.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INT64 = sa.BigInteger().with_variant(sa.Integer, 'sqlite')
_TIME = sa.DateTime(timezone=True)  # as SQLModel declares an aware datetime (revision 0001)


def upgrade() -> None:
    op.create_table('team', sa.Column('id', sa.String(32), primary_key=True),
                    sa.Column('name', sa.String(80), nullable=False),
                    sa.Column('created_at', _TIME, nullable=False))
    op.create_table('account', sa.Column('id', sa.String(32), primary_key=True),
                    sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), nullable=False),
                    sa.Column('email', sa.String(254), nullable=False, unique=True),
                    sa.Column('name', sa.String(40), nullable=False),
                    sa.Column('password_hash', sa.String(200), nullable=True),
                    sa.Column('is_admin', sa.Boolean, nullable=False),
                    sa.Column('disabled', sa.Boolean, nullable=False),
                    sa.Column('created_at', _TIME, nullable=False))
    op.create_index('ix_account_team_id', 'account', ['team_id'])
    op.create_table('accountsession', sa.Column('id_hash', sa.String(64), primary_key=True),
                    sa.Column('account_id', sa.String(32), sa.ForeignKey('account.id'), nullable=False),
                    sa.Column('created_at', _TIME, nullable=False),
                    sa.Column('entered', sa.Boolean, nullable=False))
    op.create_index('ix_accountsession_account_id', 'accountsession', ['account_id'])
    op.create_table('apitoken', sa.Column('token_hash', sa.String(64), primary_key=True),
                    sa.Column('account_id', sa.String(32), sa.ForeignKey('account.id'), nullable=False),
                    sa.Column('scopes', sa.String(100), nullable=False),
                    sa.Column('created_at', _TIME, nullable=False))
    op.create_index('ix_apitoken_account_id', 'apitoken', ['account_id'])
    op.create_table('invite', sa.Column('token_hash', sa.String(64), primary_key=True),
                    sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), nullable=False),
                    sa.Column('email', sa.String(254), nullable=False),
                    sa.Column('is_admin', sa.Boolean, nullable=False),
                    sa.Column('created_by', sa.String(32), nullable=False),
                    sa.Column('created_at', _TIME, nullable=False),
                    sa.Column('expires_at', _TIME, nullable=False),
                    sa.Column('used_at', _TIME, nullable=True))
    op.create_table('activity', sa.Column('id', INT64, primary_key=True),
                    sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), nullable=False),
                    sa.Column('at', _TIME, nullable=False),
                    sa.Column('actor', sa.String(40), nullable=False),
                    sa.Column('action', sa.String(32), nullable=False),
                    sa.Column('subject', sa.String(254), nullable=False),
                    sa.Column('interview_id', sa.String(32), nullable=True))
    op.create_index('ix_activity_team_id', 'activity', ['team_id'])
    op.create_index('ix_activity_interview_id', 'activity', ['interview_id'])
    op.create_table('signinfailure', sa.Column('id', INT64, primary_key=True),
                    sa.Column('key', sa.String(300), nullable=False),
                    sa.Column('at', sa.Float, nullable=False))
    op.create_index('ix_signinfailure_key', 'signinfailure', ['key'])
    op.create_table('serversetting', sa.Column('key', sa.String(64), primary_key=True),
                    sa.Column('value', sa.String(200), nullable=False))
    op.add_column('interview', sa.Column('team_id', sa.String(32), nullable=True))
    op.add_column('interview', sa.Column('created_by', sa.String(32), nullable=True))
    op.add_column('interview', sa.Column('candidate_name', sa.String(40), nullable=False, server_default=''))
    op.create_index('ix_interview_team_id', 'interview', ['team_id'])


def downgrade() -> None:
    op.drop_index('ix_interview_team_id', 'interview')
    with op.batch_alter_table('interview') as batch:
        for column in ('candidate_name', 'created_by', 'team_id'):
            batch.drop_column(column)
    for table in ('serversetting', 'signinfailure', 'activity', 'invite', 'apitoken', 'accountsession', 'account',
                  'team'):
        op.drop_table(table)

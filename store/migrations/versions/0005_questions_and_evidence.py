"""Interview content and evidence (issue 15): the team's questions, the question an interview uses, test runs,
scorecards and integrity signals. New tables only: nothing earlier changes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INT64 = sa.BigInteger().with_variant(sa.Integer, 'sqlite')
_TIME = sa.DateTime(timezone=True)  # as SQLModel declares an aware datetime (revision 0001)


def _interview_id() -> sa.Column:
    return sa.Column('interview_id', sa.String(32), sa.ForeignKey('interview.id'), nullable=False)


def upgrade() -> None:
    op.create_table('question', sa.Column('id', sa.String(32), primary_key=True),
                    sa.Column('team_id', sa.String(32), nullable=False),
                    sa.Column('slug', sa.String(64), nullable=False),
                    sa.Column('title', sa.String(200), nullable=False),
                    sa.Column('difficulty', sa.String(8), nullable=False),
                    sa.Column('tags', sa.String(600), nullable=False),
                    sa.Column('body', sa.Text, nullable=False),
                    sa.Column('updated_by', sa.String(40), nullable=True),
                    sa.Column('updated_at', _TIME, nullable=False),
                    sa.UniqueConstraint('team_id', 'slug'))
    op.create_index('ix_question_team_id', 'question', ['team_id'])
    op.create_table('interviewquestion',
                    sa.Column('interview_id', sa.String(32), sa.ForeignKey('interview.id'), primary_key=True),
                    sa.Column('body', sa.Text, nullable=False),
                    sa.Column('picked_by', sa.String(40), nullable=False),
                    sa.Column('picked_at', _TIME, nullable=False))
    op.create_table('testrun', sa.Column('id', sa.String(32), primary_key=True), _interview_id(),
                    sa.Column('language', sa.String(32), nullable=False),
                    sa.Column('started_by', sa.String(40), nullable=False),
                    sa.Column('started_at', _TIME, nullable=False),
                    sa.Column('passed', sa.Integer, nullable=False),
                    sa.Column('total', sa.Integer, nullable=False),
                    sa.Column('results', sa.Text, nullable=False))
    op.create_index('ix_testrun_interview_id', 'testrun', ['interview_id'])
    op.create_table('scorecard', sa.Column('id', sa.String(32), primary_key=True), _interview_id(),
                    sa.Column('author_id', sa.String(32), nullable=False),
                    sa.Column('author_name', sa.String(40), nullable=False),
                    sa.Column('ratings', sa.Text, nullable=False),
                    sa.Column('recommendation', sa.String(12), nullable=True),
                    sa.Column('summary', sa.Text, nullable=False),
                    sa.Column('submitted_at', _TIME, nullable=True),
                    sa.Column('updated_at', _TIME, nullable=False),
                    sa.UniqueConstraint('interview_id', 'author_id'))
    op.create_index('ix_scorecard_interview_id', 'scorecard', ['interview_id'])
    op.create_table('signal', sa.Column('id', INT64, primary_key=True), _interview_id(),
                    sa.Column('participant_id', sa.String(32), nullable=False),
                    sa.Column('kind', sa.String(12), nullable=False),
                    sa.Column('at', _TIME, nullable=False),
                    sa.Column('characters', sa.Integer, nullable=False),
                    sa.Column('lines', sa.Integer, nullable=False),
                    sa.Column('seconds', sa.Float, nullable=False),
                    sa.Column('detail', sa.String(300), nullable=False))
    op.create_index('ix_signal_interview_id', 'signal', ['interview_id'])


def downgrade() -> None:
    for table in ('signal', 'scorecard', 'testrun', 'interviewquestion', 'question'):
        op.drop_table(table)

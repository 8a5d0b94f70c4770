"""Tables of interview content and evidence: the team's questions, the question an interview uses, test runs,
scorecards and integrity signals.

A question is kept as the JSON its validator produced (the `questions` package reads and writes it): the store
needs only what it lists and searches by (title, difficulty, tags) as columns. An interview keeps its own copy of
the question it uses, so editing the library never changes an interview that already happened.
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .models import INT64, utcnow


class QuestionRow(SQLModel, table=True):
    __tablename__ = 'question'
    __table_args__ = (UniqueConstraint('team_id', 'slug'),)
    id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(default='', index=True, max_length=32)  # '': the server has no team yet (unique slugs too)
    slug: str = Field(max_length=64)
    title: str = Field(max_length=200)
    difficulty: str = Field(max_length=8)
    tags: str = Field(default='', max_length=600)  # comma-separated, for the library's filter
    body: str = Field(sa_column=Column(Text, nullable=False))  # the question as JSON (questions.Question)
    updated_by: str | None = Field(default=None, max_length=40)
    updated_at: datetime = Field(default_factory=utcnow)


class InterviewQuestion(SQLModel, table=True):
    """The question an interview uses, as it was when picked."""

    interview_id: str = Field(foreign_key='interview.id', primary_key=True, max_length=32)
    body: str = Field(sa_column=Column(Text, nullable=False))
    picked_by: str = Field(max_length=40)
    picked_at: datetime = Field(default_factory=utcnow)


class TestRunRow(SQLModel, table=True):
    """One press of Run tests, with every case's result (hidden ones too: what a role sees is chosen on reading)."""

    __tablename__ = 'testrun'
    __test__ = False
    id: str = Field(primary_key=True, max_length=32)
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    language: str = Field(max_length=32)
    started_by: str = Field(max_length=40)
    started_at: datetime = Field(default_factory=utcnow)
    passed: int = 0
    total: int = 0
    results: str = Field(sa_column=Column(Text, nullable=False))  # JSON: questions.TestRun.view('interviewer')


class Scorecard(SQLModel, table=True):
    """One interviewer's scorecard of one interview: a draft until submitted."""

    __table_args__ = (UniqueConstraint('interview_id', 'author_id'),)
    id: str = Field(primary_key=True, max_length=32)
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    author_id: str = Field(max_length=32)  # the account id, or the participant id of a link-only interviewer
    author_name: str = Field(max_length=40)
    ratings: str = Field(default='[]', sa_column=Column(Text, nullable=False))  # JSON [{criterion, score, comment}]
    recommendation: str | None = Field(default=None, max_length=12)  # strong_no | no | yes | strong_yes
    summary: str = Field(default='', sa_column=Column(Text, nullable=False))
    submitted_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Signal(SQLModel, table=True):
    """A fact about how the code came to be (a paste, time away from the tab, a run), never a verdict."""

    id: int | None = Field(default=None, primary_key=True, sa_type=INT64)
    interview_id: str = Field(foreign_key='interview.id', index=True, max_length=32)
    participant_id: str = Field(max_length=32)
    kind: str = Field(max_length=12)  # paste | away | run | test_run
    at: datetime = Field(default_factory=utcnow)
    characters: int = 0    # paste: characters pasted
    lines: int = 0         # paste: lines pasted
    seconds: float = 0.0   # away: how long
    detail: str = Field(default='', max_length=300)

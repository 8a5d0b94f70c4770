"""Reading and writing interview content and evidence: the team's questions, the question an interview uses, test
runs, scorecards and integrity signals (tables in store/question_models.py).

Every question lookup is scoped by team (the team's id; '' on a server without accounts yet): a question id of
another team reads as unknown. Scorecards are one per interviewer and interview, upserted, and stay submitted and
complete once submitted (what the others saw cannot be taken back).
"""

import secrets
from datetime import datetime, timezone

from sqlalchemy import Engine, delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .locks import transaction_lock
from .models import utcnow
from .question_models import InterviewQuestion, QuestionRow, Scorecard, Signal, TestRunRow


class SlugTaken(ValueError):
    """Another question of the team has this slug."""


def save_question(engine: Engine, *, team_id: str, slug: str, title: str, difficulty: str, tags: list[str],
                  body: str, updated_by: str | None, question_id: str | None = None) -> QuestionRow:
    """Create a question (question_id None) or replace one of the team's; SlugTaken if the slug is another's."""
    with Session(engine) as session:
        row = _team_question(session, team_id, question_id) if question_id else None
        if question_id and row is None:
            raise LookupError('no such question in this team')
        row = row or QuestionRow(id=secrets.token_urlsafe(9), team_id=team_id, slug=slug, title=title,
                              difficulty=difficulty, body=body)
        row.slug, row.title, row.difficulty, row.tags, row.body = slug, title, difficulty, ','.join(tags), body
        row.updated_by, row.updated_at = updated_by, utcnow()
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            raise SlugTaken(f'another question of the team is called {slug!r}') from None
        session.refresh(row)
        return row


def list_questions(engine: Engine, team_id: str, *, search: str = '', difficulty: str | None = None,
                   tag: str | None = None) -> list[QuestionRow]:
    """The team's questions by title; `search` matches title and slug (wildcards taken literally)."""
    query = select(QuestionRow).where(_team(team_id))
    if search:
        pattern = '%' + search.lower().replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        query = query.where(or_(func.lower(QuestionRow.title).like(pattern, escape='\\'),
                                col(QuestionRow.slug).like(pattern, escape='\\')))
    if difficulty:
        query = query.where(QuestionRow.difficulty == difficulty)
    with Session(engine) as session:
        rows = list(session.exec(query.order_by(func.lower(QuestionRow.title))).all())
    return [row for row in rows if not tag or tag in row.tags.split(',')]


def get_question(engine: Engine, team_id: str, question_id: str) -> QuestionRow | None:
    with Session(engine) as session:
        return _team_question(session, team_id, question_id)


def delete_question(engine: Engine, team_id: str, question_id: str) -> bool:
    """Remove a question from the library; interviews that used it keep their own copy."""
    with Session(engine) as session:
        row = _team_question(session, team_id, question_id)
        if row is None:
            return False
        session.delete(row)
        session.commit()
        return True


def pick_question(engine: Engine, interview_id: str, body: str, picked_by: str) -> InterviewQuestion:
    """The interview uses this question (a copy of it) from now on, replacing any it used before."""
    with Session(engine) as session:
        row = session.get(InterviewQuestion, interview_id) or InterviewQuestion(interview_id=interview_id, body=body,
                                                                                picked_by=picked_by)
        row.body, row.picked_by, row.picked_at = body, picked_by, utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def interview_question(engine: Engine, interview_id: str) -> InterviewQuestion | None:
    with Session(engine) as session:
        return session.get(InterviewQuestion, interview_id)


def save_test_run(engine: Engine, row: TestRunRow) -> None:
    with Session(engine) as session:
        session.merge(row)
        session.commit()


def list_test_runs(engine: Engine, interview_id: str) -> list[TestRunRow]:
    with Session(engine) as session:
        rows = list(session.exec(select(TestRunRow).where(TestRunRow.interview_id == interview_id)
                                 .order_by(col(TestRunRow.started_at))).all())
    for row in rows:  # SQLite gives back naive datetimes: they were written in UTC
        row.started_at = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=timezone.utc)
    return rows


class ScorecardSubmitted(ValueError):
    """The scorecard was submitted meanwhile (another tab of its author) and the change would leave it incomplete."""


def save_scorecard(engine: Engine, interview_id: str, author_id: str, author_name: str, *, ratings: str,
                   recommendation: str | None, summary: str, submit: bool, complete: bool) -> Scorecard:
    """Write this interviewer's scorecard (a draft, or submitted with `submit`). `complete`: does this version
    score every criterion and keep a recommendation? A submitted scorecard must stay so: the check is made here,
    inside the write transaction (under a lock per scorecard), because the caller's own read may be older than a
    submission from another tab of the same author; raises ScorecardSubmitted then."""
    with Session(engine) as session:
        transaction_lock(session.connection(), 'scorecard', interview_id, author_id)
        row = session.exec(select(Scorecard).where(Scorecard.interview_id == interview_id,
                                                   Scorecard.author_id == author_id)).first()
        if row is not None and row.submitted_at is not None and not complete:
            raise ScorecardSubmitted('this scorecard has been submitted (in another tab?): reload it; a submitted '
                                     'scorecard must score every criterion and keep a recommendation')
        row = row or Scorecard(id=secrets.token_urlsafe(9), interview_id=interview_id, author_id=author_id,
                               author_name=author_name)
        row.author_name, row.ratings, row.recommendation, row.summary = author_name, ratings, recommendation, summary
        row.updated_at = utcnow()
        if submit and row.submitted_at is None:
            row.submitted_at = row.updated_at
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def list_scorecards(engine: Engine, interview_id: str) -> list[Scorecard]:
    return scorecards_of(engine, [interview_id]).get(interview_id, [])


def scorecards_of(engine: Engine, interview_ids: list[str]) -> dict[str, list[Scorecard]]:
    """The scorecards of several interviews (a page of the dashboard's list) in one query, each interview's in the
    order they were last written; aware datetimes on SQLite too."""
    if not interview_ids:
        return {}
    with Session(engine) as session:
        rows = list(session.exec(select(Scorecard).where(col(Scorecard.interview_id).in_(interview_ids))
                                 .order_by(col(Scorecard.updated_at), col(Scorecard.id))).all())
    found: dict[str, list[Scorecard]] = {}
    for row in rows:
        row.updated_at = _aware(row.updated_at)
        row.submitted_at = _aware(row.submitted_at)
        found.setdefault(row.interview_id, []).append(row)
    return found


def add_signal(engine: Engine, signal: Signal) -> Signal:
    with Session(engine) as session:
        session.add(signal)
        session.commit()
        session.refresh(signal)
        return signal


def list_signals(engine: Engine, interview_id: str, since: datetime | None = None) -> list[Signal]:
    query = select(Signal).where(Signal.interview_id == interview_id)
    if since is not None:
        query = query.where(Signal.at >= since)
    with Session(engine) as session:
        return list(session.exec(query.order_by(col(Signal.at), col(Signal.id))).all())


def erase_evidence(session: Session, interview_id: str) -> None:
    """Within an interview's erase (store.interviews.delete_interview): its question copy, test runs, scorecards
    and signals."""
    for table in (InterviewQuestion, TestRunRow, Scorecard, Signal):
        session.exec(delete(table).where(col(table.interview_id) == interview_id))


def _aware(at: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


def _team(team_id: str):
    return QuestionRow.team_id == team_id


def _team_question(session: Session, team_id: str, question_id: str) -> QuestionRow | None:
    row = session.get(QuestionRow, question_id) if isinstance(question_id, str) and len(question_id) <= 32 else None
    return row if row is not None and row.team_id == team_id else None

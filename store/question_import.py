"""Saving many questions of a team at once, all or none: an imported library file and the sample questions.

Its own module beside store/questions.py (whose save_question commits one question per transaction) because an
import must never leave half a library behind: the whole batch is one transaction, so a slug taken meanwhile by
another instance's request rolls back every question of the file, not just the one that collided.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .models import utcnow
from .question_models import QuestionRow
from .questions import SlugTaken


@dataclass(frozen=True)
class NewQuestion:
    """What the store keeps of one question: the columns it lists and searches by, and the whole as JSON."""

    slug: str
    title: str
    difficulty: str
    tags: list[str]
    body: str


@dataclass(frozen=True)
class Saved:
    created: list[str]   # slugs
    replaced: list[str]
    skipped: list[str]


def save_questions(engine: Engine, team_id: str, questions: list[NewQuestion], *, updated_by: str | None,
                   on_taken: str = 'refuse') -> Saved:
    """Save a batch in one transaction. A slug the team already has is, by `on_taken`: 'refuse' (SlugTaken naming
    every such slug, nothing saved), 'replace' (the question keeps its id, its content is the new one) or 'skip'."""
    if on_taken not in ('refuse', 'replace', 'skip'):
        raise ValueError(f'on_taken must be refuse, replace or skip, not {on_taken!r}')
    slugs = [question.slug for question in questions]
    with Session(engine) as session:
        existing = {row.slug: row for row in session.exec(
            select(QuestionRow).where(QuestionRow.team_id == team_id, col(QuestionRow.slug).in_(slugs))).all()} \
            if slugs else {}
        if existing and on_taken == 'refuse':
            raise SlugTaken('the library already has ' + ', '.join(sorted(existing)))
        created, replaced, skipped = [], [], []
        now = utcnow()
        for question in questions:
            row = existing.get(question.slug)
            if row is not None and on_taken == 'skip':
                skipped.append(question.slug)
                continue
            (replaced if row is not None else created).append(question.slug)
            row = row or QuestionRow(id=secrets.token_urlsafe(9), team_id=team_id, slug=question.slug,
                                     title=question.title, difficulty=question.difficulty, body=question.body)
            row.title, row.difficulty, row.tags, row.body = (question.title, question.difficulty,
                                                             ','.join(question.tags), question.body)
            row.updated_by, row.updated_at = updated_by, now
            session.add(row)
        try:
            session.commit()
        except IntegrityError:  # another request saved one of these slugs between our read and our commit
            raise SlugTaken('another request added one of these questions meanwhile: try again') from None
    return Saved(created, replaced, skipped)

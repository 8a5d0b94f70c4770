"""Creating, reading, listing and erasing interviews.

Every change of an interview's row goes through here, so whoever shows a team's interviews live (the dashboard,
pages/team_events.py) learns of each one through `watch_interviews` instead of reading the table again and again.
"""

import logging
import secrets
import weakref
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import Engine, delete, func, or_, update
from sqlmodel import Session, col, select

from .account_models import Activity
from .models import CodeRun, DocSnapshot, DocUpdate, Interview, Participant, utcnow
from .questions import erase_evidence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InterviewChange:
    interview_id: str
    team_id: str | None
    kind: str  # created | ended | reopened | erased
    by: str | None = None  # who, when the store was told (the activity log's actor)


Watcher = Callable[[InterviewChange], None]
# Per engine, so two servers in one process (tests) each hear only their own database's changes.
_watchers: 'weakref.WeakKeyDictionary[Engine, list[Watcher]]' = weakref.WeakKeyDictionary()


def watch_interviews(engine: Engine, watcher: Watcher) -> Callable[[], None]:
    """Call `watcher` after each committed change of an interview made through `engine`; returns the unwatcher."""
    watchers = _watchers.setdefault(engine, [])
    watchers.append(watcher)
    return lambda: watcher in watchers and watchers.remove(watcher)


def _changed(engine: Engine, interview_id: str, team_id: str | None, kind: str, by: str | None = None) -> None:
    for watcher in list(_watchers.get(engine, [])):
        try:
            watcher(InterviewChange(interview_id, team_id, kind, by))
        except Exception:
            log.exception('an interview watcher failed')


def create_interview(engine: Engine, *, title: str, language: str, initial_update: bytes, team_id: str | None = None,
                     created_by: str | None = None, candidate_name: str = '') -> Interview:
    """Create the interview and write its starting document in the same transaction (once, by the server)."""
    interview = Interview(id=secrets.token_urlsafe(9), title=title, language=language,
                          interviewer_key=secrets.token_urlsafe(16), candidate_key=secrets.token_urlsafe(16),
                          team_id=team_id, created_by=created_by, candidate_name=candidate_name)
    with Session(engine) as session:
        session.add(interview)
        session.flush()
        session.add(DocUpdate(interview_id=interview.id, data=initial_update, checksum=zlib.crc32(initial_update)))
        session.commit()
        session.refresh(interview)
    _changed(engine, interview.id, team_id, 'created')
    return interview


def get_interview(engine: Engine, interview_id: str) -> Interview | None:
    with Session(engine) as session:
        return session.get(Interview, interview_id)


def delete_interview(engine: Engine, interview_id: str) -> bool:
    """Erase an interview and everything of it (code and notes history, snapshots, participants, runs with their
    input and output, its question, test runs, scorecards and signals) in one transaction; the activity log keeps that it existed, not its title. False if it did
    not exist."""
    with Session(engine) as session:
        interview = session.get(Interview, interview_id)
        if interview is None:
            return False
        team_id = interview.team_id
        for table in (DocUpdate, DocSnapshot, Participant, CodeRun):
            session.exec(delete(table).where(col(table.interview_id) == interview_id))
        erase_evidence(session, interview_id)  # its question, test runs, scorecards and signals
        session.exec(update(Activity).where(col(Activity.interview_id) == interview_id).values(subject='(erased)'))
        session.delete(interview)
        session.commit()
    _changed(engine, interview_id, team_id, 'erased')
    return True


def set_interview_ended(engine: Engine, interview_id: str, ended: bool, *, by: str | None = None) -> None:
    with Session(engine) as session:
        interview = session.get(Interview, interview_id)
        if interview is None:
            return
        interview.ended_at = utcnow() if ended else None
        session.add(interview)
        session.commit()
        team_id = interview.team_id
    _changed(engine, interview_id, team_id, 'ended' if ended else 'reopened', by)


def list_team_interviews(engine: Engine, team_id: str, *, search: str = '', created_by: str | None = None,
                         ended: bool | None = None, offset: int = 0,
                         limit: int = 50) -> tuple[list[Interview], int]:
    """A page of a team's interviews, newest first, and how many match in all. `search` matches title or
    candidate name (case-insensitive); `ended` None: both."""
    conditions = [col(Interview.team_id) == team_id]
    if search.strip():
        pattern = '%' + search.strip().lower().replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        conditions.append(or_(func.lower(Interview.title).like(pattern, escape='\\'),
                              func.lower(Interview.candidate_name).like(pattern, escape='\\')))
    if created_by is not None:
        conditions.append(col(Interview.created_by) == created_by)
    if ended is not None:
        conditions.append(col(Interview.ended_at).is_not(None) if ended else col(Interview.ended_at).is_(None))
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Interview).where(*conditions)).one()
        rows = session.exec(select(Interview).where(*conditions)
                            .order_by(col(Interview.created_at).desc(), col(Interview.id))
                            .offset(offset).limit(limit)).all()
        return list(rows), total


def ended_before(engine: Engine, cutoff: datetime) -> list[Interview]:
    """Interviews ended before `cutoff` (the retention job erases them)."""
    with Session(engine) as session:
        return list(session.exec(select(Interview).where(col(Interview.ended_at).is_not(None),
                                                         col(Interview.ended_at) < cutoff)).all())

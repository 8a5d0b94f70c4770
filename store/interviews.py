"""Creating and reading interviews."""

import secrets
import zlib

from sqlalchemy import Engine
from sqlalchemy import delete
from sqlmodel import Session, col

from .models import CodeRun, DocSnapshot, DocUpdate, Interview, Participant, utcnow


def create_interview(engine: Engine, *, title: str, language: str, initial_update: bytes) -> Interview:
    """Create the interview and write its starting document in the same transaction (once, by the server)."""
    interview = Interview(id=secrets.token_urlsafe(9), title=title, language=language,
                          interviewer_key=secrets.token_urlsafe(16), candidate_key=secrets.token_urlsafe(16))
    with Session(engine) as session:
        session.add(interview)
        session.flush()
        session.add(DocUpdate(interview_id=interview.id, data=initial_update, checksum=zlib.crc32(initial_update)))
        session.commit()
        session.refresh(interview)
    return interview


def get_interview(engine: Engine, interview_id: str) -> Interview | None:
    with Session(engine) as session:
        return session.get(Interview, interview_id)


def delete_interview(engine: Engine, interview_id: str) -> bool:
    """Delete an interview with its document and participants, in one transaction; False if it did not exist."""
    with Session(engine) as session:
        interview = session.get(Interview, interview_id)
        if interview is None:
            return False
        for table in (DocUpdate, DocSnapshot, Participant, CodeRun):
            session.exec(delete(table).where(col(table.interview_id) == interview_id))
        session.delete(interview)
        session.commit()
    return True


def set_interview_ended(engine: Engine, interview_id: str, ended: bool) -> None:
    with Session(engine) as session:
        interview = session.get(Interview, interview_id)
        if interview is not None:
            interview.ended_at = utcnow() if ended else None
            session.add(interview)
            session.commit()

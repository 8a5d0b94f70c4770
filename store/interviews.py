"""Creating and reading interviews."""

import secrets
import zlib

from sqlalchemy import Engine
from sqlmodel import Session

from .models import DocUpdate, Interview


def create_interview(engine: Engine, *, title: str, language: str, initial_update: bytes) -> Interview:
    """Create the interview and write its starting document in the same transaction (once, by the server)."""
    interview = Interview(id=secrets.token_urlsafe(9), title=title, language=language)
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

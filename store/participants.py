"""Reading and writing participants. Tokens are stored hashed: the database never holds a usable secret."""

import hashlib
import hmac
import secrets

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from .models import Participant


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(participant: Participant, token: str) -> bool:
    return hmac.compare_digest(participant.token_hash, hash_token(token))


def create_participant(engine: Engine, *, interview_id: str, name: str, color: str, role: str) -> tuple[Participant, str]:
    """Create a participant; return it and its secret token (shown once, to its own browser tab)."""
    token = secrets.token_urlsafe(24)
    participant = Participant(id=secrets.token_urlsafe(12), interview_id=interview_id, name=name, color=color,
                              role=role, token_hash=hash_token(token))
    with Session(engine) as session:
        session.add(participant)
        session.commit()
        session.refresh(participant)
    return participant, token


def list_participants(engine: Engine, interview_id: str) -> list[Participant]:
    with Session(engine) as session:
        return list(session.exec(select(Participant).where(Participant.interview_id == interview_id)
                                 .order_by(col(Participant.joined_at))).all())


def save_participants(engine: Engine, participants: list[Participant]) -> None:
    """Write the current state of several participants in one transaction (the coalesced presence writes)."""
    with Session(engine) as session:
        for participant in participants:
            session.merge(participant)
        session.commit()

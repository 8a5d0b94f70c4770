"""Reading and writing participants. Tokens are stored hashed: the database never holds a usable secret."""

import hashlib
import hmac
import secrets
from typing import Callable

from sqlalchemy import Engine, bindparam, update
from sqlmodel import Session, col, select

from .locks import transaction_lock
from .models import Participant


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(participant: Participant, token: str) -> bool:
    return hmac.compare_digest(participant.token_hash, hash_token(token))


Admit = Callable[[list[Participant]], None]


def create_participant(engine: Engine, *, interview_id: str, name: str, color: str, role: str,
                       admit: Admit | None = None) -> tuple[Participant, str]:
    """Create a participant; return it and its secret token (shown once, to its own browser tab).

    `admit(stored)`, when given, sees the interview's stored participants while the interview's seat lock is held
    and raises to refuse the newcomer (nothing is written then). The lock serialises the joins of one interview
    across every instance on this database, so two people joining on two instances at once cannot both take the
    last seat: the second one's `admit` sees the first one's row."""
    token = secrets.token_urlsafe(24)
    participant = Participant(id=secrets.token_urlsafe(12), interview_id=interview_id, name=name, color=color,
                              role=role, token_hash=hash_token(token))
    with Session(engine) as session:
        if admit is not None:
            transaction_lock(session.connection(), 'seats', interview_id)
            admit(list(session.exec(select(Participant).where(Participant.interview_id == interview_id)).all()))
        session.add(participant)
        session.commit()
        session.refresh(participant)
    return participant, token


def list_participants(engine: Engine, interview_id: str) -> list[Participant]:
    with Session(engine) as session:
        return list(session.exec(select(Participant).where(Participant.interview_id == interview_id)
                                 .order_by(col(Participant.joined_at))).all())


PRESENCE_FIELDS = ('status', 'is_typing', 'cursor_line', 'cursor_column', 'last_seen_at')

_table = Participant.__table__
_SAVE_PRESENCE = update(_table).where(_table.c.id == bindparam('participant_id')) \
    .values({name: bindparam(f'new_{name}') for name in PRESENCE_FIELDS})


def save_participants(engine: Engine, participants: list) -> None:
    """Write the presence of several participants (status, typing, cursor, last seen: all that changes after a
    participant is created) in one transaction, as one Core UPDATE with many parameter sets. `participants` are
    Participant rows or snapshots with `id` and those fields. A participant whose row is gone (its interview was
    deleted meanwhile) is skipped, never re-created.

    Not `Session.merge` per row: that is a SELECT and an UPDATE per participant through the ORM, four times a
    second, in a thread that holds the GIL while keystrokes wait (docs/benchmarks.md: fan-out profile)."""
    if not participants:
        return
    rows = [{'participant_id': p.id, **{f'new_{name}': getattr(p, name) for name in PRESENCE_FIELDS}}
            for p in participants]
    with engine.begin() as connection:
        connection.execute(_SAVE_PRESENCE, rows)

"""What the pages share: settings, the database engine, the live rooms; and the interview use cases both the
UI and the REST API call, so each rule is written once."""

from dataclasses import dataclass

from sqlalchemy import Engine

from collab import LANGUAGES, RoomRegistry, initial_update
from config import Settings
from presence import PresenceService
from runner import RunHubs
from store import Interview, create_interview, delete_interview, get_interview, set_interview_ended

MAX_TITLE = 200


@dataclass
class Services:
    settings: Settings
    engine: Engine
    rooms: RoomRegistry
    presence: PresenceService
    runs: RunHubs


def clean_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ValueError('title must be a non-empty string')
    title = ' '.join(title.split())
    if len(title) > MAX_TITLE:
        raise ValueError(f'title must be at most {MAX_TITLE} characters')
    return title


def new_interview(services: Services, title: str, language: str) -> Interview:
    """Create an interview and its starting document (written once, here on the server)."""
    title = clean_title(title)
    if language not in LANGUAGES:
        raise ValueError(f'language must be one of: {", ".join(LANGUAGES)}')
    return create_interview(services.engine, title=title, language=language, initial_update=initial_update(language))


def find_interview(services: Services, interview_id: str) -> Interview | None:
    if not interview_id or len(interview_id) > 32:
        return None
    return get_interview(services.engine, interview_id)


def remove_interview(services: Services, interview_id: str) -> bool:
    """Delete an interview: its live room closes (open tabs are told and forget their local copy), then the rows."""
    services.rooms.forget(interview_id, 'this interview was deleted')
    services.presence.forget(interview_id)
    return delete_interview(services.engine, interview_id)


class NotAllowed(PermissionError):
    """Only an interviewer may do this."""


async def end_interview(services: Services, interview_id: str, participant_role: str, *, ended: bool) -> None:
    """End (read-only for everybody, enforced by the room) or reopen an interview; interviewers only."""
    if participant_role != 'interviewer':
        raise NotAllowed('only an interviewer may end or reopen the interview')
    room = await services.rooms.get(interview_id)
    room.set_ended(ended)
    set_interview_ended(services.engine, interview_id, ended)

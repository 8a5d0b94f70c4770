"""What the pages share: settings, the database engine, the live rooms; and the interview use cases both the
UI and the REST API call, so each rule is written once."""

import asyncio
import hmac
import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine
from starlette.requests import Request

from accounts import Member
from collab import RoomRegistry, initial_update
from collab.relay import Relay
from completion import CompletionService
from config import Settings
from languages import LANGUAGES
from presence import PresenceService
from questions import Question
from runner import RunHubs
from store import (Interview, create_interview, delete_interview, fail_abandoned_runs, get_interview, get_question,
                   notes_room_id, pick_question, set_interview_ended)

log = logging.getLogger(__name__)

MAX_TITLE = 200


@dataclass
class Services:
    settings: Settings
    engine: Engine
    rooms: RoomRegistry
    presence: PresenceService
    runs: RunHubs
    relay: Relay | None = None  # the relay between instances, when several run (its ping is part of /healthz)
    # The signed-in member a page request carries (pages/auth.py Auth.member), set by pages.register; None until
    # then (a server without pages, a unit test's services): nobody is signed in.
    member_of: Callable[[Request], Member | None] | None = None
    # Python completions (completion/); None when PAIRPAD_COMPLETION=0: the editor then offers no suggestions
    completion: CompletionService | None = None


def clean_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ValueError('title must be a non-empty string')
    title = ' '.join(title.split())
    if len(title) > MAX_TITLE:
        raise ValueError(f'title must be at most {MAX_TITLE} characters')
    return title


def new_interview(services: Services, title: str, language: str, *, team_id: str | None = None,
                  created_by: str | None = None, candidate_name: str = '', question_id: str | None = None,
                  picked_by: str = '') -> Interview:
    """Create an interview and its starting document (written once, here on the server); a member's interview
    belongs to its team (the dashboard, pages/dashboard.py). With `question_id` (one of the team's questions) it
    starts with that question picked, as the room's picker picks one (store.pick_question), and the question's
    starter for `language` as its document instead of the language's template."""
    title = clean_title(title)
    if language not in LANGUAGES:
        raise ValueError(f'language must be one of: {", ".join(LANGUAGES)}')
    question = team_question(services, team_id, question_id) if question_id is not None else None
    starter = question.starters.get(language) if question is not None else None
    interview = create_interview(services.engine, title=title, language=language,
                                 initial_update=initial_update(language, starter), team_id=team_id,
                                 created_by=created_by, candidate_name=candidate_name)
    if question is not None:
        try:
            pick_question(services.engine, interview.id, question.model_dump_json(), picked_by[:40])
        except BaseException:  # not half made: an interview without the question it was created with
            delete_interview(services.engine, interview.id)
            raise
    return interview


def team_question(services: Services, team_id: str | None, question_id: object) -> Question:
    """One of the team's questions ('' on a server without accounts yet); the same ValueError for an unknown id and
    another team's, so the answer tells nothing of other teams' libraries."""
    row = get_question(services.engine, team_id or '', question_id) if isinstance(question_id, str) else None
    if row is None:
        raise ValueError("question_id: no question with this id in the team's library")
    return Question.model_validate_json(row.body)


def file_stem(title: str) -> str:
    """A download's file name from the interview title: letters and digits, dashes between."""
    stem = ''.join(ch if ch.isalnum() else '-' for ch in title.lower()).strip('-')
    return '-'.join(part for part in stem.split('-') if part)[:60] or 'interview'


def find_interview(services: Services, interview_id: str) -> Interview | None:
    if not interview_id or len(interview_id) > 32:
        return None
    return get_interview(services.engine, interview_id)


def role_for_key(interview: Interview, key: object) -> str | None:
    """The role a private link's key grants in this interview, or None. Constant-time comparisons; an empty
    stored key (an interview made before private links) never matches."""
    if not isinstance(key, str) or not key or len(key) > 64:
        return None
    for role, secret in (('interviewer', interview.interviewer_key), ('candidate', interview.candidate_key)):
        if secret and hmac.compare_digest(secret.encode(), key.encode()):
            return role
    return None


def open_interview(services: Services, interview_id: str, key: object) -> tuple[Interview, str] | None:
    """The interview and the role its link grants; None alike for an unknown id and a wrong key, so a refusal
    tells nothing about whether the interview exists."""
    interview = find_interview(services, interview_id)
    role = role_for_key(interview, key) if interview is not None else None
    return (interview, role) if role is not None else None


def room_path(interview: Interview, role: str) -> str:
    key = interview.interviewer_key if role == 'interviewer' else interview.candidate_key
    return f'/room/{interview.id}?key={key}'


def remove_interview(services: Services, interview_id: str) -> bool:
    """Delete an interview: its live room closes (open tabs are told and forget their local copy), then the rows."""
    services.rooms.forget(interview_id, 'this interview was deleted')
    services.rooms.forget(notes_room_id(interview_id), 'this interview was deleted')
    services.presence.forget(interview_id)
    return delete_interview(services.engine, interview_id)


class NotAllowed(PermissionError):
    """Only an interviewer may do this."""


async def end_interview(services: Services, interview_id: str, participant_role: str, *, ended: bool,
                        by: str | None = None) -> None:
    """End (read-only for everybody, enforced by the room) or reopen an interview; interviewers only. `by`: who,
    for the team's activity log."""
    if participant_role != 'interviewer':
        raise NotAllowed('only an interviewer may end or reopen the interview')
    room = await services.rooms.get(interview_id)
    room.set_ended(ended)
    set_interview_ended(services.engine, interview_id, ended, by=by)


async def fail_abandoned(services: Services) -> list[str]:
    """At start-up, and when another instance is seen going (pages/run_link.py): runs left RUNNING by an instance
    that died (this one before a restart, or another) are marked failed with the reason, or the interview's history
    would show a run that never ends (store.runs.fail_abandoned_runs: only runs whose room's run lock nobody holds,
    so a run that goes on elsewhere is untouched). A store that does not answer now is not a reason to refuse to
    start: the runs are then failed at the next start."""
    lock = getattr(services.runs, 'lock', None)
    if lock is None:
        return []
    try:
        return await asyncio.to_thread(fail_abandoned_runs, services.engine, lock)
    except Exception as error:
        log.warning('could not fail the runs left running: %s', ' '.join(str(error).split())[:300])
        return []

"""Who may call a route of the REST API about one interview: the link's key, a participant's token, or nobody.

Its own module because every group of routes (the interview, its people, its runs) asks the same questions, and
the one rule that matters most is written once here: an unknown interview and missing or wrong credentials get the
same answer, so a guesser learns nothing about which interview ids exist.
"""

from fastapi import HTTPException

from presence import ParticipantView
from store import Interview

from .services import Services, find_interview, open_interview, role_for_key

KEY_HELP = 'the key of a private link (the `key` of its URL), as the `X-Pairpad-Key` header or the `key` query'
TOKEN_HELP = 'Bearer <token of an interviewer participant>'
REFUSED = 'no interview with this id and key'
KEYED = {404: {'description': 'unknown interview id or invalid key (the two are not told apart)'}}
INTERVIEWER_ONLY = {403: {'description': 'a valid key or token, but not an interviewer\'s'},
                    404: {'description': 'unknown interview id, or neither a valid key nor a valid participant '
                                         'token (the two are not told apart)'}}


def refused() -> HTTPException:
    """The one answer for an unknown interview and for missing or wrong credentials alike, whatever the route:
    anything else (a 401, the id echoed back) would let a guesser learn which interview ids exist."""
    return HTTPException(status_code=404, detail=REFUSED)


def open_or_404(services: Services, interview_id: str, key: str | None) -> tuple[Interview, str]:
    opened = open_interview(services, interview_id, key)
    if opened is None:
        raise refused()
    return opened


def token_owner(services: Services, interview_id: str,
                authorization: str | None) -> tuple[Interview | None, ParticipantView | None]:
    """The interview and the participant whose token is in `Authorization: Bearer <token>`. Presence is only
    asked about an interview that exists, so made-up ids leave nothing behind in its memory."""
    interview = find_interview(services, interview_id)
    if interview is None:
        return None, None
    token = authorization.removeprefix('Bearer ').strip() if authorization else None
    return interview, services.presence.owner_of(interview.id, token)


def key_or_token(services: Services, interview_id: str, authorization: str | None,
                 key: str | None) -> tuple[Interview, str, str]:
    """(interview, role, who) for a caller with either credential of this interview: the link's key (who: 'the
    interviewer key') or a participant's token (who: that participant's name). Else the unknown interview's
    refusal."""
    interview, caller = token_owner(services, interview_id, authorization)
    if interview is None:
        raise refused()
    if caller is not None:
        return interview, caller.role, caller.name
    role = role_for_key(interview, key)
    if role is None:
        raise refused()
    return interview, role, f'the {role} key (API)'


def interviewer(services: Services, interview_id: str, authorization: str | None, key: str | None) -> Interview:
    """The interview, if the caller is one of its interviewers: by the interviewer link's key or by an interviewer
    participant's token, either one is enough. A valid candidate credential is told 403; no valid credential at
    all gets the unknown interview's refusal."""
    interview, caller = token_owner(services, interview_id, authorization)
    if interview is None:
        raise refused()
    roles = {role_for_key(interview, key), caller.role if caller else None} - {None}
    if 'interviewer' in roles:
        return interview
    if roles:
        raise HTTPException(status_code=403, detail='only an interviewer may do this')
    raise refused()

"""REST for integrations and tests, listed in FastAPI's /docs."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from nicegui import app
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from accounts import Member, Workspace, WorkspaceError
from accounts.sso import TrustedProxy
from accounts.workspace import clean_member_name
from languages import DEFAULT as DEFAULT_LANGUAGE
from store import Interview, list_team_interviews
from presence import Forbidden, InterviewFull, NotFound, ParticipantView, PresenceError

from .api_access import (
    INTERVIEWER_ONLY, KEY_HELP, KEYED, TOKEN_HELP, interviewer, open_or_404, refused, token_owner,
)
from .api_runs import run_routes
from .api_test_runs import test_run_routes
from .questions_api import question_routes
from .auth import Auth
from .services import MAX_TITLE, Services, end_interview, find_interview, new_interview, remove_interview, room_path

API_TOKEN_HELP = ('Bearer <API token> (`pairpad users token`); required once the server has an account, see '
                  'docs/auth.md')
API_ACTOR = 'the interviewer link (REST API)'  # the activity log's actor for what a key or participant token did
UNAUTHORIZED = {401: {'description': 'no valid API token (the server has accounts: docs/auth.md)'}}


class NewInterview(BaseModel):
    title: str = Field(min_length=1, max_length=MAX_TITLE, examples=['Backend engineer — pairing'])
    language: str = Field(default=DEFAULT_LANGUAGE.id, examples=[DEFAULT_LANGUAGE.id])
    candidate_name: str = Field(default='', max_length=40, description='optional; shown on the dashboard')
    question_id: str | None = Field(default=None, max_length=32, description=(
        "optional: one of the team's questions (GET /api/questions); the interview starts with it picked and its "
        'starter for the language in the editor'))


class Links(BaseModel):
    interviewer_url: str = Field(description='private link for interviewers (absolute); keep it to yourself')
    candidate_url: str = Field(description='private link to send to the candidate (absolute)')
    interviewer_key: str = Field(description='the key of the interviewer link, for this API')
    candidate_key: str = Field(description='the key of the candidate link, for this API')


class CreatedInterview(Links):
    id: str


class InterviewState(BaseModel):
    id: str
    title: str
    language: str
    code: str
    participants: int = Field(description='participants present now (online or away)')
    ended: bool = Field(description='the interview was ended: the code is read-only')
    role: Literal['interviewer', 'candidate'] = Field(description='the role the key grants')
    links: Links | None = Field(default=None, description='both private links; only for the interviewer key')


class CursorModel(BaseModel):
    model_config = ConfigDict(extra='forbid')
    line: StrictInt = Field(ge=1, description='1-based line')
    column: StrictInt = Field(ge=1, description='1-based column, in UTF-16 code units like Monaco')


class ParticipantModel(BaseModel):
    id: str
    name: str
    color: str
    role: str
    status: Literal['online', 'away', 'offline']
    is_typing: bool
    cursor: CursorModel | None
    joined_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, p: ParticipantView) -> 'ParticipantModel':
        cursor = CursorModel(line=p.cursor.line, column=p.cursor.column) if p.cursor else None
        return cls(id=p.id, name=p.name, color=p.color, role=p.role, status=p.status, is_typing=p.is_typing,
                   cursor=cursor, joined_at=p.joined_at, last_seen_at=p.last_seen_at)


class NewParticipant(BaseModel):
    name: str = Field(examples=['Ada'])
    role: Literal['interviewer', 'candidate'] | None = Field(
        default=None, description='optional; must be the role of the key (the link decides the role)')


class JoinedParticipant(BaseModel):
    participant: ParticipantModel
    token: str = Field(description='secret of this participant: send it as `Authorization: Bearer <token>`; a '
                                   'browser tab keeps it in sessionStorage under `pairpad:participant:<interview id>`')


class ParticipantPatch(BaseModel):
    model_config = ConfigDict(extra='forbid')
    cursor: CursorModel | None = None
    is_typing: StrictBool | None = None
    status: Literal['online', 'away', 'offline'] | None = None


class ListedInterview(BaseModel):
    id: str
    title: str
    candidate_name: str
    language: str
    created_by: str | None = Field(description='account id of the member who created it')
    created_at: datetime
    ended_at: datetime | None


class InterviewPage(BaseModel):
    total: int
    interviews: list[ListedInterview]


class ActivityEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    subject: str
    interview_id: str | None


def register(services: Services, auth: Auth | None = None) -> None:
    app.include_router(build_router(services, auth))


def build_router(services: Services, auth: Auth | None = None) -> APIRouter:
    """`auth` is the pages' (main.py); without one, the same built from the settings (unit tests)."""
    auth = auth or Auth(Workspace.open(services.engine, services.settings.secret),
                        TrustedProxy.from_settings(services.settings))
    router = APIRouter(prefix='/api', tags=['interviews'])
    _interview_routes(router, services, auth)
    _participant_routes(router, services)
    _team_routes(router, services, auth)
    run_routes(router, services)
    test_run_routes(router, services)
    question_routes(router, services, auth)
    return router


def api_member(auth: Auth, request: Request, scope: str, *, unclaimed_ok: bool = False) -> Member | None:
    """The member of the request's API token. 401 without a valid one, unless the server has no account yet and
    the route allows that (creating an interview works on an unclaimed server, as it did before accounts)."""
    member = auth.token_member(request, scope)
    if member is None and not (unclaimed_ok and not auth.workspace.claimed()):
        raise HTTPException(status_code=401, detail='a valid API token is needed: Authorization: Bearer <token>',
                            headers={'WWW-Authenticate': 'Bearer'})
    return member


def _interview_routes(router: APIRouter, services: Services, auth: Auth) -> None:
    """An interview as a whole: create, read, delete; end and reopen (_end_routes)."""

    @router.post('/interviews', status_code=201, response_model=CreatedInterview, responses=UNAUTHORIZED)
    async def create(body: NewInterview, request: Request,
                     authorization: str | None = Header(default=None, description=API_TOKEN_HELP)) -> CreatedInterview:
        """Create an interview of the token's team, optionally with one of its questions picked (422 for an id the
        team does not have); the answer holds its two private links (interviewer and candidate)."""
        member = api_member(auth, request, 'interviews', unclaimed_ok=True)
        try:
            candidate = clean_member_name(body.candidate_name) if body.candidate_name.strip() else ''
            interview = new_interview(services, body.title, body.language, candidate_name=candidate,
                                      team_id=member.team_id if member else None,
                                      created_by=member.id if member else None, question_id=body.question_id,
                                      picked_by=member.name if member else 'the API')
        except (ValueError, WorkspaceError) as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        if member is not None:
            auth.workspace.log(member.team_id, member.name, 'created', interview.title, interview.id)
        return CreatedInterview(id=interview.id, **_links(interview, request).model_dump())

    @router.get('/interviews/{interview_id}', response_model=InterviewState, responses=KEYED)
    async def read(interview_id: str, request: Request, key: str | None = Query(default=None, description=KEY_HELP),
                   x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> InterviewState:
        interview, role = open_or_404(services, interview_id, x_pairpad_key or key)
        room = await services.rooms.get(interview.id)
        present = [p for p in services.presence.participants(interview.id) if p.status != 'offline']
        return InterviewState(id=interview.id, title=interview.title, language=room.language or interview.language,
                              code=room.text, participants=len(present), ended=room.ended, role=role,
                              links=_links(interview, request) if role == 'interviewer' else None)

    @router.delete('/interviews/{interview_id}', status_code=204, responses=INTERVIEWER_ONLY)
    async def delete(interview_id: str, request: Request,
                     authorization: str | None = Header(default=None, description=TOKEN_HELP + ', or ' + API_TOKEN_HELP),
                     key: str | None = Query(default=None, description=KEY_HELP),
                     x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """Erase the interview and everything of it: code and its history, notes, runs (input and output),
        participants. Open tabs are told and clear their local copy. A member's API token erases its team's."""
        member = auth.token_member(request, 'interviews')
        if member is not None:
            interview = find_team_interview(services, member, interview_id)
        else:
            interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        if interview.team_id is not None:
            auth.workspace.log(interview.team_id, member.name if member else API_ACTOR, 'erased', '',
                               interview.id)
        remove_interview(services, interview.id)

    _end_routes(router, services)


def _end_routes(router: APIRouter, services: Services) -> None:
    """End and reopen an interview (its code read-only for everybody, or editable again)."""

    @router.post('/interviews/{interview_id}/end', status_code=204, responses=INTERVIEWER_ONLY)
    async def end(interview_id: str, authorization: str | None = Header(default=None, description=TOKEN_HELP),
                  key: str | None = Query(default=None, description=KEY_HELP),
                  x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """End the interview: the code becomes read-only for everybody (the server refuses further edits)."""
        interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        await end_interview(services, interview.id, 'interviewer', ended=True, by=API_ACTOR)

    @router.post('/interviews/{interview_id}/reopen', status_code=204, responses=INTERVIEWER_ONLY)
    async def reopen(interview_id: str, authorization: str | None = Header(default=None, description=TOKEN_HELP),
                     key: str | None = Query(default=None, description=KEY_HELP),
                     x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """Reopen an ended interview for editing."""
        interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        await end_interview(services, interview.id, 'interviewer', ended=False, by=API_ACTOR)


def _participant_routes(router: APIRouter, services: Services) -> None:
    """The people of an interview: list, join without the form, update your own presence."""

    @router.get('/interviews/{interview_id}/participants', response_model=list[ParticipantModel], responses=KEYED)
    async def participants(interview_id: str, key: str | None = Query(default=None, description=KEY_HELP),
                           x_pairpad_key: str | None = Header(default=None, description=KEY_HELP),
                           ) -> list[ParticipantModel]:
        interview, _ = open_or_404(services, interview_id, x_pairpad_key or key)
        return [ParticipantModel.of(p) for p in services.presence.participants(interview.id)]

    @router.post('/interviews/{interview_id}/participants', status_code=201, response_model=JoinedParticipant,
                 responses={**KEYED, 403: {'description': 'the role asked for is not the role of the key'},
                            409: {'description': 'the interview is full'}, 422: {'description': 'invalid name'}})
    async def join(interview_id: str, body: NewParticipant, key: str | None = Query(default=None, description=KEY_HELP),
                   x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> JoinedParticipant:
        # async, so joins run on the event loop one at a time like the rest of presence (not in the thread pool)
        """Join an interview without the join form (integrations, headless peers); returns the secret token.
        The role is the one of the link's key."""
        interview, role = open_or_404(services, interview_id, x_pairpad_key or key)
        if body.role is not None and body.role != role:
            raise HTTPException(status_code=403, detail=f'this key joins as {role}, not as {body.role}')
        try:
            participant, token = services.presence.join(interview.id, name=body.name, role=role)
        except InterviewFull as e:
            raise HTTPException(status_code=409, detail=str(e)) from e
        except PresenceError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        return JoinedParticipant(participant=ParticipantModel.of(participant), token=token)

    @router.patch('/interviews/{interview_id}/participants/{participant_id}', response_model=ParticipantModel,
                  responses={403: {'description': 'the token belongs to another participant'},
                             404: {'description': 'unknown interview id or no valid participant token (the two are '
                                                  'not told apart); with a valid token: unknown participant id'},
                             422: {'description': 'invalid value'}})
    async def update(interview_id: str, participant_id: str, patch: ParticipantPatch,
                     authorization: str | None = Header(default=None, description='Bearer <participant token>'),
                     ) -> ParticipantModel:
        """Update your own participant's cursor, typing state or status. The token is the one your browser tab
        received when it joined; a token may only update its own participant."""
        interview, caller = token_owner(services, interview_id, authorization)
        if caller is None:
            raise refused()
        try:
            if caller.id != participant_id:
                services.presence.participant(interview.id, participant_id)  # NotFound, else someone else's
                raise Forbidden('you may only update your own participant')
            await services.rooms.get(interview.id)  # cursor bounds are checked against the live document
            updated = services.presence.update_participant(
                interview.id, participant_id,
                cursor=patch.cursor.model_dump() if patch.cursor else None,
                is_typing=patch.is_typing, status=patch.status)
        except NotFound as e:
            raise HTTPException(status_code=404, detail=str(e)) from e
        except Forbidden as e:
            raise HTTPException(status_code=403, detail=str(e)) from e
        except PresenceError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        return ParticipantModel.of(updated)


def _team_routes(router: APIRouter, services: Services, auth: Auth) -> None:
    """What is outside any one interview: the team's list and its activity log; API tokens only."""

    @router.get('/interviews', response_model=InterviewPage, responses=UNAUTHORIZED)
    async def team_interviews(request: Request, search: str = Query(default='', max_length=200),
                              ended: bool | None = None, offset: int = Query(default=0, ge=0),
                              limit: int = Query(default=50, ge=1, le=200),
                              authorization: str | None = Header(default=None, description=API_TOKEN_HELP),
                              ) -> InterviewPage:
        """The token's team's interviews, newest first."""
        member = api_member(auth, request, 'interviews')
        rows, total = list_team_interviews(services.engine, member.team_id, search=search, ended=ended,
                                           offset=offset, limit=limit)
        return InterviewPage(total=total, interviews=[ListedInterview(
            id=i.id, title=i.title, candidate_name=i.candidate_name, language=i.language, created_by=i.created_by,
            created_at=i.created_at, ended_at=i.ended_at) for i in rows])

    @router.get('/activity', response_model=list[ActivityEntry], tags=['team'],
                responses={**UNAUTHORIZED, 403: {'description': 'the token has no `team` scope'}})
    async def activity(request: Request, authorization: str | None = Header(default=None, description=API_TOKEN_HELP),
                       ) -> list[ActivityEntry]:
        """The team's activity log, newest first (administrators' tokens: scope `team`)."""
        member = api_member(auth, request, 'interviews')
        if auth.token_member(request, 'team') is None:
            raise HTTPException(status_code=403, detail='this token has no team scope')
        return [ActivityEntry(at=a.at, actor=a.actor, action=a.action, subject=a.subject,
                              interview_id=a.interview_id) for a in auth.workspace.activity(member)]


def find_team_interview(services: Services, member: Member, interview_id: str) -> Interview:
    """An interview of the member's team; another team's or an unknown one get the same refusal."""
    interview = find_interview(services, interview_id)
    if interview is None or interview.team_id != member.team_id:
        raise refused()
    return interview


def _links(interview: Interview, request: Request) -> Links:
    base = str(request.base_url).rstrip('/')
    return Links(interviewer_url=base + room_path(interview, 'interviewer'),
                 candidate_url=base + room_path(interview, 'candidate'),
                 interviewer_key=interview.interviewer_key, candidate_key=interview.candidate_key)

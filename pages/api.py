"""REST for integrations and tests, listed in FastAPI's /docs."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from nicegui import app
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from languages import DEFAULT as DEFAULT_LANGUAGE
from store import Interview
from presence import Forbidden, InterviewFull, NotFound, ParticipantView, PresenceError

from .api_access import (
    INTERVIEWER_ONLY, KEY_HELP, KEYED, TOKEN_HELP, interviewer, open_or_404, refused, token_owner,
)
from .services import MAX_TITLE, Services, end_interview, new_interview, remove_interview, room_path

class NewInterview(BaseModel):
    title: str = Field(min_length=1, max_length=MAX_TITLE, examples=['Backend engineer — pairing'])
    language: str = Field(default=DEFAULT_LANGUAGE.id, examples=[DEFAULT_LANGUAGE.id])


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


def register(services: Services) -> None:
    app.include_router(build_router(services))


def build_router(services: Services) -> APIRouter:
    router = APIRouter(prefix='/api', tags=['interviews'])
    _interview_routes(router, services)
    _participant_routes(router, services)
    return router


def _interview_routes(router: APIRouter, services: Services) -> None:
    """An interview as a whole: create, read, delete, end, reopen."""

    @router.post('/interviews', status_code=201, response_model=CreatedInterview)
    async def create(body: NewInterview, request: Request) -> CreatedInterview:
        """Create an interview; the answer holds its two private links (interviewer and candidate)."""
        try:
            interview = new_interview(services, body.title, body.language)
        except ValueError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
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
    async def delete(interview_id: str, authorization: str | None = Header(default=None, description=TOKEN_HELP),
                     key: str | None = Query(default=None, description=KEY_HELP),
                     x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """Delete the interview, its code and its participants. Open tabs are told and clear their local copy."""
        interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        remove_interview(services, interview.id)

    @router.post('/interviews/{interview_id}/end', status_code=204, responses=INTERVIEWER_ONLY)
    async def end(interview_id: str, authorization: str | None = Header(default=None, description=TOKEN_HELP),
                  key: str | None = Query(default=None, description=KEY_HELP),
                  x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """End the interview: the code becomes read-only for everybody (the server refuses further edits)."""
        interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        await end_interview(services, interview.id, 'interviewer', ended=True)

    @router.post('/interviews/{interview_id}/reopen', status_code=204, responses=INTERVIEWER_ONLY)
    async def reopen(interview_id: str, authorization: str | None = Header(default=None, description=TOKEN_HELP),
                     key: str | None = Query(default=None, description=KEY_HELP),
                     x_pairpad_key: str | None = Header(default=None, description=KEY_HELP)) -> None:
        """Reopen an ended interview for editing."""
        interview = interviewer(services, interview_id, authorization, x_pairpad_key or key)
        await end_interview(services, interview.id, 'interviewer', ended=False)


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


def _links(interview: Interview, request: Request) -> Links:
    base = str(request.base_url).rstrip('/')
    return Links(interviewer_url=base + room_path(interview, 'interviewer'),
                 candidate_url=base + room_path(interview, 'candidate'),
                 interviewer_key=interview.interviewer_key, candidate_key=interview.candidate_key)

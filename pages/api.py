"""REST for integrations and tests, listed in FastAPI's /docs."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Request
from nicegui import app
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from store import Interview
from presence import Forbidden, InterviewFull, NotFound, ParticipantView, PresenceError

from .services import NotAllowed, Services, end_interview, find_interview, new_interview, remove_interview


class NewInterview(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=['Backend engineer — pairing'])
    language: str = Field(default='python', examples=['python'])


class CreatedInterview(BaseModel):
    id: str
    url: str = Field(description='path of the interview room')
    room_url: str = Field(description='absolute URL of the interview room')


class InterviewState(BaseModel):
    id: str
    title: str
    language: str
    code: str
    participants: int = Field(description='participants present now (online or away)')
    ended: bool = Field(description='the interview was ended: the code is read-only')


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
    role: Literal['interviewer', 'candidate'] = 'candidate'


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

    @router.post('/interviews', status_code=201, response_model=CreatedInterview)
    async def create(body: NewInterview, request: Request) -> CreatedInterview:
        try:
            interview = new_interview(services, body.title, body.language)
        except ValueError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        path = f'/room/{interview.id}'
        return CreatedInterview(id=interview.id, url=path, room_url=str(request.base_url).rstrip('/') + path)

    @router.get('/interviews/{interview_id}', response_model=InterviewState,
                responses={404: {'description': 'unknown interview id'}})
    async def read(interview_id: str) -> InterviewState:
        interview = _interview_or_404(services, interview_id)
        room = await services.rooms.get(interview.id)
        present = [p for p in services.presence.participants(interview.id) if p.status != 'offline']
        return InterviewState(id=interview.id, title=interview.title, language=room.language or interview.language,
                              code=room.text, participants=len(present), ended=room.ended)

    @router.delete('/interviews/{interview_id}', status_code=204,
                   responses={401: {'description': 'no valid participant token'},
                              403: {'description': 'only an interviewer may delete the interview'},
                              404: {'description': 'unknown interview id'}})
    async def delete(interview_id: str,
               authorization: str | None = Header(default=None, description='Bearer <interviewer token>')) -> None:
        """Delete the interview, its code and its participants. Open tabs are told and clear their local copy."""
        interview, _ = _interviewer(services, interview_id, authorization)
        remove_interview(services, interview.id)

    @router.post('/interviews/{interview_id}/end', status_code=204, responses=_INTERVIEWER_ONLY)
    async def end(interview_id: str, authorization: str | None = Header(default=None)) -> None:
        """End the interview: the code becomes read-only for everybody (the server refuses further edits)."""
        interview, caller = _interviewer(services, interview_id, authorization)
        await end_interview(services, interview.id, caller.role, ended=True)

    @router.post('/interviews/{interview_id}/reopen', status_code=204, responses=_INTERVIEWER_ONLY)
    async def reopen(interview_id: str, authorization: str | None = Header(default=None)) -> None:
        """Reopen an ended interview for editing."""
        interview, caller = _interviewer(services, interview_id, authorization)
        await end_interview(services, interview.id, caller.role, ended=False)

    @router.get('/interviews/{interview_id}/participants', response_model=list[ParticipantModel],
                responses={404: {'description': 'unknown interview id'}})
    async def participants(interview_id: str) -> list[ParticipantModel]:
        interview = _interview_or_404(services, interview_id)
        return [ParticipantModel.of(p) for p in services.presence.participants(interview.id)]

    @router.post('/interviews/{interview_id}/participants', status_code=201, response_model=JoinedParticipant,
                 responses={404: {'description': 'unknown interview id'}, 422: {'description': 'invalid name'}})
    async def join(interview_id: str, body: NewParticipant) -> JoinedParticipant:
        # async, so joins run on the event loop one at a time like the rest of presence (not in the thread pool)
        """Join an interview without the join form (integrations, headless peers); returns the secret token."""
        interview = _interview_or_404(services, interview_id)
        try:
            participant, token = services.presence.join(interview.id, name=body.name, role=body.role)
        except InterviewFull as e:
            raise HTTPException(status_code=409, detail=str(e)) from e
        except PresenceError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        return JoinedParticipant(participant=ParticipantModel.of(participant), token=token)

    @router.patch('/interviews/{interview_id}/participants/{participant_id}', response_model=ParticipantModel,
                  responses={401: {'description': 'no valid participant token'},
                             403: {'description': 'the token belongs to another participant'},
                             404: {'description': 'unknown interview or participant id'},
                             422: {'description': 'invalid value'}})
    async def update(interview_id: str, participant_id: str, patch: ParticipantPatch,
                     authorization: str | None = Header(default=None, description='Bearer <participant token>'),
                     ) -> ParticipantModel:
        """Update your own participant's cursor, typing state or status. The token is the one your browser tab
        received when it joined; a token may only update its own participant."""
        interview = _interview_or_404(services, interview_id)
        await services.rooms.get(interview.id)  # cursor bounds are checked against the live document
        token = authorization.removeprefix('Bearer ').strip() if authorization else None
        try:
            services.presence.participant(interview.id, participant_id)
            caller = services.presence.owner_of(interview.id, token)
            if caller is None:
                raise HTTPException(status_code=401, detail='a valid participant token is required '
                                                            '(Authorization: Bearer <token>)')
            if caller.id != participant_id:
                raise Forbidden('you may only update your own participant')
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

    return router


_INTERVIEWER_ONLY = {401: {'description': 'no valid participant token'},
                     403: {'description': 'only an interviewer may do this'},
                     404: {'description': 'unknown interview id'}}


def _interviewer(services: Services, interview_id: str, authorization: str | None) -> tuple[Interview, ParticipantView]:
    """The interview and the calling participant, who must be one of its interviewers."""
    interview = _interview_or_404(services, interview_id)
    token = authorization.removeprefix('Bearer ').strip() if authorization else None
    caller = services.presence.owner_of(interview.id, token)
    if caller is None:
        raise HTTPException(status_code=401, detail='a valid participant token is required')
    if caller.role != 'interviewer':
        raise HTTPException(status_code=403, detail='only an interviewer may do this')
    return interview, caller


def _interview_or_404(services: Services, interview_id: str) -> Interview:
    interview = find_interview(services, interview_id)
    if interview is None:
        raise HTTPException(status_code=404, detail=f'interview {interview_id[:40]!r} not found')
    return interview

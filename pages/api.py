"""REST for integrations and tests, listed in FastAPI's /docs."""

from fastapi import APIRouter, HTTPException, Request
from nicegui import app
from pydantic import BaseModel, Field

from .services import Services, find_interview, new_interview


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
    participants: int = Field(description='browser tabs connected to the room now')


def register(services: Services) -> None:
    router = APIRouter(prefix='/api', tags=['interviews'])

    @router.post('/interviews', status_code=201, response_model=CreatedInterview)
    def create(body: NewInterview, request: Request) -> CreatedInterview:
        try:
            interview = new_interview(services, body.title, body.language)
        except ValueError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        path = f'/room/{interview.id}'
        return CreatedInterview(id=interview.id, url=path, room_url=str(request.base_url).rstrip('/') + path)

    @router.get('/interviews/{interview_id}', response_model=InterviewState,
                responses={404: {'description': 'unknown interview id'}})
    async def read(interview_id: str) -> InterviewState:
        interview = find_interview(services, interview_id)
        if interview is None:
            raise HTTPException(status_code=404, detail=f'interview {interview_id[:40]!r} not found')
        room = await services.rooms.get(interview.id)
        return InterviewState(id=interview.id, title=interview.title, language=room.language or interview.language,
                              code=room.text, participants=len(room.peer_ids))

    app.include_router(router)

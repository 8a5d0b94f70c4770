"""REST for the team's question library (issue 15 §1): list and search, create, read, replace, delete, import a
JSON or YAML file, export the library. Registered by pages/api.py's build_router.

Authentication is a member's API token with the `interviews` scope: questions are what a team's interviews are
made of, and every member's token already has that scope (a `questions` scope would need a change to the token
model and leave every existing token without it). An unclaimed server has no team, so these routes answer 401.

Bodies are read here, not by FastAPI, for two reasons: a body over the file limit is refused after reading at most
that much (a 100 MB upload is never held in memory), and a bad question gets one error per field in the same shape
whether it came as JSON or as a file.
"""

import json
from datetime import datetime
from typing import Any, Callable, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from questions import Question
from questions.files import MAX_FILE_BYTES
from store import delete_question, get_question, list_questions

from . import question_library as library
from .auth import Auth
from .question_library import QuestionInvalid, SlugTaken
from .services import Services

TOKEN = 'Bearer <API token> of a member (scope `interviews`); required, see docs/auth.md'
NOT_FOUND = 'no question with this id'
ERRORS = {401: {'description': 'no valid API token'},
          404: {'description': 'no question of the token\'s team has this id (another team\'s id alike)'},
          409: {'description': 'the team has another question with this slug'},
          413: {'description': f'the body is larger than {MAX_FILE_BYTES} bytes'},
          422: {'description': 'not a valid question: `errors` lists every field\'s problem'}}
MEDIA = {'json': 'application/json', 'yaml': 'application/yaml'}


class QuestionSummary(BaseModel):
    id: str
    slug: str
    title: str
    difficulty: str
    tags: list[str]
    visible_tests: int
    hidden_tests: int
    languages: list[str] = Field(description='languages the question has a starter for')
    updated_by: str | None


class StoredQuestion(BaseModel):
    id: str
    updated_by: str | None
    updated_at: datetime
    question: Question


class Imported(BaseModel):
    created: list[str] = Field(description='slugs of the questions added')
    replaced: list[str] = Field(description='slugs of questions that were replaced (on_taken=replace)')
    skipped: list[str] = Field(description='slugs left as they were (on_taken=skip)')


def question_routes(router: APIRouter, services: Services, auth: Auth) -> None:
    # pages.api imports this module, so its api_member is imported when the routes are built, not at import time
    from .api import api_member

    def member(request: Request):
        return api_member(auth, request, 'interviews')

    _library_routes(router, services, member)  # first: /questions/export before /questions/{question_id}
    _one_question_routes(router, services, member)


def _stored(row) -> StoredQuestion:
    return StoredQuestion(id=row.id, updated_by=row.updated_by, updated_at=row.updated_at, question=library.load(row))


def _library_routes(router: APIRouter, services: Services, member: Callable[[Request], Any]) -> None:
    """The library as a whole: list and search, export, import."""
    @router.get('/questions', response_model=list[QuestionSummary], tags=['questions'], responses=ERRORS)
    async def list_all(request: Request, search: str = Query(default='', max_length=200),
                       difficulty: Literal['easy', 'medium', 'hard'] | None = None,
                       tag: str | None = Query(default=None, max_length=40),
                       authorization: str | None = Header(default=None, description=TOKEN)) -> list[QuestionSummary]:
        """The team's questions by title; `search` matches title and slug literally."""
        team = member(request).team_id
        rows = list_questions(services.engine, team, search=search, difficulty=difficulty, tag=tag or None)
        return [QuestionSummary(**library.summary(row).__dict__) for row in rows]

    @router.get('/questions/export', tags=['questions'], responses=ERRORS, response_class=Response)
    async def export(request: Request, format: Literal['yaml', 'json'] = 'yaml',
                     id: str | None = Query(default=None, max_length=32, description='one question; else all'),
                     authorization: str | None = Header(default=None, description=TOKEN)) -> Response:
        """The whole library (or one question) as a file that `POST /api/questions/import` reads back."""
        team = member(request).team_id
        text = library.export(services.engine, team, format, id)
        if text is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        return Response(text, media_type=MEDIA[format], headers={
            'Content-Disposition': f'attachment; filename="{library.file_name("questions", format)}"'})

    @router.post('/questions/import', status_code=201, response_model=Imported, tags=['questions'],
                 responses=ERRORS, openapi_extra={'requestBody': {'required': True, 'content': {
                     'application/json': {'schema': {'type': 'object'}},
                     'application/yaml': {'schema': {'type': 'string'}}}}})
    async def import_file(request: Request, format: Literal['yaml', 'json'] | None = Query(
                              default=None, description='the body\'s format; default: from Content-Type, else read'),
                          on_taken: Literal['refuse', 'replace', 'skip'] = Query(
                              default='refuse', description='a slug the team already has: 409, replace it, or skip'),
                          authorization: str | None = Header(default=None, description=TOKEN)) -> Imported:
        """One question or a library (`{"questions": [...]}`) as JSON or YAML. All or nothing: if any question
        is invalid, nothing is imported and `errors` lists every problem."""
        who = member(request)
        data = await read_body(request)
        try:
            questions = library.parse_file(data, format or _format(request))
            saved = library.import_questions(services.engine, who.team_id, questions, who.name, on_taken=on_taken)
        except QuestionInvalid as e:
            return _invalid(e, 'the file is not a valid question or library')
        except SlugTaken as e:
            raise HTTPException(status_code=409, detail=str(e)) from None
        return Imported(created=saved.created, replaced=saved.replaced, skipped=saved.skipped)


def _one_question_routes(router: APIRouter, services: Services, member: Callable[[Request], Any]) -> None:
    """One question: create, read, replace, delete."""
    @router.post('/questions', status_code=201, response_model=StoredQuestion, tags=['questions'], responses=ERRORS,
                 openapi_extra={'requestBody': {'required': True, 'content': {
                     'application/json': {'schema': {'$ref': '#/components/schemas/Question'}}}}})
    async def create(request: Request,
                     authorization: str | None = Header(default=None, description=TOKEN)) -> StoredQuestion:
        """Add a question to the team's library (the body is a question, as in a question file)."""
        who = member(request)
        try:
            question = library.validate(await _json(request))
            row = library.create(services.engine, who.team_id, question, who.name)
        except QuestionInvalid as e:
            return _invalid(e)
        except SlugTaken as e:
            raise HTTPException(status_code=409, detail=str(e)) from None
        return _stored(row)

    @router.get('/questions/{question_id}', response_model=StoredQuestion, tags=['questions'], responses=ERRORS)
    async def read(question_id: str, request: Request,
                   authorization: str | None = Header(default=None, description=TOKEN)) -> StoredQuestion:
        row = get_question(services.engine, member(request).team_id, question_id)
        if row is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        return _stored(row)

    @router.put('/questions/{question_id}', response_model=StoredQuestion, tags=['questions'], responses=ERRORS,
                openapi_extra={'requestBody': {'required': True, 'content': {
                    'application/json': {'schema': {'$ref': '#/components/schemas/Question'}}}}})
    async def replace(question_id: str, request: Request,
                      authorization: str | None = Header(default=None, description=TOKEN)) -> StoredQuestion:
        """Replace a question of the team's (its id stays; interviews that used it keep their own copy)."""
        who = member(request)
        if get_question(services.engine, who.team_id, question_id) is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)  # before the body: no oracle through a 422
        try:
            row = library.update(services.engine, who.team_id, question_id, library.validate(await _json(request)),
                                 who.name)
        except QuestionInvalid as e:
            return _invalid(e)
        except SlugTaken as e:
            raise HTTPException(status_code=409, detail=str(e)) from None
        if row is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        return _stored(row)

    @router.delete('/questions/{question_id}', status_code=204, tags=['questions'], responses=ERRORS)
    async def delete(question_id: str, request: Request,
                     authorization: str | None = Header(default=None, description=TOKEN)) -> None:
        if not delete_question(services.engine, member(request).team_id, question_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND)


async def read_body(request: Request) -> bytes:
    """The request's body, refused with 413 as soon as it passes the file limit (by its Content-Length if it
    declares one, else while reading): never more than MAX_FILE_BYTES of it is held."""
    declared = request.headers.get('content-length', '')
    if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b''.join(chunks)


def _too_large() -> HTTPException:
    return HTTPException(status_code=413, detail=f'the body is larger than {MAX_FILE_BYTES} bytes, the limit of a '
                                                 f'question file')


async def _json(request: Request) -> object:
    data = await read_body(request)
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise QuestionInvalid([library.Problem('', f'the body is not valid JSON: {e}')]) from None


def _format(request: Request) -> Literal['yaml', 'json'] | None:
    kind = request.headers.get('content-type', '').split(';')[0].strip().lower()
    return 'json' if kind.endswith('json') else 'yaml' if 'yaml' in kind else None


def _invalid(e: QuestionInvalid, detail: str = 'the question is not valid') -> JSONResponse:
    return JSONResponse(status_code=422, content={
        'detail': detail, 'errors': [{'field': p.field, 'message': p.message} for p in e.problems]})

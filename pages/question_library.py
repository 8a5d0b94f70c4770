"""The team's question library as use cases shared by the `/questions` page and the REST routes, so each rule
(validation with an error per field, slugs unique in the team, imports all or nothing, samples added once) is
written once. No NiceGUI and no HTTP here: callers turn the exceptions into a form's messages or a status code.

A question is validated by `questions.Question` on every way in (form, JSON body, file), then stored as the JSON
of the validated model, so what the store holds always reads back as a valid question.
"""

import json
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Engine

from questions import (Question, QuestionFileError, TestRun, read_questions, run_tests, sample_questions,
                       write_questions)
from questions.files import Format
from runner import CodeRunner, RunRefused
from store import QuestionRow, SlugTaken, get_question, list_questions, save_question
from store.question_import import NewQuestion, Saved, save_questions

DIFFICULTIES = ('easy', 'medium', 'hard')


@dataclass(frozen=True)
class Problem:
    field: str    # 'title', 'tests.2.expected', '' for the question as a whole
    message: str

    def __str__(self) -> str:
        return f'{self.field}: {self.message}' if self.field else self.message


class QuestionInvalid(ValueError):
    """A question (or a file of them) that cannot be saved; `problems` says what is wrong where, one per field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__('\n'.join(map(str, problems)))
        self.problems = problems


def validate(data: object) -> Question:
    """A question from plain data (a form's values, a JSON body), or QuestionInvalid with every field's problem."""
    if not isinstance(data, dict):
        raise QuestionInvalid([Problem('', 'a question is a JSON object of its fields')])
    try:
        question = Question.model_validate(data)
    except ValidationError as e:
        raise QuestionInvalid([Problem('.'.join(str(part) for part in error['loc']), error['msg'])
                               for error in e.errors()]) from None
    _check_tags([question])
    return question


def _check_tags(questions: list[Question], prefix: str = '') -> None:
    """The store keeps tags comma-separated for the library's filter, so a tag cannot hold a comma."""
    problems = [Problem(f'{prefix}{i}.tags.{j}' if prefix else f'tags.{j}', 'a tag cannot contain a comma')
                for i, question in enumerate(questions) for j, tag in enumerate(question.tags) if ',' in tag]
    if problems:
        raise QuestionInvalid(problems)


def _stored(question: Question) -> NewQuestion:
    return NewQuestion(slug=question.slug, title=question.title, difficulty=question.difficulty,
                       tags=list(question.tags), body=question.model_dump_json())


def load(row: QuestionRow) -> Question:
    return Question.model_validate_json(row.body)


def create(engine: Engine, team_id: str, question: Question, updated_by: str | None) -> QuestionRow:
    """Add a question to the team's library; SlugTaken if the team has one with its slug."""
    new = _stored(question)
    return save_question(engine, team_id=team_id, slug=new.slug, title=new.title, difficulty=new.difficulty,
                         tags=new.tags, body=new.body, updated_by=updated_by)


def update(engine: Engine, team_id: str, question_id: str, question: Question,
           updated_by: str | None) -> QuestionRow | None:
    """Replace one of the team's questions (None if it has no such id); SlugTaken if the new slug is another's."""
    if get_question(engine, team_id, question_id) is None:
        return None
    new = _stored(question)
    try:
        return save_question(engine, team_id=team_id, slug=new.slug, title=new.title, difficulty=new.difficulty,
                             tags=new.tags, body=new.body, updated_by=updated_by, question_id=question_id)
    except LookupError:  # deleted meanwhile
        return None


def parse_file(data: bytes | str, format: Format | None = None) -> list[Question]:
    """The questions of a JSON or YAML file (one question or a library), or QuestionInvalid listing every problem
    (the file's size, its syntax, each field of each question)."""
    try:
        questions = read_questions(data, format)
    except QuestionFileError as e:
        raise QuestionInvalid([_file_problem(problem) for problem in e.problems]) from None
    _check_tags(questions, 'questions.' if len(questions) > 1 else '')
    return questions


def _file_problem(text: str) -> Problem:
    where, sep, message = text.partition(': ')
    return Problem(where, message) if sep and ' ' not in where else Problem('', text)


def import_questions(engine: Engine, team_id: str, questions: list[Question], updated_by: str | None, *,
                     on_taken: str = 'refuse') -> Saved:
    """Save every question of a file in one transaction: all or none. SlugTaken (with on_taken='refuse') names the
    slugs the team already has."""
    return save_questions(engine, team_id, [_stored(q) for q in questions], updated_by=updated_by,
                          on_taken=on_taken)


def add_samples(engine: Engine, team_id: str, updated_by: str | None) -> Saved:
    """The project's sample questions, except those whose slug the team already has (added before, or its own):
    pressing the button twice adds them once."""
    return import_questions(engine, team_id, list(sample_questions()), updated_by, on_taken='skip')


def export(engine: Engine, team_id: str, format: Format, question_id: str | None = None) -> str | None:
    """One question (None if the team has no such id) or the whole library, as a file import reads back equal
    (write_questions' rule: a library of one question is written as that question, which reads back the same)."""
    if question_id is not None:
        row = get_question(engine, team_id, question_id)
        return write_questions([load(row)], format) if row is not None else None
    return write_questions([load(row) for row in list_questions(engine, team_id)], format)


async def check_solutions(runner: CodeRunner | None, question: Question) -> list[tuple[str, TestRun | str]]:
    """Every reference solution of the guide against every test case (questions.run_tests, in the sandbox): per
    language its results, or why it could not run (running is off, the language cannot run here)."""
    checked: list[tuple[str, TestRun | str]] = []
    for language, code in question.guide.solutions.items():
        if runner is None:
            checked.append((language, 'running code is off on this server'))
            continue
        try:
            checked.append((language, await run_tests(runner, code, language, question.tests,
                                                      started_by='reference solution check')))
        except RunRefused as e:
            checked.append((language, str(e)))
    return checked


@dataclass(frozen=True)
class Summary:
    """A row of the library's list, read from the stored JSON without validating it again."""

    id: str
    slug: str
    title: str
    difficulty: str
    tags: list[str]
    visible_tests: int
    hidden_tests: int
    languages: list[str]   # languages with a starter
    updated_by: str | None


def summary(row: QuestionRow) -> Summary:
    body = json.loads(row.body)
    tests = body.get('tests', [])
    hidden = sum(1 for case in tests if case.get('hidden'))
    return Summary(row.id, row.slug, row.title, row.difficulty, [t for t in row.tags.split(',') if t],
                   len(tests) - hidden, hidden, sorted(body.get('starters', {})), row.updated_by)


def file_name(stem: str, format: Format) -> str:
    return f'{stem}.{"json" if format == "json" else "yaml"}'


__all__ = ['DIFFICULTIES', 'Problem', 'QuestionInvalid', 'Saved', 'SlugTaken', 'Summary', 'add_samples',
           'check_solutions', 'create',
           'export', 'file_name', 'import_questions', 'load', 'parse_file', 'summary', 'update', 'validate']

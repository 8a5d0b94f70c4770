"""A question of the team's library: prompt, starters, test cases and the interviewer's guide, validated on the way
in so that nothing malformed reaches the store, the room or a candidate's browser.

pydantic does the checking (a clear error per field comes for free); the limits below are what keeps one file from
filling the database or one Run tests press from running for an hour.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from typing_extensions import Annotated

from languages import LANGUAGES

MAX_CASES = 100              # test cases of one question: each is its own sandboxed process on every Run tests
MAX_CASE_BYTES = 64 * 1024   # stdin or expected output of one case
MAX_TEXT = 50_000            # prompt, a starter, a solution
MAX_QUESTIONS = 500          # questions in one imported library file

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Criterion = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(max_length=MAX_TEXT)]


class TestCase(BaseModel):
    """One stdin → expected stdout check. Hidden cases are never sent to a candidate: not their input, not their
    expected output, not even their name."""

    __test__ = False  # a model, not a pytest class
    model_config = ConfigDict(extra='forbid')
    name: Title
    stdin: str = Field(default='', max_length=MAX_CASE_BYTES)
    expected: str = Field(max_length=MAX_CASE_BYTES)
    hidden: bool = False
    weight: int = Field(default=1, ge=1, le=100)

    @field_validator('stdin', 'expected')
    @classmethod
    def _bytes(cls, value: str) -> str:
        if len(value.encode()) > MAX_CASE_BYTES:
            raise ValueError(f'at most {MAX_CASE_BYTES} bytes')
        return value


class Guide(BaseModel):
    """What only interviewers ever see: hints to give, reference solutions, and the rubric of the scorecard."""

    model_config = ConfigDict(extra='forbid')
    hints: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(default_factory=list, max_length=20)
    solutions: dict[str, Code] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(default_factory=list, max_length=12)

    @field_validator('solutions')
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _known_languages(value)


class Question(BaseModel):
    model_config = ConfigDict(extra='forbid')
    slug: Annotated[str, StringConstraints(pattern=r'^[a-z0-9][a-z0-9-]{0,63}$')] = Field(
        description='stable id of the question in files: lowercase letters, digits and dashes')
    title: Title
    prompt: str = Field(max_length=MAX_TEXT, description='Markdown shown to everybody in the room')
    difficulty: Literal['easy', 'medium', 'hard'] = 'medium'
    tags: list[Tag] = Field(default_factory=list, max_length=12)
    starters: dict[str, Code] = Field(default_factory=dict, description='language id -> starting code')
    tests: list[TestCase] = Field(default_factory=list, max_length=MAX_CASES)
    guide: Guide = Field(default_factory=Guide)

    @field_validator('starters')
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return _known_languages(value)

    @field_validator('tests')
    @classmethod
    def _unique_case_names(cls, value: list[TestCase]) -> list[TestCase]:
        _unique('test case names', [case.name for case in value])
        return value

    @property
    def visible_tests(self) -> list[TestCase]:
        return [case for case in self.tests if not case.hidden]


class Library(BaseModel):
    """A whole library in one file."""

    model_config = ConfigDict(extra='forbid')
    questions: list[Question] = Field(max_length=MAX_QUESTIONS)

    @field_validator('questions')
    @classmethod
    def _unique_slugs(cls, value: list[Question]) -> list[Question]:
        _unique('question slugs', [question.slug for question in value])
        return value


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    twice = sorted({name for name in names if name in seen or seen.add(name)})
    if twice:
        raise ValueError(f'{what} must be unique: {", ".join(twice)}')


def _known_languages(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f'unknown language {", ".join(map(repr, unknown))}; expected one of {", ".join(LANGUAGES)}')
    return value

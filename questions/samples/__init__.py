"""The five questions Pairpad ships, so a new team can run a real interview before writing its own: each with
starters and tests for Python, JavaScript and Java and reference solutions that pass them (checked in CI by
tests/unit/test_sample_questions.py). They are plain question files: edit them, or export and import them."""

from functools import cache
from importlib.resources import files

from ..files import read_questions
from ..model import Question


@cache
def sample_questions() -> tuple[Question, ...]:
    found = sorted((entry for entry in files(__package__).iterdir() if entry.name.endswith('.yaml')),
                   key=lambda entry: entry.name)
    return tuple(question for entry in found for question in read_questions(entry.read_bytes(), 'yaml'))

"""Questions as files: one question or the whole library, in JSON or YAML, read with one clear error per field.

YAML because people write questions by hand (multi-line prompts and expected outputs read well as block scalars);
JSON because tools write them. The format is the same either way: a question's fields, or `{questions: [...]}`.
"""

import json
from typing import Literal

import yaml
from pydantic import ValidationError

from .model import Library, Question

MAX_FILE_BYTES = 8 * 1024 * 1024  # a library of hundreds of questions fits; 100 MB of stdin does not

Format = Literal['json', 'yaml']


class QuestionFileError(ValueError):
    """A file that is not a valid question or library; str() lists every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__('\n'.join(problems))
        self.problems = problems


def read_questions(data: bytes | str, format: Format | None = None) -> list[Question]:
    """The questions of a file (one question or a library), or QuestionFileError saying what is wrong where."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_FILE_BYTES:
        raise QuestionFileError([f'the file is {len(raw)} bytes; at most {MAX_FILE_BYTES} are read'])
    document = _parse(raw, format)
    if not isinstance(document, dict):
        raise QuestionFileError(['the file must hold one question (a mapping) or {"questions": [...]}'])
    try:
        if 'questions' in document:
            return Library.model_validate(document).questions
        return [Question.model_validate(document)]
    except ValidationError as e:
        raise QuestionFileError([_problem(error) for error in e.errors()]) from None


def write_questions(questions: list[Question], format: Format = 'yaml') -> str:
    """One question as itself, several as a library: what read_questions reads back equal."""
    document = questions[0].model_dump() if len(questions) == 1 else Library(questions=questions).model_dump()
    if format == 'json':
        return json.dumps(document, indent=2, ensure_ascii=False) + '\n'
    return yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=120)


def _parse(raw: bytes, format: Format | None) -> object:
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise QuestionFileError([f'the file is not UTF-8 text (byte {e.start})']) from None
    if format == 'json' or (format is None and text.lstrip().startswith(('{', '['))):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise QuestionFileError([f'not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}']) from None
    try:
        return yaml.safe_load(text)  # safe_load: a question file never constructs Python objects
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f' at line {mark.line + 1}, column {mark.column + 1}' if mark else ''
        raise QuestionFileError([f'not valid YAML{where}: {getattr(e, "problem", None) or e}']) from None


def _problem(error: dict) -> str:
    where = '.'.join(str(part) for part in error['loc']) or 'the file'
    return f'{where}: {error["msg"]}'


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (prompts, code, expected outputs) as `|` blocks, the way people write them."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if '\n' in value and not any(line != line.rstrip() for line in value.split('\n')):
        return dumper.represent_scalar('tag:yaml.org,2002:str', value, style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', value)


_BlockDumper.add_representer(str, _str_presenter)

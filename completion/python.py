"""Python completions and signature help from jedi, as plain data a browser can show.

This module runs inside the completion worker process (completion/worker.py), never in the server's event loop:
jedi is pure Python and a first inference of a big module takes seconds of CPU.

What jedi is allowed to see is chosen for the candidate, not for the server: the system Python (the interpreter
the sandbox runs programs with, so `import` offers what a run can import, not the server's own packages) and an
empty project directory (jedi would otherwise index the working directory: the server's source). Completions of
file names inside strings are dropped: they would list the server's file system.
"""

import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from functools import lru_cache

MAX_ITEMS = 200            # Monaco filters as the person types; more would only cost bytes
MAX_DOC_CHARS = 2_000      # of an item's documentation
SYSTEM_PYTHON = '/usr/bin/python3'

# jedi's kinds → Monaco's CompletionItemKind names (the browser maps names to numbers)
KINDS = {'module': 'Module', 'class': 'Class', 'instance': 'Variable', 'function': 'Function',
         'param': 'Variable', 'keyword': 'Keyword', 'property': 'Property', 'statement': 'Variable'}


@dataclass
class Item:
    label: str
    kind: str
    detail: str
    prefix_chars: int   # characters of the label already typed before the position (Monaco's replace range)


@dataclass
class Signature:
    label: str          # e.g. 'print(*values, sep=" ", end="\\n")'
    parameters: list[str]
    active_parameter: int
    doc: str


@lru_cache(maxsize=1)
def _jedi():
    """jedi, its environment and an empty project, created once per worker."""
    import jedi
    empty = tempfile.mkdtemp(prefix='pairpad-jedi-')
    project = jedi.Project(empty, smart_sys_path=False, added_sys_path=())
    environment = jedi.create_environment(SYSTEM_PYTHON, safe=False) if os.path.exists(SYSTEM_PYTHON) \
        else jedi.InterpreterEnvironment()
    return jedi, project, environment


def _script(code: str):
    jedi, project, environment = _jedi()
    return jedi.Script(code, project=project, environment=environment)


def jedi_position(code: str, line: int, column: int) -> tuple[int, int]:
    """Monaco's (1-based line, 1-based column in UTF-16 units) → jedi's (1-based line, 0-based code points).
    ValueError if the position is not in the code."""
    lines = code.split('\n')
    if not 1 <= line <= len(lines):
        raise ValueError(f'line {line} is outside the code ({len(lines)} lines)')
    text = lines[line - 1]
    units = 0
    for index, char in enumerate(text):
        if units >= column - 1:
            if units != column - 1:
                raise ValueError(f'column {column} splits a character')
            return line, index
        units += 2 if ord(char) > 0xFFFF else 1
    if units != column - 1:
        raise ValueError(f'column {column} is outside line {line} ({units} characters)')
    return line, len(text)


def complete(code: str, line: int, column: int) -> list[dict]:
    """The completions at Monaco's position, best first."""
    row, col = jedi_position(code, line, column)
    items = []
    for found in _script(code).complete(row, col):
        if found.type == 'path':
            continue
        typed = len(found.name) - len(found.complete or '')
        items.append(asdict(Item(found.name, KINDS.get(found.type, 'Text'), found.description[:200], typed)))
        if len(items) == MAX_ITEMS:
            break
    return items


def signatures(code: str, line: int, column: int) -> list[dict]:
    """The signatures of the call around Monaco's position (one per overload), with the active parameter."""
    row, col = jedi_position(code, line, column)
    found = []
    for signature in _script(code).get_signatures(row, col)[:5]:
        found.append(asdict(Signature(signature.to_string()[:500], [p.to_string()[:200] for p in signature.params],
                                      signature.index if signature.index is not None else -1,
                                      signature.docstring(raw=True)[:MAX_DOC_CHARS])))
    return found


def warm_up() -> None:
    """Infer the modules interviews use most, so the first person to type `os.` does not wait seconds. It runs as
    the worker pool's initializer, where an exception would make the pool restart the worker for ever: so none
    leaves it (a failing jedi then fails each request instead, which answers "no suggestions")."""
    try:
        complete('import os, sys, collections, itertools, math, re, json\nos.path.\n', 2, 9)
        complete('x = [1]\nx.\n', 2, 3)
    except Exception as e:  # noqa: BLE001 (see above)
        logging.getLogger(__name__).warning('completion: warming up failed: %s: %s', type(e).__name__, e)

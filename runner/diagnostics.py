"""Errors with a line number, read from what a compiler or a crashing program printed: the editors' markers.

Each tool has its own format (gcc's `main.c:3:5: error: ...`, javac's `Main.java:3: error: ...` with a caret line,
rustc's `--> main.rs:3:5`, Python's traceback, Node's and Java's stack frames, ...). Only lines of the program's
own file count: a frame inside the standard library is no place to put a squiggle. The commands of the languages
table never wrap the document, so a tool's line is the document's line.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from languages import LANGUAGES

MAX_MARKERS = 50
MAX_MESSAGE = 500
SEVERITIES = ('error', 'warning')


@dataclass(frozen=True)
class Marker:
    line: int          # 1-based line of the document
    column: int        # 1-based; 1 when the tool gives none
    message: str
    severity: str      # 'error' | 'warning'

    def to_dict(self) -> dict:
        return {'line': self.line, 'column': self.column, 'message': self.message, 'severity': self.severity}

    @classmethod
    def from_dict(cls, d: object) -> 'Marker':
        """A marker from JSON that another instance or a client sent: ValueError unless every field is sound."""
        if not isinstance(d, dict):
            raise ValueError(f'a marker is an object, not {type(d).__name__}')
        line, column, message, severity = (d.get(k) for k in ('line', 'column', 'message', 'severity'))
        for name, value in (('line', line), ('column', column)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000_000:
                raise ValueError(f'marker {name} must be a positive integer, not {value!r}')
        if not isinstance(message, str) or len(message) > MAX_MESSAGE:
            raise ValueError(f'marker message must be a string of at most {MAX_MESSAGE} characters')
        if severity not in SEVERITIES:
            raise ValueError(f'marker severity must be one of {SEVERITIES}, not {severity!r}')
        return cls(line, column, message, severity)


def _file(name: str) -> str:
    """A regex for the program's file as tools print it: `main.c`, `./main.go`, `/sandbox/main.py`."""
    return r'(?:\./|/sandbox/)?' + re.escape(name)


def _marker(line: str | int, column: str | int | None, message: str, severity: str = 'error') -> Marker:
    column = int(column) if column else 1
    return Marker(max(1, int(line)), max(1, column), message.strip()[:MAX_MESSAGE] or 'error', severity)


def _caret_column(lines: list[str], start: int, limit: int = 3) -> int | None:
    """The column of a `^` under a quoted source line within `limit` lines after `start` (javac, Node)."""
    for candidate in lines[start:start + limit]:
        if candidate.strip() == '^' or re.fullmatch(r'\s*\^[~^]*\s*', candidate):
            return candidate.index('^') + 1
    return None


def _gcc_style(name: str) -> Callable[[list[str]], Iterator[Marker]]:
    """gcc, g++ and go: `file:line:col: [error:|warning:] message`."""
    pattern = re.compile(_file(name) + r':(\d+):(\d+): (?:(fatal error|error|warning|note): )?(.*)$')

    def parse(lines: list[str]) -> Iterator[Marker]:
        for text in lines:
            if (m := pattern.match(text)) and m[3] != 'note':
                yield _marker(m[1], m[2], m[4], 'warning' if m[3] == 'warning' else 'error')
    return parse


def _go_panic(lines: list[str]) -> Iterator[Marker]:
    """`panic: message` ... `\t/sandbox/main.go:7 +0x1d`: the first frame of the program's file."""
    frame = re.compile(_file('main.go') + r':(\d+)(?: \+0x[0-9a-f]+)?$')
    message = None
    for text in lines:
        if text.startswith('panic: ') or text.startswith('fatal error: '):
            message = text
        elif message and (m := frame.match(text.strip())):
            yield _marker(m[1], None, message)
            message = None


def _javac(lines: list[str]) -> Iterator[Marker]:
    pattern = re.compile(_file('Main.java') + r':(\d+): (error|warning): (.*)$')
    for i, text in enumerate(lines):
        if m := pattern.match(text):
            yield _marker(m[1], _caret_column(lines, i + 2, 1), m[3], m[2])


def _stack(name: str, header: str) -> Callable[[list[str]], Iterator[Marker]]:
    """A runtime exception: its message (a line matching `header`) and the first frame in the program's file
    after it (Java's `at Main.main(Main.java:5)`, Node's `at f (/sandbox/main.js:3:9)`)."""
    frame = re.compile(r'\s+at .*?\(?' + _file(name) + r':(\d+)(?::(\d+))?\)?$')
    head = re.compile(header)

    def parse(lines: list[str]) -> Iterator[Marker]:
        message = None
        for text in lines:
            if head.match(text):
                message = re.sub(r'^Exception in thread "[^"]*" ', '', text)
            elif message and (m := frame.match(text)):
                yield _marker(m[1], m[2], message)
                message = None
    return parse


def _node(name: str) -> Callable[[list[str]], Iterator[Marker]]:
    """Node prints `/sandbox/main.js:3`, the source line, a caret, then the error; else only frames."""
    header = re.compile(_file(name) + r':(\d+)$')
    error = re.compile(r'^[A-Za-z]*(Error|Exception)\b.*|^Uncaught .*|^\w+: .*')
    frames = _stack(name, r'^[A-Za-z]*(Error|Exception)\b|^\w+: ')

    def parse(lines: list[str]) -> Iterator[Marker]:
        for i, text in enumerate(lines):
            if m := header.match(text):
                message = next((t for t in lines[i + 1:i + 8] if error.match(t)), None)
                if message:
                    yield _marker(m[1], _caret_column(lines, i + 2, 1), message)
                    return
        yield from frames(lines)
    return parse


def _python(lines: list[str]) -> Iterator[Marker]:
    """A traceback's last frame in main.py, with the exception line that ends it (SyntaxError included)."""
    frame = re.compile(r'\s*File "' + _file('main.py') + r'", line (\d+)')
    line = None
    for text in lines:
        if m := frame.match(text):
            line = m[1]
        elif line and re.match(r'^[A-Za-z_][\w.]*(: .*)?$', text) and not text.startswith('Traceback'):
            yield _marker(line, None, text)
            line = None


def _rustc(lines: list[str]) -> Iterator[Marker]:
    """`error[E0425]: message` then ` --> main.rs:3:5`; a panic: `panicked at 'message', main.rs:3:5`."""
    arrow = re.compile(r'\s*--> ' + _file('main.rs') + r':(\d+):(\d+)')
    panic = re.compile(r"thread '.*' panicked at (?:'(.*)', )?" + _file('main.rs') + r':(\d+):(\d+):?$')
    header = None
    for i, text in enumerate(lines):
        if m := re.match(r'^(error|warning)(?:\[\w+\])?: (.*)$', text):
            header = (m[2], m[1])
        elif header and (m := arrow.match(text)):
            yield _marker(m[1], m[2], header[0], header[1])
            header = None
        elif m := panic.match(text):
            message = m[1] if m[1] is not None else (lines[i + 1] if i + 1 < len(lines) else 'panicked')
            yield _marker(m[2], m[3], f'panicked: {message}')


def _tsc(lines: list[str]) -> Iterator[Marker]:
    pattern = re.compile(_file('main.ts') + r'\((\d+),(\d+)\): (error|warning) (.*)$')
    for text in lines:
        if m := pattern.match(text):
            yield _marker(m[1], m[2], m[4], m[3])
    yield from _node('main.ts')(lines)


def _regex(pattern: str, line: int, message: int, column: int | None = None):
    """Tools with one line per error: `pattern`'s groups give the line, the message (and the column)."""
    compiled = re.compile(pattern)

    def parse(lines: list[str]) -> Iterator[Marker]:
        for text in lines:
            if m := compiled.search(text):
                yield _marker(m[line], m[column] if column else None, m[message])
    return parse


PARSERS: dict[str, Callable[[list[str]], Iterator[Marker]]] = {
    'python': _python,
    'javascript': _node('main.js'),
    'typescript': _tsc,
    'java': lambda lines: (*_javac(lines), *_stack('Main.java', r'^Exception in thread |^Caused by: ')(lines)),
    'c': _gcc_style('main.c'),
    'cpp': _gcc_style('main.cpp'),
    'go': lambda lines: (*_gcc_style('main.go')(lines), *_go_panic(lines)),
    'rust': _rustc,
    # `main.rb:3:in '<main>': message (NameError)` and `main.rb:2: syntax error, ...`; backtrace lines start
    # with a tab and are skipped.
    'ruby': _regex(r'^' + _file('main.rb') + r':(\d+):(?:in [`\'][^\']*\': )?\s*(.+)$', 1, 2),
    'bash': _regex(r'^' + _file('main.sh') + r': line (\d+): (.+)$', 1, 2),
    # `PHP Parse error:  message in /sandbox/main.php on line 3`, `Uncaught Exception: boom in /sandbox/main.php:3`
    'php': _regex(r'^(?:PHP )?((?:Parse|Fatal) error|Warning):\s+(.*?) in ' + _file('main.php')
                  + r'(?: on line |:)(\d+)', 3, 2),
    'sql': _regex(r'^(?:Parse|Runtime) error near line (\d+): (.+)$', 1, 2),
}


def markers(language: str, output: str) -> tuple[Marker, ...]:
    """The errors with a line of the program in `output` (a run's stderr and stdout), in order, without repeats."""
    parse = PARSERS.get(language)
    if parse is None or language not in LANGUAGES or not output:
        return ()
    found: dict[tuple, Marker] = {}
    for marker in parse(output.splitlines()):
        found.setdefault((marker.line, marker.column, marker.message), marker)
        if len(found) >= MAX_MARKERS:
            break
    return tuple(found.values())

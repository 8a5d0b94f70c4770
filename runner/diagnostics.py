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


Parser = Callable[[list[str]], Iterator[Marker]]  # a tool's output, as lines → the markers it names


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


def _gcc_style(name: str) -> Parser:
    """gcc, g++ and go: `file:line:col: [error:|warning:] message`."""
    pattern = re.compile(_file(name) + r':(\d+):(\d+): (?:(fatal error|error|warning|note): )?(.*)$')

    def parse(lines: list[str]) -> Iterator[Marker]:
        for text in lines:
            if (m := pattern.match(text)) and m[3] != 'note':
                yield _marker(m[1], m[2], m[4], 'warning' if m[3] == 'warning' else 'error')
    return parse


def _go(name: str) -> Parser:
    """go build's errors (gcc's format), and a panic: `panic: message` ... `\t/sandbox/main.go:7 +0x1d`, the first
    frame of the program's file."""
    errors = _gcc_style(name)
    frame = re.compile(_file(name) + r':(\d+)(?: \+0x[0-9a-f]+)?$')

    def panics(lines: list[str]) -> Iterator[Marker]:
        message = None
        for text in lines:
            if text.startswith('panic: ') or text.startswith('fatal error: '):
                message = text
            elif message and (m := frame.match(text.strip())):
                yield _marker(m[1], None, message)
                message = None
    return lambda lines: (*errors(lines), *panics(lines))


def _java(name: str) -> Parser:
    """javac's `Main.java:3: error: message` with a caret line, and a runtime exception's stack."""
    pattern = re.compile(_file(name) + r':(\d+): (error|warning): (.*)$')
    stack = _stack(name, r'^Exception in thread |^Caused by: ')

    def compiler(lines: list[str]) -> Iterator[Marker]:
        for i, text in enumerate(lines):
            if m := pattern.match(text):
                yield _marker(m[1], _caret_column(lines, i + 2, 1), m[3], m[2])
    return lambda lines: (*compiler(lines), *stack(lines))


def _stack(name: str, header: str) -> Parser:
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


def _node(name: str) -> Parser:
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


def _python(name: str) -> Parser:
    """A traceback's last frame in the program's file, with the exception line that ends it (SyntaxError too)."""
    frame = re.compile(r'\s*File "' + _file(name) + r'", line (\d+)')

    def parse(lines: list[str]) -> Iterator[Marker]:
        line = None
        for text in lines:
            if m := frame.match(text):
                line = m[1]
            elif line and re.match(r'^[A-Za-z_][\w.]*(: .*)?$', text) and not text.startswith('Traceback'):
                yield _marker(line, None, text)
                line = None
    return parse


def _rustc(name: str) -> Parser:
    """`error[E0425]: message` then ` --> main.rs:3:5`; a panic: `panicked at 'message', main.rs:3:5`."""
    arrow = re.compile(r'\s*--> ' + _file(name) + r':(\d+):(\d+)')
    panic = re.compile(r"thread '.*' panicked at (?:'(.*)', )?" + _file(name) + r':(\d+):(\d+):?$')

    def parse(lines: list[str]) -> Iterator[Marker]:
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
    return parse


def _tsc(name: str) -> Parser:
    """tsc's `main.ts(3,5): error TS2304: message`; at run time, Node's errors mapped back to main.ts."""
    pattern = re.compile(_file(name) + r'\((\d+),(\d+)\): (error|warning) (.*)$')
    runtime = _node(name)

    def parse(lines: list[str]) -> Iterator[Marker]:
        for text in lines:
            if m := pattern.match(text):
                yield _marker(m[1], m[2], m[4], m[3])
        yield from runtime(lines)
    return parse


def _regex(pattern: str, line: int, message: int, column: int | None = None):
    """Tools with one line per error: `pattern`'s groups give the line, the message (and the column)."""
    compiled = re.compile(pattern)

    def parse(lines: list[str]) -> Iterator[Marker]:
        for text in lines:
            if m := compiled.search(text):
                yield _marker(m[line], m[column] if column else None, m[message])
    return parse


# How each language's tools print an error: a parser made for the program's file name, which is the languages
# table's (`Language.file_name`), not a copy of it.
PARSERS: dict[str, Callable[[str], Parser]] = {
    'python': _python,
    'javascript': _node,
    'typescript': _tsc,
    'java': _java,
    'c': _gcc_style,
    'cpp': _gcc_style,
    'go': _go,
    'rust': _rustc,
    # `main.rb:3:in '<main>': message (NameError)` and `main.rb:2: syntax error, ...`; backtrace lines start
    # with a tab and are skipped.
    'ruby': lambda name: _regex(r'^' + _file(name) + r':(\d+):(?:in [`\'][^\']*\': )?\s*(.+)$', 1, 2),
    'bash': lambda name: _regex(r'^' + _file(name) + r': line (\d+): (.+)$', 1, 2),
    # `PHP Parse error:  message in /sandbox/main.php on line 3`, `Uncaught Exception: boom in /sandbox/main.php:3`
    'php': lambda name: _regex(r'^(?:PHP )?((?:Parse|Fatal) error|Warning):\s+(.*?) in ' + _file(name)
                               + r'(?: on line |:)(\d+)', 3, 2),
    'sql': lambda _name: _regex(r'^(?:Parse|Runtime) error near line (\d+): (.+)$', 1, 2),
}
_PARSE: dict[str, Parser] = {language_id: parser(LANGUAGES[language_id].file_name)
                             for language_id, parser in PARSERS.items()}


def markers(language: str, output: str) -> tuple[Marker, ...]:
    """The errors with a line of the program in `output` (a run's stderr and stdout), in order, without repeats."""
    parse = _PARSE.get(language)
    if parse is None or language not in LANGUAGES or not output:
        return ()
    found: dict[tuple, Marker] = {}
    for marker in parse(output.splitlines()):
        found.setdefault((marker.line, marker.column, marker.message), marker)
        if len(found) >= MAX_MARKERS:
            break
    return tuple(found.values())

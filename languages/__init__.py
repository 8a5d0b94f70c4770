"""The languages an interview can be written in: one row per language, read by everything that needs a fact of one.

The shared document validates a new interview's language and writes its template (collab), the runner builds its
command lines (runner), the pages list the labels in the language selects and name a download by the extension,
and the browser gets the list from those selects and the Monaco id from the row, never a copy of its own.

Its own top-level package because collab, runner and pages all read it and none of them may own it: collab is the
live engine (the runner must not need pycrdt to know how to start `node`), the runner is the sandbox (the document
must not depend on it), and pages import both. It imports nothing of the product, so every package may import it.
The rows themselves are in `languages.table`; this module holds their shape and the functions everyone calls.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCommand:
    """How the Run button starts a program of this language (after compiling it, if `Language.compile` is set).

    Arguments are templates: '{file}' is the document's file, '{stem}' its name without extension, '{heap_mb}' the
    runtime's heap (`heap_percent` of the memory limit), '{memory_mb}' the memory limit itself, '{tmp}' the run's
    temporary directory, '{cache}' the language's prepared cache (read-only, may be absent: runner.caches).
    """

    program: str                 # the executable, looked up on this server ('python3', 'java', or './main')
    args: tuple[str, ...]        # its arguments
    toolchain: str               # what the toolchain is called in messages and version strings ('Node.js')
    address_space_slack_mb: int  # virtual memory the runtime maps beyond what it writes (runner.RunLimits)
    heap_percent: int = 75       # of the memory limit, for '{heap_mb}': the rest is the runtime's own non-heap
    # Where the toolchain's version is read (in the sandbox, at start-up): (executable, arguments). None: the
    # program itself with --version. The first number with dots in its output becomes '<toolchain> <number>'.
    version: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CompileCommand:
    """How a document is compiled before it runs, in the same sandbox, under the compile limits."""

    program: str                 # the compiler, looked up on this server ('gcc', 'javac')
    args: tuple[str, ...]        # same templates as RunCommand.args
    memory_mb: int = 1024        # RLIMIT_DATA of the compiler: javac, rustc and tsc need far more than a program
    address_space_slack_mb: int = 4096  # virtual memory beyond that (the JVM's and V8's reservations, rustc's)
    processes: int = 64          # RLIMIT_NPROC while compiling (threads count: go, javac and rustc start many)
    seconds: float | None = None  # CPU and wall-clock limit; None: the server's PAIRPAD_RUN_COMPILE_SECONDS
    # Files the compiler needs beside the document, written into the sandbox's /tmp: name -> content.
    support_files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Language:
    id: str                      # stored in the document's meta map and the interview row
    label: str                   # what people read in the language selects
    extension: str               # of a downloaded file and of the file a run writes (main.<extension>)
    monaco_id: str               # the Monaco language mode the browser highlights with (a Monarch grammar)
    template: str                # the starting code of a new interview: reads stdin, prints
    run: RunCommand | None = None  # None: the Run button refuses this language
    compile: CompileCommand | None = None
    packages: tuple[str, ...] = ()  # the Debian packages that make it runnable (`make toolchains`)
    # Environment of the compile and the run (besides PATH, HOME, TMPDIR, LANG): the runtime's own limits.
    # Values are templates like RunCommand.args.
    env: tuple[tuple[str, str], ...] = ()
    stem: str = 'main'           # Java wants the file named after its public class
    min_processes: int = 0       # threads the runtime starts by itself (JVM): the process limit is at least this
    min_disk_mb: int = 0         # a compiled binary (Rust's, Go's) needs room in the working directory

    @property
    def file_name(self) -> str:
        return f'{self.stem}.{self.extension}'

    @property
    def runnable(self) -> bool:
        return self.run is not None


from .table import ROWS  # noqa: E402  (the rows need the classes above)

LANGUAGES: dict[str, Language] = {language.id: language for language in ROWS}
PLAIN_TEXT = LANGUAGES['plaintext']
DEFAULT = LANGUAGES['python']  # what a new interview starts in unless told otherwise


def get_language(language_id: object) -> Language:
    """The row of `language_id`, or ValueError naming the languages there are."""
    language = LANGUAGES.get(language_id) if isinstance(language_id, str) else None
    if language is None:
        raise ValueError(f'unknown language {language_id!r}; expected one of {", ".join(LANGUAGES)}')
    return language


def select_options() -> dict[str, str]:
    """Language id → label, in table order: the options of the language selects (what the browser offers)."""
    return {language.id: language.label for language in LANGUAGES.values()}


def type_declarations() -> str:
    """What the server's TypeScript compiler is given besides the program (Node's console, require, process): the
    browser's TypeScript service gets the same, so the editor marks the errors a run would report, no others."""
    return dict(LANGUAGES['typescript'].compile.support_files).get('pairpad-node.d.ts', '')


def monaco_ids() -> dict[str, str]:
    """Language id → Monaco mode: what the editor highlights a document of that language with."""
    return {language.id: language.monaco_id for language in LANGUAGES.values()}


__all__ = ['DEFAULT', 'LANGUAGES', 'PLAIN_TEXT', 'CompileCommand', 'Language', 'RunCommand', 'get_language',
           'monaco_ids', 'select_options', 'type_declarations']

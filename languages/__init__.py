"""The languages an interview can be written in: one row per language, read by everything that needs a fact of one.

The shared document validates a new interview's language and writes its template (collab), the runner builds its
command line (runner), the pages list the labels in the language selects and name a download by the extension,
and the browser gets the list from those selects and the Monaco id from the row, never a copy of its own.

Its own top-level package because collab, runner and pages all read it and none of them may own it: collab is the
live engine (the runner must not need pycrdt to know how to start `node`), the runner is the sandbox (the document
must not depend on it), and pages import both. It imports nothing of the product, so every package may import it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RunCommand:
    """How the Run button starts a program of this language: one interpreter reading the document's file."""

    program: str                 # the interpreter, looked up on this server ('python3', 'node')
    args: tuple[str, ...]        # its arguments; '{file}' is the program's file, '{heap_mb}' a heap inside the limit
    toolchain: str               # what the interpreter is called in messages and version strings ('Node.js')
    address_space_slack_mb: int  # virtual memory the interpreter maps beyond what it writes (runner.RunLimits)


@dataclass(frozen=True)
class Language:
    id: str                      # stored in the document's meta map and the interview row
    label: str                   # what people read in the language selects
    extension: str               # of a downloaded file and of the file a run writes (main.<extension>)
    monaco_id: str               # the Monaco language mode the browser highlights with
    template: str                # the starting code of a new interview
    run: RunCommand | None = None  # None: the Run button refuses this language

    @property
    def file_name(self) -> str:
        return f'main.{self.extension}'


_ROWS = (
    Language('python', 'Python', 'py', 'python',
             'def solve():\n    pass\n\n\nif __name__ == "__main__":\n    print(solve())\n',
             # -u: unbuffered, so output streams while the program runs; -B: no .pyc next to the program.
             RunCommand('python3', ('-u', '-B', '{file}'), 'Python', address_space_slack_mb=128)),
    Language('javascript', 'JavaScript', 'js', 'javascript', 'function solve() {\n}\n\nconsole.log(solve());\n',
             # A heap of three quarters of the memory limit: V8 then stops with "JavaScript heap out of memory"
             # before malloc fails somewhere less readable.
             RunCommand('node', ('--max-old-space-size={heap_mb}', '{file}'), 'Node.js', address_space_slack_mb=1024)),
    Language('typescript', 'TypeScript', 'ts', 'typescript', 'function solve(): void {\n}\n\nconsole.log(solve());\n'),
    Language('java', 'Java', 'java', 'java',
             'public class Main {\n    public static void main(String[] args) {\n    }\n}\n'),
    Language('cpp', 'C++', 'cpp', 'cpp', '#include <iostream>\n\nint main() {\n    return 0;\n}\n'),
    Language('go', 'Go', 'go', 'go', 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println()\n}\n'),
    Language('rust', 'Rust', 'rs', 'rust', 'fn main() {\n}\n'),
    Language('sql', 'SQL', 'sql', 'sql', 'SELECT 1;\n'),
    Language('plaintext', 'Plain text', 'txt', 'plaintext', ''),
)

LANGUAGES: dict[str, Language] = {language.id: language for language in _ROWS}
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


def monaco_ids() -> dict[str, str]:
    """Language id → Monaco mode: what the editor highlights a document of that language with."""
    return {language.id: language.monaco_id for language in LANGUAGES.values()}


__all__ = ['DEFAULT', 'LANGUAGES', 'PLAIN_TEXT', 'Language', 'RunCommand', 'get_language', 'monaco_ids',
           'select_options']

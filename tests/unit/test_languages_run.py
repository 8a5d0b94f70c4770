"""Every language of the table runs in the real sandbox: its template reads the stdin it is given and prints, a
compile or syntax error shows the tool's message and marks the right line of the document, and runtime exceptions
mark theirs. Bad input (unknown language, empty document, one at the size limit, binary garbage) ends clearly.

One CodeRunner for the module; generous wall clocks, since other test suites may load the 2-core machine.
"""

import asyncio
import os
import time

import pytest

from config import Settings
from languages import LANGUAGES
from runner import CodeRunner, Outcome, RunLimits, RunnerSettings, UnsupportedLanguage
from runner import diagnostics
from runner.diagnostics import Marker, markers
from tests.sandbox import sandboxed_runner

LIMITS = RunLimits(cpu_seconds=5, wall_seconds=30, memory_bytes=256 * 1024 * 1024, max_processes=64,
                   compile_seconds=60)
RUNNABLE = [language.id for language in LANGUAGES.values() if language.run is not None]


@pytest.fixture(scope='module')
def runner() -> CodeRunner:
    return sandboxed_runner(RunnerSettings(max_concurrent=8), LIMITS)


def require(runner: CodeRunner, language: str) -> None:
    """A missing toolchain fails where CI promised every language (PAIRPAD_REQUIRE_SANDBOX=1), else skips."""
    refusal = runner.refusal(language)
    if refusal is not None:
        if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
            pytest.fail(refusal)
        pytest.skip(refusal)


async def run(runner: CodeRunner, code: str, language: str, stdin: str = ''):
    chunks: list[tuple[str, str]] = []
    result = await runner.run(code, language, lambda stream, text: chunks.append((stream, text)), stdin=stdin)
    return result, ''.join(text for _, text in chunks)


@pytest.mark.parametrize('language', RUNNABLE)
async def test_the_template_reads_stdin_and_prints(runner, language):
    require(runner, language)
    result, output = await run(runner, LANGUAGES[language].template, language, stdin='Ada\nsecond line\n')
    assert result.ok, (result, output)
    if language == 'sql':  # the template's table, aligned
        assert '│ Ada   │ candidate   │' in output, output
    else:
        assert output == 'Hello, Ada!\n', output
    assert result.markers == () and runner.versions[language].split()[-1][0].isdigit()


# (code, line of the error, what the tool says) — each error is on a line other than the first
ERRORS = {
    'python': ('x = 1\n\nif x\n    pass\n', 3, 'SyntaxError'),
    'javascript': ('let a = 1;\n\nlet = = 2;\n', 3, 'SyntaxError'),
    'typescript': ('let a: number = 1;\n\nlet b: string = a;\n', 3, 'TS2322'),
    'java': ('public class Main {\n    public static void main(String[] args) {\n        int x = "s";\n    }\n}\n', 3,
             'incompatible types'),
    'c': ('int main(void) {\n    int a = 1;\n    return b;\n}\n', 3, 'undeclared'),
    'cpp': ('int main() {\n    int a = 1;\n    return b;\n}\n', 3, 'not declared'),
    'go': ('package main\n\nfunc main() { x := 1 }\n', 3, 'declared but not used'),
    'rust': ('fn main() {\n    let a = 1;\n    let b: String = a;\n}\n', 3, 'mismatched types'),
    'ruby': ('a = 1\nb = 2\nfoo(a)\n', 3, 'undefined method'),
    'bash': ('echo a\necho b\nnosuchcommand\n', 3, 'command not found'),
    'php': ('<?php\n$a = 1;\n$b = ;\n', 3, 'syntax error'),
    'sql': ('CREATE TABLE t (a);\nSELECT 1;\nSELEC 2;\n', 3, 'syntax error'),
}
COMPILED = {language.id for language in LANGUAGES.values() if language.compile is not None}


@pytest.mark.parametrize('language', sorted(ERRORS))
async def test_an_error_shows_the_tools_message_and_marks_its_line(runner, language):
    require(runner, language)
    code, line, says = ERRORS[language]
    result, output = await run(runner, code, language)
    assert says in output, output
    assert any(m.line == line and m.severity == 'error' for m in result.markers), (result.markers, output)
    if language in COMPILED:
        assert result.outcome is Outcome.COMPILE_ERROR and 'compile error' in result.reason, result
        assert result.exit_code not in (None, 0)
    else:
        assert result.outcome is Outcome.EXITED and result.exit_code != 0, result


RUNTIME = {
    'python': ('def f(n):\n    return 1 / n\n\nprint(f(0))\n', 2, 'ZeroDivisionError'),
    'javascript': ('function f(o) {\n  return o.x;\n}\nf(null);\n', 2, 'TypeError'),
    'java': ('public class Main {\n    public static void main(String[] args) {\n        int[] x = new int[1];\n'
             '        System.out.println(x[2]);\n    }\n}\n', 4, 'ArrayIndexOutOfBoundsException'),
}


@pytest.mark.parametrize('language', sorted(RUNTIME))
async def test_a_runtime_exception_marks_its_line(runner, language):
    require(runner, language)
    code, line, says = RUNTIME[language]
    result, output = await run(runner, code, language)
    assert result.outcome is Outcome.EXITED and result.exit_code == 1, (result, output)
    assert [m.line for m in result.markers] == [line] and says in result.markers[0].message, result.markers


async def test_an_unknown_language_is_refused_with_a_clear_message(runner):
    with pytest.raises(UnsupportedLanguage, match="'klingon' is not a language this server knows; it knows python"):
        runner.start('print(1)', 'klingon')
    with pytest.raises(UnsupportedLanguage, match='is not a language'):
        runner.start('print(1)', None)  # type: ignore[arg-type]
    assert runner.active == 0


GARBAGE = bytes(range(256)).decode('latin-1') * 4


@pytest.mark.parametrize('language', ['python', 'c', 'java', 'sql'])
@pytest.mark.parametrize('document', ['empty', 'at the size limit', 'binary garbage'])
async def test_odd_documents_end_with_a_clear_outcome(runner, language, document):
    require(runner, language)
    code = {'empty': '', 'binary garbage': GARBAGE,
            'at the size limit': (LANGUAGES[language].template + '\n' * Settings.max_document_bytes)[
                :Settings.max_document_bytes]}[document]
    started = time.monotonic()
    result, output = await asyncio.wait_for(run(runner, code, language), 120)
    assert result.outcome in (Outcome.EXITED, Outcome.COMPILE_ERROR), (result, output[-500:])
    assert result.reason and time.monotonic() - started < 100
    if document == 'at the size limit':
        assert result.ok or language == 'sql', (result, output[-500:])  # the template, then blank lines


def test_markers_round_trip_and_refuse_bad_input():
    marker = Marker(3, 5, 'x undeclared', 'error')
    assert Marker.from_dict(marker.to_dict()) == marker
    for bad in [None, [], {'line': 0, 'column': 1, 'message': 'm', 'severity': 'error'},
                {'line': 1, 'column': True, 'message': 'm', 'severity': 'error'},
                {'line': 1, 'column': 1, 'message': 3, 'severity': 'error'},
                {'line': 1, 'column': 1, 'message': 'm', 'severity': 'fatal'},
                {'line': '1', 'column': 1, 'message': 'm', 'severity': 'error'}]:
        with pytest.raises(ValueError):
            Marker.from_dict(bad)
    # only the program's own file: a frame in a library is no place for a squiggle
    node = ('/usr/lib/node/x.js:9\nthrow e\n^\n\nError: boom\n    at f (node:internal/x:1:1)\n'
            '    at g (/sandbox/main.js:4:3)\n')
    assert markers('javascript', node) == (Marker(4, 3, 'Error: boom', 'error'),)
    assert markers('c', 'other.c:3:1: error: nope\nmain.c:2:7: warning: unused\n') == (
        Marker(2, 7, 'unused', 'warning'),)
    assert markers('klingon', 'main.k:1: error') == () and markers('python', '') == ()


async def test_unsafe_mode_compiles_and_runs_with_stdin_too():
    """Without bubblewrap (PAIRPAD_UNSAFE_RUN=1) the same compile-then-run script runs under the launcher's rlimits."""
    unsafe = CodeRunner(RunnerSettings(bwrap='/nonexistent/bwrap', unsafe=True), LIMITS)
    require(unsafe, 'c')
    result, output = await run(unsafe, LANGUAGES['c'].template, 'c', stdin='Ada\n')
    assert result.ok and result.unsafe and output == 'Hello, Ada!\n', (result, output)
    result, output = await run(unsafe, ERRORS['c'][0], 'c')
    errors = [m.line for m in result.markers if m.severity == 'error']
    assert result.outcome is Outcome.COMPILE_ERROR and errors == [3], (result, output)


def test_every_runnable_language_has_an_error_reader_named_after_the_tables_file():
    """The file a run writes is the languages table's (`Language.file_name`); the error readers follow it rather
    than keeping their own names, so a renamed file still gets its markers."""
    assert {language.id for language in LANGUAGES.values() if language.runnable} <= set(diagnostics.PARSERS)
    renamed = diagnostics.PARSERS['c']('solution.c')
    assert list(renamed(['solution.c:2:7: error: nope', 'main.c:3:1: error: not ours'])) == [
        Marker(2, 7, 'nope', 'error')]
    assert markers('java', 'Main.java:3: error: cannot find symbol\n        x = 1;\n        ^\n') == (
        Marker(3, 9, 'cannot find symbol', 'error'),)

"""Run tests compiles once per set (runner/program.py, questions.run_tests): in the real sandbox, every case of a
C program runs the one build (they all see the same build directory, stamped at its compile), each with its own
stdin, in a fresh working directory (what a case writes there is gone for the next); a case that never ends is
stopped by the run limits and the next case still runs; a case over the output cap fails alone; a Stopper ends the
case going on and the rest with 'stopped by <name>', also while compiling. The unsafe launcher (no bubblewrap,
PAIRPAD_UNSAFE_RUN=1) compiles once the same way."""

import asyncio

import pytest

from questions import TestCase, run_tests
from runner import CodeRunner, RunLimits, RunnerSettings, Stopper
from tests.sandbox import sandboxed_runner
from tests.unit.test_run_hub import until

LIMITS = RunLimits(cpu_seconds=1, wall_seconds=10, memory_bytes=128 * 1024 * 1024, max_processes=16,
                   output_bytes=64 * 1024)

# Prints its stdin's number doubled, the build's stamp (the modification time of the built binary where the
# sandbox shows the build, or of ./main in the unsafe launcher's directory) and how many times a file in its
# working directory was appended to; "loop" never ends, "flood" writes past the output cap.
PROGRAM = r'''
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
int main(void) {
    char line[64] = "";
    fgets(line, sizeof line, stdin);
    if (strncmp(line, "loop", 4) == 0) for (;;) {}
    if (strncmp(line, "flood", 5) == 0) for (;;) printf("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    struct stat s;
    if (stat("/opt/pairpad-build/main", &s) != 0) s.st_mtim.tv_sec = s.st_mtim.tv_nsec = 0;
    FILE *f = fopen("state", "a"); fputs("x", f); fclose(f);
    f = fopen("state", "r"); int n = 0; while (fgetc(f) != EOF) n++; fclose(f);
    int x = 0; sscanf(line, "%d", &x);
    printf("%d\n%ld.%09ld\n%d\n", 2 * x, (long)s.st_mtim.tv_sec, (long)s.st_mtim.tv_nsec, n);
    return 0;
}
'''


@pytest.fixture(scope='module')
def runner() -> CodeRunner:
    runner = sandboxed_runner(RunnerSettings(max_concurrent=4), LIMITS)
    if 'c' not in runner.languages:
        pytest.fail(f'C must run in CI: {runner.refusal("c")}')
    return runner


def lines(case) -> list[str]:
    return case.actual.split('\n')


async def test_every_case_runs_the_one_build_with_its_own_stdin_in_a_fresh_directory(runner):
    cases = [TestCase(name=str(i), stdin=f'{i}\n', expected=f'{2 * i}\n') for i in range(1, 5)]
    result = await run_tests(runner, PROGRAM, 'c', cases)
    assert [lines(case)[0] for case in result.cases] == ['2', '4', '6', '8']   # its own stdin each
    stamps = {lines(case)[1] for case in result.cases}
    assert len(stamps) == 1 and stamps != {'0.000000000'}                  # one build, seen by every case
    assert [lines(case)[2] for case in result.cases] == ['1'] * 4           # nothing left by the case before
    assert all(not case.passed and case.reason == 'wrong answer (line 2 differs)' for case in result.cases)

    again = await run_tests(runner, PROGRAM, 'c', cases[:1])
    assert lines(again.cases[0])[1] not in stamps                           # another set, another build


async def test_a_case_that_never_ends_or_floods_fails_alone_and_the_next_cases_run(runner):
    cases = [TestCase(name='loops', stdin='loop\n', expected=''),
             TestCase(name='floods', stdin='flood\n', expected=''), TestCase(name='next', stdin='3\n', expected='')]
    result = await run_tests(runner, PROGRAM, 'c', cases)
    assert 'CPU time limit of 1 s' in result.cases[0].reason
    assert result.cases[1].reason == 'output cap of 64 KB reached'
    assert lines(result.cases[2])[0] == '6' and lines(result.cases[2])[2] == '1'


async def test_a_stopper_ends_the_case_going_on_and_the_rest(runner):
    code = "import sys\nline = sys.stdin.read()\nprint('started', flush=True)\nwhile line == 'loop\\n':\n    pass\n"
    cases = [TestCase(name='loops', stdin='loop\n', expected=''), TestCase(name='after', stdin='2\n', expected='')]
    stopper = Stopper()
    task = asyncio.create_task(run_tests(runner, code, 'python', cases, stopper=stopper,
                                         limits=RunLimits(cpu_seconds=30, wall_seconds=60)))
    await until(lambda: task.done() or (stopper.current is not None and stopper.current.first_output_at is not None),
                timeout=30)  # the loop is going
    assert not task.done(), task.result()
    assert stopper.stop('Ivan') and not stopper.stop('Ivan')
    result = await asyncio.wait_for(task, 30)
    assert [case.reason for case in result.cases] == ['stopped by Ivan', 'stopped by Ivan']


async def test_stopped_while_compiling_every_case_says_so(runner):
    stopper = Stopper()
    stopper.stop('Ivan')
    cases = [TestCase(name='a', expected=''), TestCase(name='b', expected='')]
    result = await run_tests(runner, PROGRAM, 'c', cases, stopper=stopper)
    assert [case.reason for case in result.cases] == ['stopped by Ivan while compiling'] * 2


async def test_the_unsafe_launcher_compiles_once_too():
    runner = CodeRunner(RunnerSettings(bwrap='/nonexistent/bwrap', unsafe=True), LIMITS)
    assert runner.mode == 'unsafe'
    cases = [TestCase(name=str(i), stdin=f'{i}\n', expected='') for i in range(1, 4)]
    result = await run_tests(runner, PROGRAM.replace('/opt/pairpad-build/main', 'main'), 'c', cases)
    assert [lines(case)[0] for case in result.cases] == ['2', '4', '6']
    assert len({lines(case)[1] for case in result.cases}) == 1              # the copy of one build each time
    assert [lines(case)[2] for case in result.cases] == ['1'] * 3

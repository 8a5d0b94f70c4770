"""The shipped questions hold (issue 15 §1): every sample's reference solution in Python, JavaScript and Java
passes every one of its test cases in the real sandbox, and Run tests fails what it should fail, with the reason:
a wrong answer, a compile error (every case), a program that never ends (stopped by the limit)."""


import pytest

from questions import TestCase, run_tests, sample_questions
from runner import CodeRunner, RunLimits, RunnerSettings
from tests.sandbox import sandboxed_runner

LIMITS = RunLimits(cpu_seconds=5, wall_seconds=30)


@pytest.fixture(scope='module')
def runner() -> CodeRunner:
    runner = sandboxed_runner(RunnerSettings(max_concurrent=4), LIMITS)
    missing = {language: runner.refusal(language) for language in ('python', 'javascript', 'java')
               if language not in runner.languages}
    if missing:
        pytest.fail(f'the samples must run in CI: {missing}')  # .ci/run installs every toolchain
    return runner


@pytest.mark.parametrize('language', ['python', 'javascript', 'java'])
@pytest.mark.parametrize('question', sample_questions(), ids=lambda question: question.slug)
async def test_the_reference_solution_passes_every_case(runner, question, language):
    assert set(question.starters) >= {'python', 'javascript', 'java'}
    result = await run_tests(runner, question.guide.solutions[language], language, question.tests)
    failed = [(case.name, case.reason, case.actual[:200], case.stderr[-300:]) for case in result.cases
              if not case.passed]
    assert failed == [] and result.score == 1.0


async def test_a_wrong_answer_fails_with_the_line_that_differs(runner):
    cases = [TestCase(name='a', stdin='2\n', expected='4\n'), TestCase(name='b', stdin='3\n', expected='9\n')]
    result = await run_tests(runner, 'print(int(input()) * 2)\n', 'python', cases)
    assert [(case.passed, case.reason) for case in result.cases] == [
        (True, 'passed'), (False, 'wrong answer (line 1 differs)')]
    assert result.cases[1].actual == '6\n' and result.passed == 1


async def test_a_compile_error_fails_every_case_without_running_them_again(runner):
    cases = [TestCase(name=str(i), expected='') for i in range(3)]
    result = await run_tests(runner, 'public class Main { void broken( }\n', 'java', cases)
    assert all(not case.passed and 'compile error' in case.reason for case in result.cases)
    assert 'error' in result.cases[0].stderr and result.cases[1].stderr == ''  # compiled once


async def test_a_case_that_never_ends_is_stopped_by_the_limit_and_counted_as_failed(runner):
    cases = [TestCase(name='loops', stdin='', expected='done\n'), TestCase(name='next', stdin='', expected='')]
    tight = RunLimits(cpu_seconds=1, wall_seconds=10)
    result = await run_tests(runner, 'import sys\nif not sys.stdin.read():\n    while True: pass\n', 'python', cases,
                             limits=tight)
    assert not result.cases[0].passed and 'CPU time limit of 1 s' in result.cases[0].reason
    assert len(result.cases) == 2  # the set went on with the next case


async def test_past_the_total_limit_the_remaining_cases_are_not_run(runner):
    ticks = iter([0.0, 0.0, 100.0, 100.0])  # an injected clock: the set's limit passes after the first case
    cases = [TestCase(name=str(i), expected='1\n') for i in range(3)]
    result = await run_tests(runner, 'print(1)\n', 'python', cases, total_seconds=50, clock=lambda: next(ticks))
    assert [case.reason for case in result.cases] == ['passed', 'not run: the set took longer than its 50 s',
                                                      'not run: the set took longer than its 50 s']

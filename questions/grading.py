"""Run tests: the document against every test case of a question, each case its own sandboxed run with the run
limits, the whole set under a total limit, then a result per case and what each role may see of it.

Cases run one after another, not in parallel: a room's runs share the server's cores with every other room, and
a set of cases is at most a few seconds of CPU. A compile error fails every case at once (the same source cannot
compile for the next one); a case that never ends is stopped by the run limits and fails with that reason.
"""

import time
from dataclasses import asdict, dataclass, field

from runner import CodeRunner, Outcome, RunLimits, RunResult

from .compare import compare
from .model import TestCase

TOTAL_SECONDS = 120.0     # the whole set: past it, the remaining cases fail as 'not run'
SHOWN_BYTES = 8 * 1024    # of a case's actual output and stderr kept in the results (the expected is the case's)


@dataclass
class CaseResult:
    name: str
    hidden: bool
    weight: int
    passed: bool
    reason: str                       # 'passed', 'wrong answer (line 2 differs)', 'exited with code 1', ...
    stdin: str
    expected: str
    actual: str
    stderr: str = ''
    duration: float = 0.0
    first_difference: int | None = None


@dataclass
class TestRun:
    """One press of Run tests: its cases' results in the question's order."""

    __test__ = False
    language: str
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(case.passed for case in self.cases)

    @property
    def score(self) -> float:
        """Weighted share of cases passed, 0..1."""
        total = sum(case.weight for case in self.cases)
        return sum(case.weight for case in self.cases if case.passed) / total if total else 0.0

    def view(self, role: str) -> dict:
        """What a role may see. A candidate gets visible cases in full and, of hidden ones, only how many there
        are and how many passed: no name, input, expected or actual output, nor the weighted score that would
        let them infer a hidden case's weight."""
        visible = [asdict(case) for case in self.cases if role == 'interviewer' or not case.hidden]
        hidden = [case for case in self.cases if case.hidden]
        view = {'language': self.language, 'cases': visible, 'passed': self.passed, 'total': len(self.cases),
                'hidden_total': len(hidden), 'hidden_passed': sum(case.passed for case in hidden)}
        if role == 'interviewer':
            view['score'] = round(self.score, 4)
        return view


async def run_tests(runner: CodeRunner, code: str, language: str, cases: list[TestCase], *,
                    limits: RunLimits | None = None, total_seconds: float = TOTAL_SECONDS,
                    started_by: str | None = None, clock=time.monotonic) -> TestRun:
    """Run every case; raises RunRefused (language cannot run, runner off) before the first one, like Run."""
    result = TestRun(language)
    deadline = clock() + total_seconds
    compile_failure: str | None = None
    for case in cases:
        if compile_failure is not None:
            result.cases.append(_failed(case, compile_failure))
            continue
        if clock() >= deadline:
            result.cases.append(_failed(case, f'not run: the set took longer than its {total_seconds:g} s'))
            continue
        outcome, stdout, stderr = await _run_case(runner, code, language, case, limits, started_by)
        if outcome.outcome is Outcome.COMPILE_ERROR:
            compile_failure = outcome.reason
        result.cases.append(_judged(case, outcome, stdout, stderr))
    return result


async def _run_case(runner: CodeRunner, code: str, language: str, case: TestCase, limits: RunLimits | None,
                    started_by: str | None) -> tuple[RunResult, str, str]:
    out: list[str] = []
    err: list[str] = []

    def collect(stream: str, text: str) -> None:
        (out if stream == 'stdout' else err).append(text)

    run = await runner.run(code, language, collect, stdin=case.stdin, limits=limits, started_by=started_by)
    return run, ''.join(out), ''.join(err)


def _judged(case: TestCase, run: RunResult, stdout: str, stderr: str) -> CaseResult:
    shown, shown_err = stdout[:SHOWN_BYTES], stderr[-SHOWN_BYTES:]
    if not run.ok:
        return CaseResult(case.name, case.hidden, case.weight, False, run.reason, case.stdin, case.expected, shown,
                          shown_err, run.duration)
    verdict = compare(case.expected, stdout)
    reason = 'passed' if verdict.passed else f'wrong answer (line {verdict.first_difference} differs)'
    return CaseResult(case.name, case.hidden, case.weight, verdict.passed, reason, case.stdin, case.expected, shown,
                      shown_err, run.duration, verdict.first_difference)


def _failed(case: TestCase, reason: str) -> CaseResult:
    return CaseResult(case.name, case.hidden, case.weight, False, reason, case.stdin, case.expected, '')

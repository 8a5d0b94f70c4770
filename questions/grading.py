"""Run tests: the document against every test case of a question, each case its own sandboxed run with the run
limits, the whole set under a total limit, then a result per case and what each role may see of it.

Cases run one after another, not in parallel: a room's runs share the server's cores with every other room, and
a set of cases is at most a few seconds of CPU. A compiled language is compiled once for the whole set
(runner.program); a compile error fails every case at once. A case that never ends is stopped by the run limits
and fails with that reason, and the next case runs; Stop (a Stopper) fails the case going on and the rest.
"""

import time
from dataclasses import asdict, dataclass, field

from runner import CodeRunner, RunLimits, RunResult
from runner.program import Program, Stopper

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
                    started_by: str | None = None, clock=time.monotonic, stopper: Stopper | None = None) -> TestRun:
    """Run every case, compiling once (runner.program); raises RunRefused (language cannot run, runner off)
    before the first one, like Run. `stopper.stop(by)` ends the set: the case going on and the rest fail as
    'stopped by <by>'."""
    result = TestRun(language)
    deadline = clock() + total_seconds
    async with runner.compile_once(code, language, limits=limits, started_by=started_by,
                                   stopper=stopper) as program:
        out: list[str] = []
        err: list[str] = []
        failure = await program.build(_collector(out, err))
        if failure is not None:  # the first case shows the compiler's output, the others only the reason
            result.cases = [_judged(case, failure, '', ''.join(err) if i == 0 else '')
                            for i, case in enumerate(cases)]
            return result
        for case in cases:
            if program.stopper.stopped_by is not None:
                result.cases.append(_failed(case, f'stopped by {program.stopper.stopped_by}'))
            elif clock() >= deadline:
                result.cases.append(_failed(case, f'not run: the set took longer than its {total_seconds:g} s'))
            else:
                outcome, stdout, stderr = await _run_case(program, case)
                result.cases.append(_judged(case, outcome, stdout, stderr))
    return result


def _collector(out: list[str], err: list[str]):
    def collect(stream: str, text: str) -> None:
        (out if stream == 'stdout' else err).append(text)
    return collect


async def _run_case(program: Program, case: TestCase) -> tuple[RunResult, str, str]:
    out: list[str] = []
    err: list[str] = []
    run = await program.start(_collector(out, err), stdin=case.stdin).wait()
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

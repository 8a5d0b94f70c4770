"""Does a program's output match a test case's expected output?

Like the judges people know (Codeforces, HackerRank): line endings and trailing whitespace at the end of lines and
of the output do not count, anything else does. The first differing line is kept so the results table can point
at it instead of leaving someone to compare two blocks by eye.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    passed: bool
    first_difference: int | None  # 1-based line of the first difference, None when they match


def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace('\r\n', '\n').replace('\r', '\n').split('\n')]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def compare(expected: str, actual: str) -> Comparison:
    want, got = normalise(expected), normalise(actual)
    if want == got:
        return Comparison(True, None)
    for number, (a, b) in enumerate(zip(want, got), start=1):
        if a != b:
            return Comparison(False, number)
    return Comparison(False, min(len(want), len(got)) + 1)

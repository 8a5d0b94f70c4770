"""The code runner the sandbox tests need: one that really runs programs in bubblewrap. Where bubblewrap cannot run,
those tests skip, except in CI (PAIRPAD_REQUIRE_SANDBOX=1), where a missing sandbox is a failure."""

import os

import pytest

from runner import CodeRunner, RunLimits, RunnerSettings


def sandboxed_runner(settings: RunnerSettings, limits: RunLimits) -> CodeRunner:
    runner = CodeRunner(settings, limits)
    if runner.mode != 'sandbox':
        why = f'bubblewrap cannot run here, so neither can the sandbox tests: {runner.status}'
        if os.environ.get('PAIRPAD_REQUIRE_SANDBOX') == '1':
            pytest.fail(why)
        pytest.skip(why)
    return runner

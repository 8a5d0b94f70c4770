"""The build caches' preparation (runner/caches.py) when the process exits under it: a server stopped in its first
seconds removes a cache that a daemon thread is still filling, and that thread then finds files gone. That is the
exit, not a failure: it logs nothing (a traceback in a server's log fails the e2e tests that used it). The same
error while the process goes on is still reported."""

import logging

import pytest

from runner import RunLimits, caches
from runner.languages import find_runtimes


class _Sandbox:
    """Sandbox's part that _prepare uses; `exit_first` removes the cache as the process's exit would, mid-way."""

    def __init__(self, exit_first: bool) -> None:
        self.exit_first = exit_first
        self.credentials: dict = {}
        self.caches: dict = {}
        self.setups: dict = {}

    def try_run(self, command, *, binds, **kwargs):
        [host] = binds
        if self.exit_first:
            caches._remove(host)
        raise FileNotFoundError(2, 'No such file or directory', f'{host}/68')  # what the walk met


@pytest.fixture
def go():
    runtimes, _ = find_runtimes()
    if 'go' not in runtimes:
        pytest.skip('needs Go (make toolchains)')
    return runtimes['go']


@pytest.mark.parametrize('exit_first', [True, False])
def test_a_preparation_cut_short_by_the_exit_says_nothing_and_any_other_failure_is_reported(go, exit_first, caplog):
    sandbox = _Sandbox(exit_first)
    with caplog.at_level(logging.WARNING, logger='runner.caches'):
        caches._prepare(sandbox, go, RunLimits())
    assert sandbox.caches == {}
    reported = [r for r in caplog.records if 'could not be prepared' in r.getMessage()]
    assert (reported == []) if exit_first else (len(reported) == 1 and reported[0].exc_info is not None)

"""Compile once, run many times: Run tests runs one document against every case of a question, and a compiled
language (Java, Rust, Go, C++, TypeScript: 0.5 to 3 s per compile) should not pay its compiler once per case.

How: one build run compiles the document in the usual sandbox (compile limits, status pipe: runner.phases), and
its run phase copies the compiled working directory, bounded by that tmpfs's size, to a fresh host directory
instead of running it. Each case then is an ordinary Run of its own: its own sandbox and process, stdin, wall
clock, CPU, memory and output limits, outcome and Stop, exactly as a Run; it binds the build read-only and copies it
into its private working directory before the program starts, so no case can change what the next one runs.
Why not one sandbox running every case in turn: each case would need its own wall clock, output cap and outcome
inside a script the server then has to trust and parse; a sandbox start costs tens of milliseconds, not seconds.

Interpreted languages have nothing to build: a Program just starts the usual runs.
"""

import asyncio
import dataclasses
import logging
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

from .languages import Runtime
from .limits import RunLimits
from .outcome import Outcome, RunResult
from .run import OutputCallback, Run

if TYPE_CHECKING:
    from .code_runner import CodeRunner

log = logging.getLogger(__name__)


class Stopper:
    """Stop for a series of runs (a set of test cases): stops the run going on, and every later one as it starts,
    so whoever presses Stop ends the whole series, not only its current case."""

    def __init__(self) -> None:
        self.stopped_by: str | None = None
        self._run: Run | None = None

    def stop(self, by: str) -> bool:
        """False if it was stopped already."""
        if self.stopped_by is not None:
            return False
        self.stopped_by = by
        if self._run is not None:
            self._run.stop(by)
        return True

    @property
    def current(self) -> Run | None:
        """The series' latest run (going on or ended), None before its first."""
        return self._run

    def watch(self, run: Run) -> Run:
        self._run = run
        if self.stopped_by is not None:
            run.stop(self.stopped_by)
        return run


class Program:
    """A document to run many times with different stdin (made by CodeRunner.compile_once). `async with` it:
    `build()` first, then `start()` per input; the build directory is removed at the end."""

    def __init__(self, runner: 'CodeRunner', runtime: Runtime, code: str, *, limits: RunLimits | None,
                 started_by: str | None, owner: dict[str, Any], stopper: Stopper | None) -> None:
        self.runtime = runtime
        self.code = code
        self.stopper = stopper or Stopper()
        self._runner = runner
        self._limits = limits
        self._started_by = started_by
        self._owner = owner  # Popen credentials of the launcher: who must be able to write the build directory
        self._build: str | None = None
        self._ready = not runtime.compiled

    async def __aenter__(self) -> 'Program':
        return self

    async def __aexit__(self, *exc) -> None:
        if self._build is not None:
            await asyncio.to_thread(shutil.rmtree, self._build, ignore_errors=True)
            self._build = None

    async def build(self, on_output: OutputCallback | None = None) -> RunResult | None:
        """Compile, for a compiled language (the compiler's output goes to `on_output`): None when the program is
        ready to start, else the build's result saying why not (a compile error, stopped, a limit)."""
        if self._ready:
            return None
        self._build = await asyncio.to_thread(_build_dir, self._owner)
        run = self._runner.start_runtime(dataclasses.replace(self.runtime, build_to=self._build), self.code,
                                         on_output, limits=self._limits, started_by=self._started_by)
        result = await self.stopper.watch(run).wait()
        if result.ok:
            self._ready = True
            return None
        if result.outcome is Outcome.EXITED:  # compiled, but the copy failed (disk limit)
            log.warning('run %s: the compiled program could not be kept: %s', result.run_id, result.reason)
            return dataclasses.replace(result, outcome=Outcome.FAILED,
                                       reason=f'the compiled program could not be kept ({result.reason})')
        return result

    def start(self, on_output: OutputCallback | None = None, *, stdin: str = '') -> Run:
        """One run of the program with `stdin`, under the run limits; raises RunRefused like CodeRunner.start."""
        if not self._ready:
            raise RuntimeError('Program.start before a successful build()')
        runtime = dataclasses.replace(self.runtime, prebuilt=self._build) if self._build else self.runtime
        run = self._runner.start_runtime(runtime, self.code, on_output, stdin=stdin, limits=self._limits,
                                         started_by=self._started_by)
        return self.stopper.watch(run)


def _build_dir(owner: dict[str, Any]) -> str:
    """A fresh host directory the build's sandbox (which may run as another uid) can write."""
    path = tempfile.mkdtemp(prefix='pairpad-build-')
    os.chmod(path, 0o755)
    if owner.get('user') is not None:
        os.chown(path, owner['user'], owner['group'])
    return path

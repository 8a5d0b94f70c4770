"""The server's code runner: decides once, at start-up, whether and how programs can run here, then starts runs.

Three modes: 'sandbox' (bubblewrap works), 'unsafe' (it does not, and the operator set PAIRPAD_UNSAFE_RUN=1) and
'off' (it does not; `status` says why and what to do). The start-up probes run real commands and take a fraction of
a second, so build the CodeRunner once at start-up (or in asyncio.to_thread), not per request.
"""

import asyncio
import logging
import subprocess
from concurrent.futures import ThreadPoolExecutor

from languages import LANGUAGES

from config import Settings

from . import caches
from .errors import RunnerUnavailable, TooManyRuns, UnsupportedLanguage
from .languages import Runtime, find_runtimes
from .limits import RunLimits, RunnerSettings, format_bytes, format_seconds
from .outcome import RunResult
from .program import Program, Stopper
from .run import Launcher, OutputCallback, Run
from .sandbox import Sandbox
from .unsafe import UnsafeLauncher

log = logging.getLogger(__name__)

UNSAFE_HINT = ('Set PAIRPAD_UNSAFE_RUN=1 to run programs without a sandbox (unsafe: they could read the '
               "server's files, including its database, and use the network).")


class CodeRunner:
    def __init__(self, settings: RunnerSettings | None = None, limits: RunLimits | None = None) -> None:
        self.settings = settings or RunnerSettings()
        self.limits = limits or RunLimits()
        self._active: set[Run] = set()
        self.mode, self.status, self._launcher = self._choose_mode()
        runtimes, refused = find_runtimes()
        self._runtimes: dict[str, Runtime] = {}
        self._refused: dict[str, str] = dict(refused)
        self.versions: dict[str, str] = {}
        self._preparing = []
        if self._launcher is not None:
            self._probe_runtimes(runtimes)
        if isinstance(self._launcher, Sandbox):
            self._preparing += [caches.prepare(self._launcher, self._runtimes[language], self.limits)
                                for language in caches.PREPARED if language in self._runtimes]
        log.info('code runner: mode %s, languages %s', self.mode, ', '.join(self.versions.values()) or 'none')

    @classmethod
    def from_settings(cls, settings: Settings) -> 'CodeRunner':
        return cls(RunnerSettings.from_settings(settings), RunLimits.from_settings(settings))

    @property
    def available(self) -> bool:
        return self.mode != 'off'

    @property
    def unsafe(self) -> bool:
        return self.mode == 'unsafe'

    @property
    def languages(self) -> list[str]:
        """Languages that can run here, e.g. ['python', 'javascript']."""
        return list(self._runtimes) if self.available else []

    @property
    def active(self) -> int:
        return len(self._active)

    def refusal(self, language: str) -> str | None:
        """Why `language` cannot run here (for a disabled Run button's tooltip), or None if it can."""
        if not self.available:
            return self.status
        if language in self._runtimes:
            return None
        if language not in LANGUAGES:
            return (f'{str(language)[:40]!r} is not a language this server knows; it knows '
                    f'{", ".join(LANGUAGES)}.')
        return self._refused.get(language, f'{LANGUAGES[language].label} cannot be run here.')

    def wait_prepared(self, timeout: float = 120) -> bool:
        """Block until the start-up preparations (Go's and javac's caches) are done: benchmarks measure warm runs."""
        for thread in self._preparing:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in self._preparing)

    def start(self, code: str, language: str, on_output: OutputCallback | None = None, *, stdin: str = '',
              limits: RunLimits | None = None, started_by: str | None = None) -> Run:
        """Start a run (needs a running event loop) with `stdin` as the program's standard input (end of file
        after it). Raises a RunRefused subclass with a message for the user."""
        return self.start_runtime(self.runtime(language), code, on_output, stdin=stdin, limits=limits,
                                  started_by=started_by)

    def runtime(self, language: str) -> Runtime:
        """How `language` runs here; raises RunnerUnavailable or UnsupportedLanguage with the reason."""
        if not self.available:
            raise RunnerUnavailable(self.status)
        if language not in self._runtimes:
            raise UnsupportedLanguage(self.refusal(language))
        return self._runtimes[language]

    def start_runtime(self, runtime: Runtime, code: str, on_output: OutputCallback | None = None, *,
                      stdin: str = '', limits: RunLimits | None = None, started_by: str | None = None) -> Run:
        """Start a run of a runtime from `runtime()`, possibly a compile-once variant of it (runner.program)."""
        if len(self._active) >= self.settings.max_concurrent:
            raise TooManyRuns(f'The server is already running {len(self._active)} programs, its limit; '
                              f'try again in a few seconds.')
        run = Run(launcher=self._launcher, code=code, runtime=runtime, limits=runtime.limits(limits or self.limits),
                  on_output=on_output, started_by=started_by, stdin=stdin)
        self._active.add(run)
        run.add_done_callback(self._active.discard)
        return run

    def compile_once(self, code: str, language: str, *, limits: RunLimits | None = None,
                     started_by: str | None = None, stopper: Stopper | None = None) -> Program:
        """A program to run many times with different stdin (Run tests), compiled once; raises RunRefused like
        start. Use it as an async context manager: its build directory is removed at the end."""
        return Program(self, self.runtime(language), code, limits=limits, started_by=started_by,
                       owner=self._launcher.credentials, stopper=stopper)

    async def run(self, code: str, language: str, on_output: OutputCallback | None = None, *, stdin: str = '',
                  limits: RunLimits | None = None, started_by: str | None = None) -> RunResult:
        """Start a run and wait for its result."""
        return await self.start(code, language, on_output, stdin=stdin, limits=limits,
                                started_by=started_by).wait()

    async def stop_all(self, by: str = 'the server') -> None:
        """Stop every run and wait for them (server shutdown)."""
        runs = list(self._active)
        for run in runs:
            run.stop(by)
        await asyncio.gather(*(run.wait() for run in runs), return_exceptions=True)

    def _choose_mode(self) -> tuple[str, str, Launcher | None]:
        if not self.settings.enabled:
            return 'off', 'Running code is turned off on this server (PAIRPAD_RUN=0).', None
        sandbox, why = Sandbox.probe(self.settings)
        if sandbox is not None:
            limits = self.limits
            return 'sandbox', (f'Programs run in a bubblewrap sandbox: no network, read-only system, '
                               f'{limits.cpu_seconds} s of CPU, {format_seconds(limits.wall_seconds)} in all, '
                               f'{format_bytes(limits.memory_bytes)} of memory, {limits.max_processes} processes, '
                               f'{format_bytes(limits.output_bytes)} of output.'), sandbox
        if self.settings.unsafe:
            log.warning('code runner: UNSAFE mode, programs run without a sandbox: %s', why)
            return 'unsafe', (f'UNSAFE: programs run without a sandbox (PAIRPAD_UNSAFE_RUN=1) because {why} They '
                              f"have time, memory and output limits but can read the server's files and use the "
                              f'network.'), UnsafeLauncher(self.settings)
        log.warning('code runner: running is off: %s', why)
        return 'off', f'Running code is off on this server: {why} {UNSAFE_HINT}', None

    def _probe_runtimes(self, runtimes: dict[str, Runtime]) -> None:
        """Run each toolchain's version command where programs will run, so one that is installed but cannot
        work there (e.g. outside the dirs the sandbox binds) is refused up front with the reason. In parallel:
        a dozen sandboxes one after the other would hold up the server's start by seconds."""
        def probe(runtime: Runtime) -> tuple[bool, str]:
            if isinstance(self._launcher, Sandbox):
                limits = RunLimits(memory_bytes=max(self.limits.memory_bytes, runtime.compile_memory),
                                   max_processes=max(64, runtime.language.min_processes))
                return self._launcher.try_run(runtime.version_command(), slack=runtime.version_slack(),
                                              limits=limits)
            return _run_directly(runtime.version_command())

        with ThreadPoolExecutor(max_workers=4, thread_name_prefix='pairpad-probe') as pool:
            answers = dict(zip(runtimes, pool.map(probe, runtimes.values())))
        for language, runtime in runtimes.items():
            ok, detail = answers[language]
            if ok:
                self._runtimes[language] = runtime
                self.versions[language] = runtime.version(detail)
            else:
                self._refused[language] = f'{runtime.label} cannot run on this server: {detail}'
                log.warning('code runner: %s refused: %s', language, detail)


def _run_directly(command: list[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        return False, str(e)
    return done.returncode == 0, (done.stdout + done.stderr).strip()

"""Where this server finds each runnable language's toolchain (the `languages` table says which they are and how
to call them), the command lines of one run, and the refusal message for a language it cannot run.

Toolchains are looked up in the system directories first (/usr/local/bin, /usr/bin, /bin): those are what the
sandbox binds, and what Debian installs. A copy elsewhere in PATH (rustup's ~/.cargo/bin, pyenv, nvm) is used only
when no system one exists, with its prefix bound read-only (the start-up probe refuses it if it still cannot run).
"""

import dataclasses
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from languages import LANGUAGES, Language

from .launch import SAFE_PATH
from .limits import MB, RunLimits

PRODUCED = './'  # a run program starting so is the compiler's output, not a toolchain to look up


@dataclass(frozen=True)
class Runtime:
    """A runnable language as found on this machine: absolute paths, the same inside the sandbox."""

    language: Language
    executable: str                  # the run program ('./main' for a compiled binary)
    compiler: str | None = None      # the compiler, for compiled languages
    version_executable: str | None = None  # what says the toolchain's version (default: the run program)
    # Compile once, run many times (runner.program): `build_to` is the host directory the compile step leaves the
    # working directory in instead of running the program; `prebuilt` is such a directory, copied into a run's
    # working directory in place of compiling.
    build_to: str | None = None
    prebuilt: str | None = None

    @property
    def id(self) -> str:
        return self.language.id

    @property
    def label(self) -> str:
        return self.language.label

    @property
    def file_name(self) -> str:
        """The document is written to this file in the working directory."""
        return self.language.file_name

    @property
    def compiled(self) -> bool:
        """Does a run compile first? (Not a run of a `prebuilt` program.)"""
        return self.language.compile is not None and self.prebuilt is None

    @property
    def address_space_slack(self) -> int:
        """Virtual memory the runtime maps beyond what it writes (see RunLimits)."""
        return self.language.run.address_space_slack_mb * MB

    @property
    def compile_memory(self) -> int:
        return self.language.compile.memory_mb * MB if self.compiled else 0

    @property
    def compile_slack(self) -> int:
        return self.language.compile.address_space_slack_mb * MB if self.compiled else 0

    def limits(self, limits: RunLimits) -> RunLimits:
        """The run's limits with this language's floors: the JVM's own threads, room for a compiled binary, and
        the row's own compile time limit."""
        changes = {}
        if limits.max_processes < self.language.min_processes:
            changes['max_processes'] = self.language.min_processes
        if limits.disk_bytes < self.language.min_disk_mb * MB:
            changes['disk_bytes'] = self.language.min_disk_mb * MB
        if self.compiled and self.language.compile.seconds is not None:
            changes['compile_seconds'] = self.language.compile.seconds
        return dataclasses.replace(limits, **changes) if changes else limits

    def compile_seconds(self, limits: RunLimits) -> float:
        return self.limits(limits).compile_seconds

    def _format(self, args, limits: RunLimits, tmp: str, cache: str | None = None) -> list[str]:
        run = self.language.run
        heap_mb = max(16, limits.memory_bytes * run.heap_percent // 100 // MB)
        values = {'file': self.file_name, 'stem': self.language.stem, 'heap_mb': heap_mb,
                  'memory_mb': limits.memory_bytes // MB, 'tmp': tmp,
                  'cache': cache or f'/opt/pairpad-cache/{self.id}'}
        return [arg.format(**values) for arg in args]

    def command(self, limits: RunLimits, tmp: str = '/tmp') -> list[str]:
        return [self.executable, *self._format(self.language.run.args, limits, tmp)]

    def compile_command(self, limits: RunLimits, tmp: str = '/tmp', cache: str | None = None) -> list[str] | None:
        """The compiler's argv; `cache`: where the prepared cache is (default: where the sandbox binds it)."""
        if not self.compiled:
            return None
        return [self.compiler, *self._format(self.language.compile.args, limits, tmp, cache)]

    def env(self, limits: RunLimits, tmp: str = '/tmp') -> dict[str, str]:
        """The language's own variables (GOCACHE, GOMEMLIMIT, ...), with paths under `tmp`."""
        return {key: self._format((value,), limits, tmp)[0] for key, value in self.language.env}

    def support_files(self) -> tuple[tuple[str, str], ...]:
        return self.language.compile.support_files if self.compiled else ()

    def version_command(self) -> list[str]:
        spec = self.language.run.version
        if spec is None:
            return [self.version_executable or self.executable, '--version']
        return [self.version_executable or spec[0], *spec[1:]]

    def version_slack(self) -> int:
        return max(self.address_space_slack, self.compile_slack)

    def version(self, output: str) -> str:
        """'Python 3.11.2', 'Java 17.0.13', 'Go 1.19.8': the toolchain's name and the first dotted number."""
        toolchain = self.language.run.toolchain
        number = re.search(r'\d+(?:\.\d+)+', output or '')
        return f'{toolchain} {number[0]}' if number else f'{toolchain} {(output or "").strip()[:40]}'.strip()


def find_python(exists: Callable[[str], bool] = os.path.exists) -> str:
    """The system Python (its stdlib lives under /usr, which the sandbox binds); else the server's own."""
    if exists('/usr/bin/python3'):
        return '/usr/bin/python3'
    return os.path.realpath(sys.executable)


def system_first(name: str) -> str | None:
    """`name` in the system directories the sandbox binds, else anywhere in PATH."""
    return shutil.which(name, path=SAFE_PATH) or shutil.which(name)


def _resolve(name: str, which: Callable[[str], str | None]) -> str | None:
    if name == 'python3':
        return find_python()
    path = which(name)
    # Keep /usr/bin/x rather than its target: alternatives (/etc/alternatives) and version dirs stay valid, and
    # the link is inside the sandbox too. Elsewhere (nvm, rustup) the real path says which prefix to bind.
    if path and not path.startswith(('/usr/', '/bin/')):
        path = os.path.realpath(path)
    return path


def refusal_text(language: Language, missing: str | None = None) -> str:
    """The sentence a Run button shows for a language this server cannot run."""
    if language.run is None:
        return f"{language.label} is not a program: there is nothing to run. Pick a programming language to run code."
    packages = ' '.join(language.packages) or missing
    return (f"{language.label} can't run here: install {packages} on the server (apt-get install {packages}); "
            f'{missing} was not found.')


def find_runtimes(which: Callable[[str], str | None] = system_first) -> tuple[dict[str, Runtime], dict[str, str]]:
    """(runtimes found on this machine, refusal message per language that cannot run)."""
    found: dict[str, Runtime] = {}
    refused: dict[str, str] = {}
    for language in LANGUAGES.values():
        if language.run is None:
            refused[language.id] = refusal_text(language)
            continue
        names = {'run': language.run.program}
        if language.compile is not None:
            names['compile'] = language.compile.program
        if language.run.version is not None:
            names['version'] = language.run.version[0]
        paths = {}
        for role, name in names.items():
            paths[role] = name if name.startswith(PRODUCED) else _resolve(name, which)
        missing = next((names[role] for role, path in paths.items() if not path), None)
        if missing:
            refused[language.id] = refusal_text(language, missing)
            continue
        found[language.id] = Runtime(language, paths['run'], paths.get('compile'), paths.get('version'))
    return found, refused

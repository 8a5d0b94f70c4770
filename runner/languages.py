"""Where this server finds the interpreter of each runnable language (the `languages` table says which they are
and how to call them), and the refusal message for those it cannot run.

Only interpreted languages are runnable for now: a compiler (Java, C++, Go, Rust) needs far more memory, disk
and time than a run's limits allow, and TypeScript needs a transpiler that is not a Debian package.
"""

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from languages import LANGUAGES, Language

from .limits import MB, RunLimits


@dataclass(frozen=True)
class Runtime:
    """A runnable language as found on this machine."""

    language: Language
    executable: str                  # absolute path, the same inside the sandbox (system dirs are bound in place)

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
    def address_space_slack(self) -> int:
        """Virtual memory the runtime maps beyond what it writes (see RunLimits)."""
        return self.language.run.address_space_slack_mb * MB

    def command(self, limits: RunLimits) -> list[str]:
        heap_mb = max(16, limits.memory_bytes * 3 // 4 // MB)
        return [self.executable, *(arg.format(file=self.file_name, heap_mb=heap_mb) for arg in self.language.run.args)]

    def version_command(self) -> list[str]:
        return [self.executable, '--version']

    def version(self, output: str) -> str:
        """'Python 3.11.2', 'Node.js v18.19.0': the first line of --version, named after the toolchain."""
        first = output.splitlines()[0] if output else ''
        toolchain = self.language.run.toolchain
        return first if first.startswith(toolchain) else f'{toolchain} {first}'.strip()


def find_python(exists: Callable[[str], bool] = os.path.exists) -> str:
    """The system Python (its stdlib lives under /usr, which the sandbox binds); else the server's own."""
    if exists('/usr/bin/python3'):
        return '/usr/bin/python3'
    return os.path.realpath(sys.executable)


def find_runtimes(which: Callable[[str], str | None] = shutil.which) -> tuple[dict[str, Runtime], dict[str, str]]:
    """(runtimes found on this machine, refusal message per language that cannot run)."""
    runnable = [language for language in LANGUAGES.values() if language.run is not None]
    supported = ' and '.join(language.label for language in runnable)
    found: dict[str, Runtime] = {}
    refused: dict[str, str] = {}
    for language in LANGUAGES.values():
        command = language.run
        if command is None:
            refused[language.id] = f'{language.label} cannot be run here; the Run button supports {supported}.'
            continue
        path = find_python() if command.program == 'python3' else which(command.program)
        if path:
            found[language.id] = Runtime(language, path if command.program == 'python3' else os.path.realpath(path))
        else:
            refused[language.id] = (f'{language.label} cannot run: {command.toolchain} ({command.program}) is not '
                                    f'installed on this server.')
    return found, refused

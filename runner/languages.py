"""Which interpreter runs which language, and the refusal message for those this server cannot run.

Only interpreted languages are runnable for now: a compiler (Java, C++, Go, Rust) needs far more memory, disk
and time than a run's limits allow, and TypeScript needs a transpiler that is not a Debian package.
"""

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .limits import MB, RunLimits

LABELS = {
    'python': 'Python 3',
    'javascript': 'JavaScript (Node.js)',
    'typescript': 'TypeScript',
    'java': 'Java',
    'cpp': 'C++',
    'go': 'Go',
    'rust': 'Rust',
    'sql': 'SQL',
    'plaintext': 'Plain text',
}


@dataclass(frozen=True)
class Runtime:
    language: str
    label: str
    executable: str                  # absolute path, the same inside the sandbox (system dirs are bound in place)
    file_name: str                   # the document is written to this file in the working directory
    address_space_slack: int         # virtual memory the runtime maps beyond what it writes (see RunLimits)
    node_heap: bool = False          # pass V8 a heap size inside the memory limit, for a readable out-of-memory

    def command(self, limits: RunLimits) -> list[str]:
        if self.node_heap:
            # Three quarters of the limit for the JS heap: V8 then stops with "JavaScript heap out of memory"
            # before malloc fails somewhere less readable.
            heap_mb = max(16, limits.memory_bytes * 3 // 4 // MB)
            return [self.executable, f'--max-old-space-size={heap_mb}', self.file_name]
        # -u: unbuffered, so output streams while the program runs; -B: no .pyc next to the program.
        return [self.executable, '-u', '-B', self.file_name]

    def version_command(self) -> list[str]:
        return [self.executable, '--version']


def find_python(exists: Callable[[str], bool] = os.path.exists) -> str:
    """The system Python (its stdlib lives under /usr, which the sandbox binds); else the server's own."""
    if exists('/usr/bin/python3'):
        return '/usr/bin/python3'
    return os.path.realpath(sys.executable)


def find_runtimes(which: Callable[[str], str | None] = shutil.which) -> tuple[dict[str, Runtime], dict[str, str]]:
    """(runtimes found on this machine, refusal message per language that cannot run)."""
    found: dict[str, Runtime] = {
        'python': Runtime('python', LABELS['python'], find_python(), 'main.py', address_space_slack=128 * MB),
    }
    refused: dict[str, str] = {}
    node = which('node')
    if node:
        found['javascript'] = Runtime('javascript', LABELS['javascript'], os.path.realpath(node), 'main.js',
                                      address_space_slack=1024 * MB, node_heap=True)
    else:
        refused['javascript'] = 'JavaScript cannot run: Node.js (node) is not installed on this server.'
    for language, label in LABELS.items():
        if language not in found and language not in refused:
            refused[language] = f'{label} cannot be run here; the Run button supports Python and JavaScript.'
    return found, refused

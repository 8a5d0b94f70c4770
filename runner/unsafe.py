"""PAIRPAD_UNSAFE_RUN=1: running without bubblewrap (macOS, containers without user namespaces).

The program still gets rlimits, a nice value, a private working directory, a clean environment, the server's
wall-clock timeout and output cap, and an unprivileged uid when the server is root. It does NOT get isolation: it
can read whatever that uid can read, open sockets, and leave processes that escape its process group.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .languages import Runtime, find_python
from .launch import Launch, program_env, run_as
from .limits import RunLimits, RunnerSettings

# Runs as `python -c LAUNCHER limits.json -- argv...`: sets the limits on itself, then execs the program. A script
# rather than a preexec_fn, because preexec_fn is unsafe in a threaded server, and rather than prlimit(1), which
# macOS does not have.
LAUNCHER = r'''
import json, os, resource, sys
limits = json.loads(sys.argv[1])
argv = sys.argv[3:]

def tasks_of_this_uid():
    # RLIMIT_NPROC counts every process and thread of the uid, the server's own included when it is not root.
    n = 0
    for pid in os.listdir('/proc'):
        try:
            with open(f'/proc/{pid}/status') as f:
                fields = dict(line.split(':', 1) for line in f if ':' in line)
            if int(fields['Uid'].split()[0]) == os.getuid():
                n += int(fields['Threads'])
        except (OSError, KeyError, ValueError):
            pass
    return n

def limit(name, soft, hard=None):
    which = getattr(resource, name, None)
    if which is not None:
        try:
            resource.setrlimit(which, (soft, soft if hard is None else hard))
        except (ValueError, OSError):
            pass

os.nice(limits['niceness'])
limit('RLIMIT_CPU', limits['cpu'], limits['cpu'] + 1)
limit('RLIMIT_DATA', limits['memory'])
limit('RLIMIT_AS', limits['address_space'])
limit('RLIMIT_FSIZE', limits['disk'])
limit('RLIMIT_NOFILE', limits['open_files'])
limit('RLIMIT_CORE', 0)
nproc = limits['processes'] + (tasks_of_this_uid() if os.path.isdir('/proc/self') else 0)
limit('RLIMIT_NPROC', nproc)
os.execv(argv[0], argv)
'''


class UnsafeLauncher:
    """Starts programs without a sandbox. Only built when the operator set PAIRPAD_UNSAFE_RUN=1."""

    sandboxed = False

    def __init__(self, settings: RunnerSettings) -> None:
        self.credentials = run_as(settings)
        self.python = find_python()

    @contextmanager
    def launch(self, code: str, runtime: Runtime, limits: RunLimits, run_id: str) -> Iterator[Launch]:
        workdir = tempfile.mkdtemp(prefix=f'pairpad-run-{run_id}-')
        try:
            path = os.path.join(workdir, runtime.file_name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(code)
            if 'user' in self.credentials:  # the program runs as the sandbox uid: give it its directory
                for p in (workdir, path):
                    os.chown(p, self.credentials['user'], self.credentials['group'])
            spec = {'cpu': limits.cpu_seconds, 'memory': limits.memory_bytes,
                    'address_space': limits.memory_bytes + runtime.address_space_slack,
                    'disk': limits.disk_bytes, 'open_files': limits.open_files,
                    'processes': limits.max_processes, 'niceness': limits.niceness}
            argv = [self.python, '-c', LAUNCHER, json.dumps(spec), '--', *runtime.command(limits)]
            popen: dict[str, Any] = {'cwd': workdir, 'env': program_env(workdir, workdir, run_id), **self.credentials}
            yield Launch(argv, popen, sandboxed=False)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

"""PAIRPAD_UNSAFE_RUN=1: running without bubblewrap (macOS, containers without user namespaces).

The program still gets rlimits, a nice value, a private working directory, a clean environment, the server's
wall-clock timeout and output cap, and an unprivileged uid when the server is root. It does NOT get isolation: it
can read whatever that uid can read, open sockets, and leave processes that escape its process group.
"""

import dataclasses
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import phases
from .languages import Runtime, find_python
from .launch import Launch, memfd, program_env, run_as
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
    def launch(self, code: str, runtime: Runtime, limits: RunLimits, run_id: str, stdin: str = '') -> Iterator[Launch]:
        workdir = tempfile.mkdtemp(prefix=f'pairpad-run-{run_id}-')
        fds: list[int] = []
        try:
            paths = [os.path.join(workdir, runtime.file_name)]
            with open(paths[0], 'w', encoding='utf-8') as f:
                f.write(code)
            for name, content in runtime.support_files():
                paths.append(os.path.join(workdir, name))
                with open(paths[-1], 'w', encoding='utf-8') as f:
                    f.write(content)
            if runtime.prebuilt:  # compiled once (runner.program): this run starts from a copy of the build
                shutil.copytree(runtime.prebuilt, workdir, dirs_exist_ok=True)
                paths += [os.path.join(root, name) for root, dirs, files in os.walk(workdir) for name in dirs + files]
            if 'user' in self.credentials:  # the program runs as the sandbox uid: give it its directory
                for p in (workdir, *paths):
                    os.chown(p, self.credentials['user'], self.credentials['group'])
            fds.append(stdin_fd := memfd(f'pairpad-{run_id}-stdin', stdin.encode(), read_only=True))
            status_read = status_write = None
            if runtime.compiled:
                status_read, status_write = os.pipe()
                fds += [status_read, status_write]
            argv = self._argv(runtime, limits, workdir, status_write)
            env = {**program_env(workdir, workdir, run_id), **runtime.env(limits, tmp=workdir)}
            popen: dict[str, Any] = {'cwd': workdir, 'env': env, **self.credentials}
            if status_write is not None:
                popen['pass_fds'] = (status_write,)

            def spawned() -> None:
                for fd in [stdin_fd] + ([status_write] if status_write is not None else []):
                    os.close(fd)
                    fds.remove(fd)

            yield Launch(argv, popen, sandboxed=False, on_spawned=spawned, status_fd=status_read, stdin=stdin_fd)
        finally:
            for fd in fds:
                os.close(fd)
            shutil.rmtree(workdir, ignore_errors=True)

    def _limited(self, limits: RunLimits, slack: int, command: list[str]) -> list[str]:
        spec = {'cpu': limits.cpu_seconds, 'memory': limits.memory_bytes,
                'address_space': limits.memory_bytes + slack, 'disk': limits.disk_bytes,
                'open_files': limits.open_files, 'processes': limits.max_processes, 'niceness': limits.niceness}
        return [self.python, '-c', LAUNCHER, json.dumps(spec), '--', *command]

    def _argv(self, runtime: Runtime, limits: RunLimits, workdir: str, status_fd: int | None) -> list[str]:
        """The program under the launcher's limits; a compiled language: the compile-then-run script, each phase
        under its own limits (runner.phases); a compile-once build copies the working directory to `build_to`
        instead of running it."""
        program = phases.keep_build(workdir, runtime.build_to) if runtime.build_to else \
            runtime.command(limits, tmp=workdir)
        run = self._limited(limits, runtime.address_space_slack, program)
        if not runtime.compiled:
            return run
        compile_limits = dataclasses.replace(limits, cpu_seconds=max(1, math.ceil(limits.compile_seconds)),
                                             memory_bytes=runtime.compile_memory, niceness=0,
                                             max_processes=max(limits.max_processes,
                                                               runtime.language.compile.processes))
        build = self._limited(compile_limits, runtime.compile_slack, runtime.compile_command(limits, tmp=workdir))
        return phases.script(setup='', compile_argv=build, run_argv=run, status_fd=status_fd)

"""Compile, then run, in one sandbox: the small bash script between the sandbox's init and the two phases.

Why one sandbox with a script rather than two sandboxes sharing a host directory: the binary never leaves the
sandbox's private tmpfs (nothing written to the host's disk, nothing to clean up, no directory whose ownership
and mode must be right for the sandbox uid), and the run pays for one bwrap start, not two. The phases get
different limits because each is started under its own `prlimit` (or the unsafe launcher): a process may lower
its own limits, and the script itself never runs user code.

The script reports on a pipe the server passed in (`status_fd`): `run` when compiling succeeded (the server then
restarts its wall clock with the run's limit), or `compile <status>` when it did not. The compiler gets neither
that pipe nor the program's stdin; the program gets its stdin but not the pipe, so it cannot pretend anything.

Run tests compiles once for all of a set's cases (runner.program): the same script, whose run phase copies the
compiled working directory to a build directory (`keep_build`) instead of running it; each case then is a run of
its own that copies that build in and runs it (`copy_in`), with no compile phase.
"""

import shlex
import shutil

BASH = shutil.which('bash', path='/usr/bin:/bin') or '/bin/bash'
CP = shutil.which('cp', path='/usr/bin:/bin') or '/bin/cp'
BUILD = '/opt/pairpad-build'  # where a compile-once build's host directory appears in the sandbox (runner.program)

COMPILED = 'run'        # the compile step succeeded: the program starts now
COMPILE_FAILED = 'compile'


def script(*, setup: str, compile_argv: list[str], run_argv: list[str], status_fd: int) -> list[str]:
    """The argv that compiles then runs: `bash -c <script>`. `setup` is shell run first (e.g. filling GOCACHE)."""
    fd = int(status_fd)
    text = '\n'.join([
        setup or ':',
        f'{shlex.join(compile_argv)} </dev/null {fd}>&-',
        's=$?',
        f'if [ "$s" -ne 0 ]; then echo "{COMPILE_FAILED} $s" >&{fd}; exit "$s"; fi',
        f'echo {COMPILED} >&{fd}',
        f'exec {fd}>&-',
        f'exec {shlex.join(run_argv)}',
    ])
    return [BASH, '-c', text, 'pairpad-run']


def keep_build(workdir: str, build: str) -> list[str]:
    """The run phase of a compile-once build: copy the compiled working directory to `build` and end. Under the
    run's own limits, like a program; what it copies is bounded by the working directory's size limit."""
    return [CP, '-R', f'{workdir}/.', build]


def copy_in(build: str, command: list[str]) -> list[str]:
    """A run of a compiled-once program: copy the build into the (private, writable) working directory, then exec
    the program, so each run starts from the same files whatever the one before it wrote."""
    return [BASH, '-c', f'{shlex.quote(CP)} -R {shlex.quote(build)}/. . && exec "$@"', 'pairpad-case', *command]


def parse_status(line: str) -> tuple[str, int | None] | None:
    """('run', None), ('compile', status) or None for anything else."""
    parts = line.split()
    if parts == [COMPILED]:
        return COMPILED, None
    if len(parts) == 2 and parts[0] == COMPILE_FAILED and parts[1].isdigit():
        return COMPILE_FAILED, int(parts[1])
    return None

"""The bubblewrap sandbox: the bwrap command line for one run, and the probe that says whether it works here.

Isolation comes from namespaces (bwrap), resource bounds from rlimits set inside the sandbox (prlimit), so that
RLIMIT_NPROC counts the processes of this sandbox's user namespace only, not every process of the uid on the host.
docs/sandbox.md explains each flag.
"""

import dataclasses
import glob
import logging
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import phases
from .languages import Runtime
from .launch import Launch, memfd, program_env, run_as
from .limits import MB, RunLimits, RunnerSettings

log = logging.getLogger(__name__)

# Bound read-only where they are on the host (or recreated as the same symlinks on merged-/usr systems).
SYSTEM_DIRS = ('/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32')
# The only files of /etc a program sees: the dynamic loader's cache and config, interpreter alternatives, the time
# zone. Not /etc wholesale: /etc/shadow, the app's configuration and its secrets stay out.
ETC_FILES = ('/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime')
# The JDK's own configuration (its conf/ files are links into it): security providers, logging. No secrets.
ETC_FILES += tuple(sorted(glob.glob('/etc/java-*-openjdk')))
WORKDIR = '/sandbox'
HOSTNAME = 'pairpad'
# The backstop timer inside the sandbox fires this long after the server's own wall-clock limit: it only matters
# if the server's event loop is stuck.
BACKSTOP_SECONDS = 5
# Address space beyond the memory limit for commands that are not a Runtime (the probes).
DEFAULT_SLACK = 128 * MB


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip('/') + '/') for root in roots)


def runtime_prefix(executable: str) -> str | None:
    """The install prefix to bind for an interpreter outside the system dirs (pyenv, nvm), else None."""
    real = os.path.realpath(executable)
    roots = tuple(os.path.realpath(d) for d in SYSTEM_DIRS if os.path.exists(d))
    if _under(real, roots):
        return None
    return os.path.dirname(os.path.dirname(real))


class Sandbox:
    """Builds bwrap command lines. Create it with `probe`, which checks that bubblewrap really works here."""

    sandboxed = True

    def __init__(self, bwrap: str, tools: dict[str, str], features: frozenset[str],
                 credentials: dict[str, Any]) -> None:
        self.bwrap = bwrap
        self.tools = tools              # absolute paths of prlimit, timeout and (optionally) nice
        self.features = features        # optional bwrap flags this version knows (--size, --disable-userns)
        self.credentials = credentials  # Popen user/group arguments (see launch.run_as)
        # Per language: prepared caches bound read-only (host dir -> sandbox dir) and the shell that copies them
        # into the run's private tmpfs before compiling (runner.caches fills them once ready).
        self.caches: dict[str, dict[str, str]] = {}
        self.setups: dict[str, str] = {}

    @classmethod
    def probe(cls, settings: RunnerSettings) -> tuple['Sandbox | None', str]:
        """(the sandbox, '') if bwrap can run a trivial program here, else (None, why not)."""
        if not sys.platform.startswith('linux'):
            return None, f'bubblewrap needs Linux namespaces; this server runs on {sys.platform}.'
        bwrap = shutil.which(settings.bwrap)
        if bwrap is None:
            return None, (f'bubblewrap ({settings.bwrap}) is not installed on this server '
                          f'(Debian/Ubuntu: apt-get install bubblewrap).')
        tools = {name: shutil.which(name, path='/usr/bin:/bin') for name in ('prlimit', 'timeout', 'nice')}
        missing = [name for name in ('prlimit', 'timeout') if tools[name] is None]
        if missing:
            return None, f'{" and ".join(missing)} (util-linux, coreutils) not found in /usr/bin or /bin.'
        try:
            help_text = subprocess.run([bwrap, '--help'], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError) as e:
            return None, f'bubblewrap ({bwrap}) cannot be started: {e}'
        features = frozenset(flag for flag in ('--size', '--disable-userns') if flag in help_text)
        sandbox = cls(bwrap, {k: v for k, v in tools.items() if v}, features, run_as(settings))
        ok, detail = sandbox.try_run(['/bin/sh', '-c', 'exit 0'])
        if not ok:
            return None, f'bubblewrap is installed but cannot create a sandbox here: {detail}'
        log.debug('sandbox: %s works, optional flags %s, runs as %s', bwrap, sorted(features),
                  sandbox.credentials.get('user', 'the server uid'))
        return sandbox, ''

    def try_run(self, command: list[str], slack: int = DEFAULT_SLACK, *, limits: RunLimits | None = None,
                files: tuple[tuple[str, str], ...] = (), env: dict[str, str] | None = None,
                binds: dict[str, str] | None = None, timeout: float = 15) -> tuple[bool, str]:
        """Run a command in the sandbox synchronously (start-up probes and preparations only): (exit code 0?,
        output or error). `files`: (path in the sandbox, content); `binds`: host dir -> sandbox dir, writable."""
        fds = [memfd('pairpad-probe', content.encode()) for _, content in files]
        try:
            argv = self.argv(command, limits or RunLimits(), run_id='probe',
                             files=[(fd, path) for fd, (path, _) in zip(fds, files)], slack=slack,
                             extra_binds=[p for p in [runtime_prefix(command[0])] if p], env=env, rw_binds=binds)
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  start_new_session=True, pass_fds=tuple(fds), **self.credentials)
        except (OSError, subprocess.SubprocessError) as e:
            return False, str(e)
        finally:
            for fd in fds:
                os.close(fd)
        text = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            return False, text.splitlines()[0] if text else f'exit code {done.returncode}'
        return True, text

    @contextmanager
    def launch(self, code: str, runtime: Runtime, limits: RunLimits, run_id: str, stdin: str = '') -> Iterator[Launch]:
        """The bwrap command for one run. The code (and a compiler's support files) go in through memfds that bwrap
        copies into the sandbox's tmpfs, so nothing is written to the host's disk and there is nothing to clean up
        (except a compile-once build's `build_to`, which runner.program owns); stdin is a read-only memfd. bwrap reports the host pid of the sandbox's pid 1 on an info pipe: killing that
        one (not bwrap) lets bwrap reap it and exit."""
        fds: list[int] = []
        try:
            files = [(memfd(f'pairpad-{run_id}', code.encode()), f'{WORKDIR}/{runtime.file_name}')]
            files += [(memfd(name, content.encode()), f'/tmp/{name}') for name, content in runtime.support_files()]
            fds += [fd for fd, _ in files]
            fds.append(stdin_fd := memfd(f'pairpad-{run_id}-stdin', stdin.encode(), read_only=True))
            info_read, info_write = os.pipe()
            fds += [info_read, info_write]
            status_read = status_write = None
            if runtime.compiled:
                status_read, status_write = os.pipe()
                fds += [status_read, status_write]
            ro_binds = {**self.caches.get(runtime.id, {}), **({runtime.prebuilt: phases.BUILD}
                                                             if runtime.prebuilt else {})}
            argv = self.argv(self.program(runtime, limits, status_write), limits, run_id, files=files,
                             slack=runtime.address_space_slack, info_fd=info_write, env=runtime.env(limits),
                             extra_binds=[p for p in {runtime_prefix(x) for x in self._executables(runtime)} if p],
                             ro_binds=ro_binds,
                             rw_binds={runtime.build_to: phases.BUILD} if runtime.build_to else None)
            passed = [fd for fd, _ in files] + [info_write] + ([status_write] if status_write is not None else [])

            def spawned() -> None:
                for fd in passed + [stdin_fd]:
                    os.close(fd)
                    fds.remove(fd)

            yield Launch(argv, {'pass_fds': tuple(passed), **self.credentials}, sandboxed=True, info_fd=info_read,
                         on_spawned=spawned, status_fd=status_read, stdin=stdin_fd)
        finally:
            for fd in fds:
                os.close(fd)

    @staticmethod
    def _executables(runtime: Runtime) -> list[str]:
        return [x for x in (runtime.executable, runtime.compiler) if x and not x.startswith('./')]

    def program(self, runtime: Runtime, limits: RunLimits, status_fd: int | None) -> list[str]:
        """What the sandbox's init runs: the program under its limits, or the compile-then-run script."""
        if runtime.prebuilt:
            return self.limit_command(limits, phases.copy_in(phases.BUILD, runtime.command(limits)),
                                      runtime.address_space_slack)
        if not runtime.compiled:
            return self.limit_command(limits, runtime.command(limits), runtime.address_space_slack)
        compile_limits = RunLimits(cpu_seconds=max(1, math.ceil(limits.compile_seconds)),
                                   memory_bytes=runtime.compile_memory, max_processes=limits.max_processes,
                                   disk_bytes=limits.disk_bytes, open_files=limits.open_files)
        run = self._prlimit(limits, runtime.address_space_slack, processes=True) + (
            phases.keep_build(WORKDIR, phases.BUILD) if runtime.build_to else runtime.command(limits))
        build = self._prlimit(compile_limits, runtime.compile_slack, processes=False) + runtime.compile_command(limits)
        setup = self.setups.get(runtime.id, '')
        body = phases.script(setup=setup, compile_argv=build, run_argv=run, status_fd=status_fd)
        # The outer limits are the ones both phases share; the process limit is the compiler's (threads of go,
        # javac, rustc), lowered to the run's by the run's own prlimit.
        outer = dataclasses.replace(limits, max_processes=max(limits.max_processes,
                                                              runtime.language.compile.processes),
                                    wall_seconds=limits.wall_seconds + limits.compile_seconds)
        return self._nice(outer) + [self.tools['prlimit'], f'--nproc={outer.max_processes}',
                                    f'--nofile={outer.open_files}', f'--fsize={outer.disk_bytes}', '--core=0',
                                    '--'] + self._backstop(outer) + body

    def argv(self, command: list[str], limits: RunLimits, run_id: str, files: list[tuple[int, str]] = (),
             slack: int = DEFAULT_SLACK, info_fd: int | None = None, extra_binds: list[str] = (),
             env: dict[str, str] | None = None, ro_binds: dict[str, str] | None = None,
             rw_binds: dict[str, str] | None = None) -> list[str]:
        """`rw_binds`: host dir -> sandbox dir, writable: a cache being prepared, or a compile-once build's output
        (the only thing written there is a copy of the size-limited working directory)."""
        args = [self.bwrap,
                '--unshare-all', '--unshare-user',   # every namespace, network included; user ns always
                '--die-with-parent',                  # the server dies -> the sandbox dies
                '--as-pid-1',                         # `timeout` is the namespace's init (see limit_command)
                '--new-session',                      # no TIOCSTI into a terminal of the server
                '--cap-drop', 'ALL',
                '--hostname', HOSTNAME]
        if info_fd is not None:
            args += ['--info-fd', str(info_fd)]
        if '--disable-userns' in self.features:
            args += ['--disable-userns']              # no nested user namespace to regain capabilities in
        for d in SYSTEM_DIRS:
            if os.path.islink(d):
                args += ['--symlink', os.readlink(d), d]
            elif os.path.isdir(d):
                args += ['--ro-bind', d, d]
        for path in ETC_FILES:
            if os.path.exists(path):
                args += ['--ro-bind', path, path]
        for path in extra_binds:
            args += ['--ro-bind', path, path]
        args += ['--proc', '/proc', '--dev', '/dev']
        for path in ('/dev/shm', '/tmp', WORKDIR):
            args += self._sized(limits) + ['--tmpfs', path]
        for host, inside in (ro_binds or {}).items():
            args += ['--ro-bind', host, inside]       # a prepared cache: read-only, copied by the run if it writes
        for host, inside in (rw_binds or {}).items():
            args += ['--bind', host, inside]          # a compiler's sandbox at most, never a program's run
        for fd, path in files:
            args += ['--file', str(fd), path]
        args += ['--remount-ro', '/dev', '--remount-ro', '/',   # the sandbox root and /dev are tmpfs: no writes
                 '--chdir', WORKDIR, '--clearenv']
        for key, value in {**program_env(WORKDIR, '/tmp', run_id), **(env or {})}.items():
            args += ['--setenv', key, value]
        if command and command[0] in (self.tools.get('nice'), self.tools['prlimit']):
            return args + ['--', *command]            # already under its limits (Sandbox.program)
        return args + ['--', *self.limit_command(limits, command, slack)]

    def _sized(self, limits: RunLimits) -> list[str]:
        return ['--size', str(limits.disk_bytes)] if '--size' in self.features else []

    def limit_command(self, limits: RunLimits, command: list[str], slack: int) -> list[str]:
        """nice, prlimit and a backstop timeout wrapped around the program, all exec'd in place except timeout.

        timeout ends up as pid 1 of the sandbox (--as-pid-1) and the program as its child: the program keeps normal
        signal semantics (a namespace's init ignores SIGXCPU), and no bwrap reaper is left to outlive the run as a
        zombie on hosts whose init does not reap (containers without --init).
        """
        return self._nice(limits) + self._prlimit(limits, slack, processes=True) + self._backstop(limits) + command

    def _nice(self, limits: RunLimits) -> list[str]:
        return [self.tools['nice'], '-n', str(limits.niceness)] if 'nice' in self.tools else []

    def _prlimit(self, limits: RunLimits, slack: int, *, processes: bool) -> list[str]:
        """prlimit for one phase: CPU (SIGXCPU, SIGKILL a second later), private memory (RLIMIT_DATA) and address
        space (that plus the runtime's reservations), and, for the program, processes, files and file size."""
        memory = limits.memory_bytes
        args = [self.tools['prlimit'], f'--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}',
                f'--data={memory}', f'--as={memory + slack}']
        if processes:
            args += [f'--nproc={limits.max_processes}', f'--nofile={limits.open_files}',
                     f'--fsize={limits.disk_bytes}', '--core=0']
        return args + ['--']

    def _backstop(self, limits: RunLimits) -> list[str]:
        backstop = max(1, int(limits.wall_seconds) + BACKSTOP_SECONDS)
        return [self.tools['timeout'], '-s', 'KILL', str(backstop)]


def sandbox_available(settings: RunnerSettings | None = None) -> tuple[bool, str]:
    """(True, '') if bubblewrap exists and really runs a trivial program here, else (False, why not).

    Blocks for the probe (tens of milliseconds): call it at start-up or through asyncio.to_thread.
    """
    sandbox, why = Sandbox.probe(settings or RunnerSettings())
    return sandbox is not None, why

"""The bubblewrap sandbox: the bwrap command line for one run, and the probe that says whether it works here.

Isolation comes from namespaces (bwrap), resource bounds from rlimits set inside the sandbox (prlimit), so that
RLIMIT_NPROC counts the processes of this sandbox's user namespace only, not every process of the uid on the host.
docs/sandbox.md explains each flag.
"""

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .languages import Runtime
from .launch import Launch, program_env, run_as
from .limits import MB, RunLimits, RunnerSettings

log = logging.getLogger(__name__)

# Bound read-only where they are on the host (or recreated as the same symlinks on merged-/usr systems).
SYSTEM_DIRS = ('/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32')
# The only files of /etc a program sees: the dynamic loader's cache and config, interpreter alternatives, the time
# zone. Not /etc wholesale: /etc/shadow, the app's configuration and its secrets stay out.
ETC_FILES = ('/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime')
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

    def try_run(self, command: list[str], slack: int = DEFAULT_SLACK) -> tuple[bool, str]:
        """Run a command in the sandbox synchronously (start-up probes only): (exit code 0?, output or error)."""
        argv = self.argv(command, RunLimits(), run_id='probe', code_fd=None, file_name='', slack=slack,
                         extra_binds=[p for p in [runtime_prefix(command[0])] if p])
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL,
                                  start_new_session=True, **self.credentials)
        except (OSError, subprocess.SubprocessError) as e:
            return False, str(e)
        text = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            return False, text.splitlines()[0] if text else f'exit code {done.returncode}'
        return True, text

    @contextmanager
    def launch(self, code: str, runtime: Runtime, limits: RunLimits, run_id: str) -> Iterator[Launch]:
        """The bwrap command for one run. The code goes in through a memfd that bwrap copies into the sandbox's
        tmpfs, so nothing is written to the host's disk and there is nothing to clean up. bwrap reports the host
        pid of the sandbox's pid 1 on an info pipe: killing that one (not bwrap) lets bwrap reap it and exit."""
        fds: list[int] = []
        try:
            code_fd = os.memfd_create(f'pairpad-{run_id}', 0)
            fds.append(code_fd)
            os.write(code_fd, code.encode())
            os.lseek(code_fd, 0, os.SEEK_SET)
            info_read, info_write = os.pipe()
            fds += [info_read, info_write]
            argv = self.argv(runtime.command(limits), limits, run_id, code_fd, runtime.file_name,
                             slack=runtime.address_space_slack, info_fd=info_write,
                             extra_binds=[p for p in [runtime_prefix(runtime.executable)] if p])

            def spawned() -> None:
                for fd in (code_fd, info_write):
                    os.close(fd)
                    fds.remove(fd)

            yield Launch(argv, {'pass_fds': (code_fd, info_write), **self.credentials}, sandboxed=True,
                         info_fd=info_read, on_spawned=spawned)
        finally:
            for fd in fds:
                os.close(fd)

    def argv(self, command: list[str], limits: RunLimits, run_id: str, code_fd: int | None, file_name: str,
             slack: int = DEFAULT_SLACK, info_fd: int | None = None, extra_binds: list[str] = ()) -> list[str]:
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
        if code_fd is not None:
            args += ['--file', str(code_fd), f'{WORKDIR}/{file_name}']
        args += ['--remount-ro', '/dev', '--remount-ro', '/',   # the sandbox root and /dev are tmpfs: no writes
                 '--chdir', WORKDIR, '--clearenv']
        for key, value in program_env(WORKDIR, '/tmp', run_id).items():
            args += ['--setenv', key, value]
        return args + ['--', *self.limit_command(limits, command, slack)]

    def _sized(self, limits: RunLimits) -> list[str]:
        return ['--size', str(limits.disk_bytes)] if '--size' in self.features else []

    def limit_command(self, limits: RunLimits, command: list[str], slack: int) -> list[str]:
        """nice, prlimit and a backstop timeout wrapped around the program, all exec'd in place except timeout.

        timeout ends up as pid 1 of the sandbox (--as-pid-1) and the program as its child: the program keeps normal
        signal semantics (a namespace's init ignores SIGXCPU), and no bwrap reaper is left to outlive the run as a
        zombie on hosts whose init does not reap (containers without --init).
        """
        memory = limits.memory_bytes
        prefix = [self.tools['nice'], '-n', str(limits.niceness)] if 'nice' in self.tools else []
        prefix += [self.tools['prlimit'],
                   f'--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}',
                   f'--data={memory}', f'--as={memory + slack}',
                   f'--nproc={limits.max_processes}', f'--nofile={limits.open_files}',
                   f'--fsize={limits.disk_bytes}', '--core=0', '--']
        backstop = max(1, int(limits.wall_seconds) + BACKSTOP_SECONDS)
        return prefix + [self.tools['timeout'], '-s', 'KILL', str(backstop), *command]


def sandbox_available(settings: RunnerSettings | None = None) -> tuple[bool, str]:
    """(True, '') if bubblewrap exists and really runs a trivial program here, else (False, why not).

    Blocks for the probe (tens of milliseconds): call it at start-up or through asyncio.to_thread.
    """
    sandbox, why = Sandbox.probe(settings or RunnerSettings())
    return sandbox is not None, why

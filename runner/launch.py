"""What the runner needs to start one program, whichever way it is isolated: an argv and extra Popen arguments."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .limits import RunnerSettings

# The environment a program sees: nothing of the server's (no DATABASE_URL, no tokens), only what interpreters need.
SAFE_PATH = '/usr/local/bin:/usr/bin:/bin'


@dataclass
class Launch:
    argv: list[str]
    popen: dict[str, Any] = field(default_factory=dict)
    sandboxed: bool = True
    # Read end of bwrap's --info-fd: JSON with the host pid of the sandbox's pid 1, the process to kill.
    info_fd: int | None = None
    # Called once the process is started (closes the parent's copy of fds passed to it).
    on_spawned: Callable[[], None] = lambda: None
    # Read end of the compile script's status pipe (runner.phases), for compiled languages.
    status_fd: int | None = None
    # The program's standard input: a read-only fd of a memfd holding the run's stdin text (EOF after it).
    stdin: int | None = None


def memfd(name: str, data: bytes, read_only: bool = False) -> int:
    """A memfd holding `data`, positioned at its start; `read_only`: a fresh O_RDONLY fd of it instead, so the
    program given it as stdin cannot write into the text the next reader sees."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        os.write(fd, data)  # memfd writes are never short
        if read_only:
            reader = os.open(f'/proc/self/fd/{fd}', os.O_RDONLY | os.O_CLOEXEC)
            os.close(fd)
            return reader
        os.lseek(fd, 0, os.SEEK_SET)
        return fd
    except BaseException:
        os.close(fd)
        raise


def run_as(settings: RunnerSettings) -> dict[str, Any]:
    """Popen arguments that drop root to the sandbox uid (no-op for an unprivileged server).

    Done by subprocess itself (setgroups/setregid/setreuid after fork) rather than in a preexec_fn, which is unsafe
    in a server with threads.
    """
    if os.geteuid() != 0:
        return {}
    return {'user': settings.sandbox_uid, 'group': settings.sandbox_gid, 'extra_groups': []}


def program_env(home: str, tmp: str, run_id: str) -> dict[str, str]:
    # PAIRPAD_RUN_ID lets an operator (and the tests) find a run's processes in /proc.
    return {'PATH': SAFE_PATH, 'HOME': home, 'TMPDIR': tmp, 'LANG': 'C.UTF-8', 'PAIRPAD_RUN_ID': run_id}

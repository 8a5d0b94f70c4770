"""Per-run resource bounds and the runner's settings, both read from PAIRPAD_RUN_* variables.

The defaults are sized for interview code: a solution runs in well under a second and prints a few screens, so
10 s of CPU, 256 MB and 64 KB of output leave generous room while a hostile program costs the server at most one
core for a few seconds and a bounded amount of memory.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

KB = 1024
MB = 1024 * KB


def _number(env: Mapping[str, str], name: str, default: float, scale: float = 1) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == '':
        return default
    try:
        return float(raw) * scale
    except ValueError:
        raise ValueError(f'{name} must be a number, not {raw!r}') from None


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == '':
        return default
    return raw.strip().lower() in ('1', 'true', 'yes', 'on')


def format_bytes(n: int) -> str:
    """'64 KB', '256 MB', '1536 B': the units an operator wrote, for messages shown to users."""
    for unit, size in (('MB', MB), ('KB', KB)):
        if n >= size and n % size == 0:
            return f'{n // size} {unit}'
    return f'{n} B'


def format_seconds(s: float) -> str:
    return f'{s:g} s'


@dataclass(frozen=True)
class RunLimits:
    # CPU seconds of each process (RLIMIT_CPU): SIGXCPU at this, SIGKILL one second later. The cure for `while True`.
    cpu_seconds: int = 10
    # Wall-clock seconds of the whole run, enforced by the server: ends sleeping or blocked programs, which use no CPU.
    wall_seconds: float = 20.0
    # Private writable memory (RLIMIT_DATA). The address space (RLIMIT_AS) gets this plus the runtime's own
    # reservations (V8 maps ~0.7 GB it never touches), so shared mappings cannot get around the limit either.
    memory_bytes: int = 256 * MB
    # Processes and threads inside one run (RLIMIT_NPROC, counted per sandbox because each has its own user
    # namespace). Node alone starts ~10 threads.
    max_processes: int = 64
    # Bytes of stdout and stderr together that reach the console; beyond it the run is killed.
    output_bytes: int = 64 * KB
    # Size of each private tmpfs (/tmp, the working directory, /dev/shm) and of any one file (RLIMIT_FSIZE):
    # they live in the host's memory, outside the memory limit.
    disk_bytes: int = 16 * MB
    # Open file descriptors (RLIMIT_NOFILE).
    open_files: int = 256
    # Added to the run's nice value, so the rooms' event loop wins the CPU against a busy program.
    niceness: int = 10

    def __post_init__(self) -> None:
        for name in ('cpu_seconds', 'wall_seconds', 'memory_bytes', 'max_processes', 'output_bytes', 'disk_bytes',
                     'open_files'):
            if getattr(self, name) <= 0:
                raise ValueError(f'RunLimits.{name} must be positive, not {getattr(self, name)!r}')

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> 'RunLimits':
        env = os.environ if env is None else env
        d = cls()
        return cls(
            cpu_seconds=int(_number(env, 'PAIRPAD_RUN_CPU_SECONDS', d.cpu_seconds)),
            wall_seconds=_number(env, 'PAIRPAD_RUN_WALL_SECONDS', d.wall_seconds),
            memory_bytes=int(_number(env, 'PAIRPAD_RUN_MEMORY_MB', d.memory_bytes, MB) // 1),
            max_processes=int(_number(env, 'PAIRPAD_RUN_MAX_PROCESSES', d.max_processes)),
            output_bytes=int(_number(env, 'PAIRPAD_RUN_OUTPUT_KB', d.output_bytes, KB) // 1),
            disk_bytes=int(_number(env, 'PAIRPAD_RUN_DISK_MB', d.disk_bytes, MB) // 1),
            open_files=int(_number(env, 'PAIRPAD_RUN_OPEN_FILES', d.open_files)),
            niceness=int(_number(env, 'PAIRPAD_RUN_NICENESS', d.niceness)),
        )


@dataclass(frozen=True)
class RunnerSettings:
    # PAIRPAD_RUN=0 turns the Run button off whatever the machine can do.
    enabled: bool = True
    # PAIRPAD_UNSAFE_RUN=1: where bubblewrap cannot run, run anyway with rlimits and timeouts but no isolation.
    unsafe: bool = False
    # The unprivileged uid/gid the sandbox runs as when the server runs as root: the kernel never enforces the
    # process limit for root, and root outside a namespace is a bad owner for hostile code.
    sandbox_uid: int = 65534
    sandbox_gid: int = 65534
    # Runs at once over all rooms (one per room in any case); further starts are refused until one ends.
    max_concurrent: int = 4
    # The bubblewrap executable (a name looked up in PATH, or a path).
    bwrap: str = 'bwrap'

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> 'RunnerSettings':
        env = os.environ if env is None else env
        d = cls()
        return cls(
            enabled=_flag(env, 'PAIRPAD_RUN', d.enabled),
            unsafe=_flag(env, 'PAIRPAD_UNSAFE_RUN', d.unsafe),
            sandbox_uid=int(_number(env, 'PAIRPAD_RUN_UID', d.sandbox_uid)),
            sandbox_gid=int(_number(env, 'PAIRPAD_RUN_GID', d.sandbox_gid)),
            max_concurrent=int(_number(env, 'PAIRPAD_RUN_MAX_CONCURRENT', d.max_concurrent)),
            bwrap=env.get('PAIRPAD_BWRAP') or d.bwrap,
        )

"""Per-run resource bounds and the runner's settings, as the runner reads them.

Their values come from config.Settings (the PAIRPAD_RUN_* variables, and why each default is that size); an
instance made without arguments has the same defaults, so a test changes only the bound it is about.
"""

from dataclasses import dataclass

from config import KB, MB, Settings


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
    cpu_seconds: int = Settings.run_cpu_seconds         # RLIMIT_CPU of each process
    wall_seconds: float = Settings.run_wall_seconds     # the whole run, enforced by the server
    # RLIMIT_DATA. The address space (RLIMIT_AS) gets this plus the runtime's own reservations (V8 maps ~0.7 GB it
    # never touches), so shared mappings cannot get around the limit either.
    memory_bytes: int = Settings.run_memory_bytes
    max_processes: int = Settings.run_max_processes     # RLIMIT_NPROC, per sandbox (its own user namespace)
    output_bytes: int = Settings.run_output_bytes       # stdout and stderr together; beyond it the run is killed
    disk_bytes: int = Settings.run_disk_bytes           # each private tmpfs and any one file (RLIMIT_FSIZE)
    open_files: int = Settings.run_open_files           # RLIMIT_NOFILE
    niceness: int = Settings.run_niceness               # added to the run's nice value
    compile_seconds: float = Settings.run_compile_seconds  # CPU and wall clock of compiling, before the run's own

    def __post_init__(self) -> None:
        for name in ('cpu_seconds', 'wall_seconds', 'memory_bytes', 'max_processes', 'output_bytes', 'disk_bytes',
                     'open_files', 'compile_seconds'):
            if getattr(self, name) <= 0:
                raise ValueError(f'RunLimits.{name} must be positive, not {getattr(self, name)!r}')

    @classmethod
    def from_settings(cls, settings: Settings) -> 'RunLimits':
        return cls(cpu_seconds=settings.run_cpu_seconds, wall_seconds=settings.run_wall_seconds,
                   memory_bytes=settings.run_memory_bytes, max_processes=settings.run_max_processes,
                   output_bytes=settings.run_output_bytes, disk_bytes=settings.run_disk_bytes,
                   open_files=settings.run_open_files, niceness=settings.run_niceness,
                   compile_seconds=settings.run_compile_seconds)


@dataclass(frozen=True)
class RunnerSettings:
    enabled: bool = Settings.run_enabled          # PAIRPAD_RUN=0: the Run button is off
    unsafe: bool = Settings.run_unsafe            # PAIRPAD_UNSAFE_RUN=1: no sandbox where bubblewrap cannot run
    sandbox_uid: int = Settings.run_uid           # who runs programs when the server runs as root
    sandbox_gid: int = Settings.run_gid
    max_concurrent: int = Settings.run_max_concurrent  # runs at once over all rooms
    bwrap: str = Settings.run_bwrap               # the bubblewrap executable

    @classmethod
    def from_settings(cls, settings: Settings) -> 'RunnerSettings':
        return cls(enabled=settings.run_enabled, unsafe=settings.run_unsafe, sandbox_uid=settings.run_uid,
                   sandbox_gid=settings.run_gid, max_concurrent=settings.run_max_concurrent,
                   bwrap=settings.run_bwrap)

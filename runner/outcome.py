"""How a run ended, in one word for the UI's logic and one sentence for the people in the room.

The kernel tells us little: a signal or an exit code. Which limit ended the run is read from that signal, from what
the server itself did (stop, timeout, cap), and for memory from the runtime's own out-of-memory message on stderr.
"""

import enum
import re
import signal as signals
from dataclasses import dataclass

from .diagnostics import Marker
from .limits import RunLimits, format_bytes, format_seconds


class Outcome(str, enum.Enum):
    EXITED = 'exited'              # the program ended by itself (exit_code says how)
    KILLED = 'killed'              # ended by a signal no limit explains (e.g. a segfault)
    CPU_LIMIT = 'cpu_limit'
    MEMORY_LIMIT = 'memory_limit'
    TIMED_OUT = 'timed_out'        # wall-clock limit
    TRUNCATED = 'truncated'        # output cap reached, program killed
    STOPPED = 'stopped'            # someone pressed Stop
    FAILED = 'failed'              # could not be started at all
    COMPILE_ERROR = 'compile_error'  # the compiler failed (exit_code is its code) or hit the compile limits


# What runtimes print when an allocation fails under RLIMIT_DATA / RLIMIT_AS.
MEMORY_PATTERNS = re.compile(
    r'MemoryError|heap out of memory|Array buffer allocation failed|Cannot allocate memory|std::bad_alloc'
    r'|Fatal process out of memory|out of memory|OutOfMemoryError|Allowed memory size of'
    r'|memory allocation of \d+ bytes failed', re.IGNORECASE)
# What fork() failing under RLIMIT_NPROC looks like.
PROCESS_PATTERNS = re.compile(r'Resource temporarily unavailable|EAGAIN|BlockingIOError|fork: retry')


@dataclass(frozen=True)
class RunResult:
    run_id: str
    language: str
    outcome: Outcome
    reason: str                    # one sentence for the console, e.g. 'CPU time limit of 10 s exceeded'
    exit_code: int | None          # None when the program was ended by a signal
    signal: str | None             # 'SIGXCPU', 'SIGKILL', ... or None
    duration: float                # wall-clock seconds from start to end
    output_bytes: int              # bytes of output that reached on_output
    truncated: bool
    timed_out: bool
    stopped_by: str | None
    unsafe: bool                   # ran without the sandbox (PAIRPAD_UNSAFE_RUN=1)
    started_by: str | None = None
    # Errors with a line of the document (compile errors, the line of an uncaught exception): the editors' markers.
    markers: tuple[Marker, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.EXITED and self.exit_code == 0


def split_status(returncode: int, sandboxed: bool) -> tuple[int | None, int | None]:
    """(exit code, signal number). asyncio reports a signal as a negative code; bwrap's init reports a program
    killed by signal n as exit code 128 + n, like a shell."""
    if returncode < 0:
        return None, -returncode
    if sandboxed and 128 < returncode < 128 + 65:
        return None, returncode - 128
    return returncode, None


def signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f'signal {number}'


def classify(returncode: int, *, sandboxed: bool, limits: RunLimits, stopped_by: str | None, truncated: bool,
             timed_out: bool, stderr_tail: str) -> tuple[Outcome, str, int | None, str | None]:
    """(outcome, reason, exit code, signal name) from what is known at the end of a run."""
    code, sig = split_status(returncode, sandboxed)
    name = signal_name(sig) if sig is not None else None
    if stopped_by is not None:
        return Outcome.STOPPED, f'stopped by {stopped_by}', code, name
    if truncated:
        return Outcome.TRUNCATED, f'output cap of {format_bytes(limits.output_bytes)} reached', code, name
    hint = ''
    if PROCESS_PATTERNS.search(stderr_tail):
        hint = f'; the process limit of {limits.max_processes} was reached'
    if timed_out:
        return Outcome.TIMED_OUT, f'wall-clock limit of {format_seconds(limits.wall_seconds)} exceeded{hint}', \
            code, name
    if sig == signals.SIGXCPU:
        return Outcome.CPU_LIMIT, f'CPU time limit of {limits.cpu_seconds} s exceeded', code, name
    if (code or sig) and MEMORY_PATTERNS.search(stderr_tail):
        return Outcome.MEMORY_LIMIT, f'memory limit of {format_bytes(limits.memory_bytes)} exceeded', code, name
    if sig == signals.SIGKILL:
        return Outcome.KILLED, (f'killed by SIGKILL (the CPU time hard limit of {limits.cpu_seconds + 1} s, '
                                f'or the kernel out of memory){hint}'), code, name
    if sig is not None:
        return Outcome.KILLED, f'killed by {name}{hint}', code, name
    return Outcome.EXITED, f'exited with code {code}{hint if code else ""}', code, name


def classify_compile(status: int | None, *, limits: RunLimits, compile_seconds: float, memory_bytes: int,
                     stopped_by: str | None, truncated: bool, timed_out: bool,
                     stderr_tail: str) -> tuple[Outcome, str, int | None, str | None]:
    """How a run that never got past compiling ended. `status` is what the compile step reported (its exit code,
    128 + n for signal n), None if the run was ended before it reported (timer, Stop, output cap)."""
    if stopped_by is not None:
        return Outcome.STOPPED, f'stopped by {stopped_by} while compiling', None, None
    if truncated:
        return Outcome.TRUNCATED, f'output cap of {format_bytes(limits.output_bytes)} reached while compiling', \
            None, None
    limit = format_seconds(compile_seconds)
    if timed_out or status is None:
        return Outcome.COMPILE_ERROR, f'compile error: the compile time limit of {limit} was exceeded', None, None
    code, sig = split_status(status, sandboxed=True)
    name = signal_name(sig) if sig is not None else None
    if sig == signals.SIGXCPU:
        return Outcome.COMPILE_ERROR, f'compile error: the compile CPU time limit of {limit} was exceeded', \
            code, name
    if MEMORY_PATTERNS.search(stderr_tail):
        return Outcome.COMPILE_ERROR, (f'compile error: the compiler ran out of memory (its limit is '
                                       f'{format_bytes(memory_bytes)})'), code, name
    if sig is not None:
        return Outcome.COMPILE_ERROR, f'compile error: the compiler was killed by {name}', code, name
    return Outcome.COMPILE_ERROR, f'compile error (the compiler exited with code {code})', code, name

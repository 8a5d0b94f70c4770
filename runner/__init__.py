"""The Run button's engine: runs a document's code in a bubblewrap sandbox with CPU, memory, process, time and
output limits, streaming stdout and stderr as they come. It knows nothing of NiceGUI or SQL: output goes to an
`on_output(stream, text)` callback and the result is a plain dataclass (see docs/sandbox.md)."""

from .code_runner import CodeRunner
from .diagnostics import Marker, markers
from .hub import RunHub, RunHubs, RunRecord
from .errors import RunBusy, RunnerUnavailable, RunRefused, TooManyRuns, UnsupportedLanguage
from .limits import RunLimits, RunnerSettings
from .outcome import Outcome, RunResult
from .program import Program, Stopper
from .room import RoomRunner
from .run import OutputCallback, Run
from .sandbox import sandbox_available

__all__ = [
    'CodeRunner', 'Marker', 'Outcome', 'OutputCallback', 'Program', 'RoomRunner', 'Run', 'RunBusy', 'RunHub',
    'RunHubs', 'RunLimits', 'RunRecord', 'RunRefused', 'RunResult', 'RunnerSettings', 'RunnerUnavailable', 'Stopper',
    'TooManyRuns', 'UnsupportedLanguage', 'markers', 'sandbox_available',
]

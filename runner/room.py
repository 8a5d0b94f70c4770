"""One run at a time per room: a second Run while one is going is refused, saying whose run it is."""

from .code_runner import CodeRunner
from .errors import RunBusy
from .limits import RunLimits
from .run import OutputCallback, Run


class RoomRunner:
    """Owned by one room. Start, stop and the current run; the room's UI and socket wiring sit on top."""

    def __init__(self, runner: CodeRunner) -> None:
        self.runner = runner
        self._current: Run | None = None

    @property
    def current(self) -> Run | None:
        """The run going on in this room, or None."""
        if self._current is not None and self._current.done:
            return None
        return self._current

    def start(self, code: str, language: str, on_output: OutputCallback | None = None, *, started_by: str,
              stdin: str = '', limits: RunLimits | None = None) -> Run:
        """Start a run for this room. Raises RunBusy if one is going, or another RunRefused from the runner."""
        current = self.current
        if current is not None:
            who = current.started_by or 'someone'
            raise RunBusy(f'{who} is already running the code in this room; wait for it to finish or stop it.')
        self._current = self.runner.start(code, language, on_output, stdin=stdin, limits=limits, started_by=started_by)
        return self._current

    def stop(self, by: str) -> bool:
        """Stop the current run; False if there is none."""
        current = self.current
        return current.stop(by) if current is not None else False

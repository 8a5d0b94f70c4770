"""Why a run was refused before it started. Each message is written for the person who pressed Run."""


class RunRefused(Exception):
    """Base class: str(error) is the message to show in the console."""


class RunnerUnavailable(RunRefused):
    """Running is off on this server (no working sandbox and no PAIRPAD_UNSAFE_RUN, or PAIRPAD_RUN=0)."""


class UnsupportedLanguage(RunRefused):
    """The document's language has no runtime here."""


class RunBusy(RunRefused):
    """This room already has a run going: one at a time per room."""


class TooManyRuns(RunRefused):
    """The server's limit on runs at once over all rooms is reached."""

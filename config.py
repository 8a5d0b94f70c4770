"""Configuration from the environment, read once at start-up (no module-level state elsewhere depends on it)."""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent
# The embedded database lives in the checkout's data/ when run from it (`make run`), else in ./data of the
# directory the installed `pairpad` command was started in (never inside site-packages).
DATA_DIR = ROOT / 'data' if (ROOT / 'pyproject.toml').exists() else Path.cwd() / 'data'


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class Settings:
    host: str = '127.0.0.1'
    port: int = 8080
    database_url: str = f'sqlite:///{DATA_DIR / "pairpad.db"}'
    commit_window: float = 0.025      # seconds of updates gathered into one store transaction
    compact_every: int = 500          # stored updates per room before they are merged into a snapshot
    compact_after_idle: float = 10.0  # seconds without updates before a room's log is merged anyway
    unload_after: float = 60.0        # seconds a room without peers stays in memory
    reconnect_timeout: float = 10.0   # seconds NiceGUI keeps a disconnected tab's page alive
    max_message_bytes: int = 8 * 1024 * 1024
    max_document_bytes: int = 1024 * 1024  # the code of one interview, UTF-8 (see collab/limits.py for why)
    max_participants: int = 25             # people online or away in one interview at once
    max_connections: int = 50              # browser tabs connected to one room
    message_rate: float = 200.0            # messages per second per tab (token bucket) ...
    message_burst: float = 1000.0          # ... with this burst

    @classmethod
    def from_env(cls) -> 'Settings':
        defaults = cls()
        return cls(
            host=os.environ.get('PAIRPAD_HOST', defaults.host),
            port=int(os.environ.get('PAIRPAD_PORT', defaults.port)),
            database_url=os.environ.get('DATABASE_URL', defaults.database_url),
            commit_window=_float('PAIRPAD_COMMIT_WINDOW_MS', defaults.commit_window * 1000) / 1000,
            compact_every=int(os.environ.get('PAIRPAD_COMPACT_EVERY', defaults.compact_every)),
            compact_after_idle=_float('PAIRPAD_COMPACT_AFTER_IDLE', defaults.compact_after_idle),
            unload_after=_float('PAIRPAD_UNLOAD_AFTER', defaults.unload_after),
            reconnect_timeout=_float('PAIRPAD_RECONNECT_TIMEOUT', defaults.reconnect_timeout),
            max_message_bytes=int(os.environ.get('PAIRPAD_MAX_MESSAGE_BYTES', defaults.max_message_bytes)),
            max_document_bytes=int(os.environ.get('PAIRPAD_MAX_DOCUMENT_BYTES', defaults.max_document_bytes)),
            max_participants=int(os.environ.get('PAIRPAD_MAX_PARTICIPANTS', defaults.max_participants)),
            max_connections=int(os.environ.get('PAIRPAD_MAX_CONNECTIONS', defaults.max_connections)),
            message_rate=_float('PAIRPAD_MESSAGE_RATE', defaults.message_rate),
            message_burst=_float('PAIRPAD_MESSAGE_BURST', defaults.message_burst),
        )

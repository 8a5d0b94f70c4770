"""Configuration from the environment, read once at start-up into one `Settings`, which feeds everything: the rooms,
presence, the runner. Every default and limit of the product is written here, once, with why it is that size;
the classes that use them (collab.Limits, runner.RunLimits, ...) take their values from here."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).parent
# The embedded database lives in the checkout's data/ when run from it (`make run`), else in ./data of the
# directory the installed `pairpad` command was started in (never inside site-packages).
DATA_DIR = ROOT / 'data' if (ROOT / 'pyproject.toml').exists() else Path.cwd() / 'data'

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True)
class Settings:
    host: str = '127.0.0.1'
    port: int = 8080
    database_url: str = f'sqlite:///{DATA_DIR / "pairpad.db"}'
    # This instance's name when several run behind a proxy (tools/cluster, docs/deploy.md): /healthz and the
    # X-Pairpad-Instance response header say it. Empty for a single instance.
    instance_id: str = ''
    # Redis of the relay between instances (collab/redis_relay.py), e.g. redis://127.0.0.1:6379/0. Empty: one
    # instance, no relay, no Redis needed.
    redis_url: str = ''

    # -- the store and the rooms' lifecycle
    commit_window: float = 0.025      # seconds of updates gathered into one store transaction
    compact_every: int = 500          # stored updates per room before they are merged into a snapshot
    compact_after_idle: float = 10.0  # seconds without updates before a room's log is merged anyway
    hibernate_after: float = 5.0      # seconds a room without peers keeps a live Doc before only its bytes stay
    unload_after: float = 60.0        # seconds a room without peers stays in memory
    reconnect_timeout: float = 10.0   # seconds NiceGUI keeps a disconnected tab's page alive
    # uvicorn's WebSocket implementation (main.serve): 'websockets-sansio' frames in C; 'wsproto' (what NiceGUI's
    # ui.run hard-codes) in pure Python, kept selectable for the benchmarks' comparison.
    websocket: str = 'websockets-sansio'
    # permessage-deflate on the sockets (uvicorn's default, main.serve): it compresses the large frames (a cold
    # join's document) but keeps a compressor and a decompressor per connection, ~45 KiB of a tab's server memory
    # (python -m tools.bench.tab_memory, docs/benchmarks.md), and costs CPU on every frame.
    websocket_deflate: bool = True
    # -- the fan-out to a room's tabs (collab.fanout): after a quiet spell a message goes at once; while messages
    # keep coming, each tab gets at most one socket message per interval (the updates of the interval merged), and a
    # room at most this many socket frames a second (past 10 tabs the interval grows, to 25 ms at 50 tabs): each
    # frame costs the server framing and dispatch, so a room of many tabs would otherwise starve the event loop. The
    # interval itself is what a small room's keystrokes wait at most when several people type, so it stays short
    # (docs/benchmarks.md, "Fan-out in a small room").
    fanout_interval: float = 0.005
    fanout_frames_per_s: float = 2000.0

    # -- what one peer may send (collab.Limits)
    # One reassembled Yjs message. A paste of a large file is a single update, so this is generous; the socket's
    # own ~1 MB frame cap is handled by chunking in the transport, not here.
    max_message_bytes: int = 8 * MB
    # The code of one interview, in UTF-8 bytes. Interview code is a few KB (the longest recorded trace ends at
    # 65 KB); 1 MB leaves room for pasted inputs while keeping a room's memory and a cold join small.
    max_document_bytes: int = 1 * MB
    # One awareness state (cursor, selection, name). Real states are a few hundred bytes.
    max_awareness_state_bytes: int = 8 * KB
    # Awareness client ids one connection may own (a tab has one Y.Doc, so one id; reloads get new ones).
    max_awareness_ids_per_peer: int = 4
    max_participants: int = 25        # people online or away in one interview at once
    max_connections: int = 50         # browser tabs connected to one room
    # Messages per second per tab, as a token bucket. Fast typing is ~2 messages per keystroke (update and cursor
    # awareness), a key held down repeats ~30 times a second; the burst allows a test driver or a paste.
    message_rate: float = 200.0
    message_burst: float = 1000.0

    # -- presence (presence.PresenceService)
    presence_write_interval: float = 0.25  # seconds between the coalesced writes of participants' state
    # A tab's heartbeat comes every second or so: silent this long, it died or lost the network without a goodbye.
    presence_offline_after: float = 3.5
    presence_away_offline_after: float = 90.0  # the same for a hidden tab, whose timers the browser throttles
    presence_sweep_interval: float = 0.5       # seconds between looks for silent participants

    # -- the Run button (runner.RunnerSettings and runner.RunLimits; docs/sandbox.md)
    # Sized for interview code: a solution runs in well under a second and prints a few screens, so these leave
    # generous room while a hostile program costs the server at most one core for a few seconds and bounded memory.
    run_enabled: bool = True          # PAIRPAD_RUN=0 turns the Run button off whatever the machine can do
    # Where bubblewrap cannot run, run anyway with rlimits and timeouts but no isolation.
    run_unsafe: bool = False
    # The unprivileged uid/gid the sandbox runs as when the server runs as root: the kernel never enforces the
    # process limit for root, and root outside a namespace is a bad owner for hostile code.
    run_uid: int = 65534
    run_gid: int = 65534
    run_max_concurrent: int = 4       # runs at once over all rooms (one per room in any case)
    run_bwrap: str = 'bwrap'          # the bubblewrap executable (a name looked up in PATH, or a path)
    # CPU seconds of each process (RLIMIT_CPU): SIGXCPU at this, SIGKILL one second later. The cure for `while True`.
    run_cpu_seconds: int = 10
    # Wall-clock seconds of the whole run, enforced by the server: ends sleeping or blocked programs.
    run_wall_seconds: float = 20.0
    # Private writable memory (RLIMIT_DATA); the address space gets this plus the runtime's own reservations.
    run_memory_bytes: int = 256 * MB
    # Processes and threads inside one run (counted per sandbox: each has its own user namespace). Node alone
    # starts ~10 threads.
    run_max_processes: int = 64
    run_output_bytes: int = 64 * KB   # stdout and stderr together that reach the console; beyond it the run is killed
    # Each private tmpfs (/tmp, the working directory, /dev/shm) and any one file: they live in the host's memory,
    # outside the memory limit.
    run_disk_bytes: int = 16 * MB
    run_open_files: int = 256         # RLIMIT_NOFILE
    run_niceness: int = 10            # added to a run's nice value, so the rooms' event loop wins the CPU
    # CPU and wall-clock seconds of compiling (javac, rustc, g++, go build, tsc), apart from the run's own limits:
    # a hello world compiles in 0.2-1.5 s here; 20 s leaves room for a loaded machine and stops compile bombs.
    run_compile_seconds: float = 20.0

    # -- Python completions from jedi (completion/): off answers every request with no suggestions
    completion_enabled: bool = True
    # What one request may wait for jedi before it answers "no suggestions" (typing never waits for it).
    completion_timeout: float = 1.0

    # -- the team workspace (accounts/, docs/auth.md)
    # Signs the session cookies. Empty: a secret generated on the first start and kept in the database, so every
    # instance of a cluster signs with the same one.
    secret: str = ''
    # Interviews ended this many days ago are erased with everything of theirs (checked at start and hourly);
    # 0 keeps them. 90 days covers a hiring decision and its appeal without keeping candidates' code for ever.
    retention_days: int = 90
    # Single sign-on behind an authenticating proxy (oauth2-proxy): the header that carries the signed-in email,
    # believed only from these proxy addresses (comma-separated IPs), for emails of these domains (comma-separated).
    trusted_email_header: str = ''
    trusted_proxies: str = ''
    sso_domains: str = ''

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> 'Settings':
        """Every field from its variable (README, configuration); unset or empty: the default."""
        env = os.environ if env is None else env
        values = {}
        for field in fields(cls):
            name, scale = _VARIABLES.get(field.name, (None, 1))
            raw = env.get(name, '').strip() if name else ''
            if raw:
                values[field.name] = _parse(name, raw, field.type, scale)
        return cls(**values)


# field → (environment variable, the unit it is given in)
_VARIABLES: dict[str, tuple[str, float]] = {
    'host': ('PAIRPAD_HOST', 1),
    'port': ('PAIRPAD_PORT', 1),
    'database_url': ('DATABASE_URL', 1),
    'instance_id': ('PAIRPAD_INSTANCE_ID', 1),
    'redis_url': ('PAIRPAD_REDIS_URL', 1),
    'commit_window': ('PAIRPAD_COMMIT_WINDOW_MS', 1 / 1000),
    'compact_every': ('PAIRPAD_COMPACT_EVERY', 1),
    'compact_after_idle': ('PAIRPAD_COMPACT_AFTER_IDLE', 1),
    'unload_after': ('PAIRPAD_UNLOAD_AFTER', 1),
    'reconnect_timeout': ('PAIRPAD_RECONNECT_TIMEOUT', 1),
    'websocket': ('PAIRPAD_WEBSOCKET', 1),
    'websocket_deflate': ('PAIRPAD_WEBSOCKET_DEFLATE', 1),
    'max_message_bytes': ('PAIRPAD_MAX_MESSAGE_BYTES', 1),
    'max_document_bytes': ('PAIRPAD_MAX_DOCUMENT_BYTES', 1),
    'max_participants': ('PAIRPAD_MAX_PARTICIPANTS', 1),
    'max_connections': ('PAIRPAD_MAX_CONNECTIONS', 1),
    'message_rate': ('PAIRPAD_MESSAGE_RATE', 1),
    'message_burst': ('PAIRPAD_MESSAGE_BURST', 1),
    'run_enabled': ('PAIRPAD_RUN', 1),
    'run_unsafe': ('PAIRPAD_UNSAFE_RUN', 1),
    'run_uid': ('PAIRPAD_RUN_UID', 1),
    'run_gid': ('PAIRPAD_RUN_GID', 1),
    'run_max_concurrent': ('PAIRPAD_RUN_MAX_CONCURRENT', 1),
    'run_bwrap': ('PAIRPAD_BWRAP', 1),
    'run_cpu_seconds': ('PAIRPAD_RUN_CPU_SECONDS', 1),
    'run_wall_seconds': ('PAIRPAD_RUN_WALL_SECONDS', 1),
    'run_memory_bytes': ('PAIRPAD_RUN_MEMORY_MB', MB),
    'run_max_processes': ('PAIRPAD_RUN_MAX_PROCESSES', 1),
    'run_output_bytes': ('PAIRPAD_RUN_OUTPUT_KB', KB),
    'run_disk_bytes': ('PAIRPAD_RUN_DISK_MB', MB),
    'run_open_files': ('PAIRPAD_RUN_OPEN_FILES', 1),
    'run_niceness': ('PAIRPAD_RUN_NICENESS', 1),
    'run_compile_seconds': ('PAIRPAD_RUN_COMPILE_SECONDS', 1),
    'completion_enabled': ('PAIRPAD_COMPLETION', 1),
    'completion_timeout': ('PAIRPAD_COMPLETION_TIMEOUT_MS', 1 / 1000),
    'secret': ('PAIRPAD_SECRET', 1),
    'retention_days': ('PAIRPAD_RETENTION_DAYS', 1),
    'trusted_email_header': ('PAIRPAD_TRUSTED_EMAIL_HEADER', 1),
    'trusted_proxies': ('PAIRPAD_TRUSTED_PROXIES', 1),
    'sso_domains': ('PAIRPAD_SSO_DOMAINS', 1),
}


def _parse(name: str, raw: str, kind: object, scale: float) -> object:
    if kind in (str, 'str'):
        return raw
    if kind in (bool, 'bool'):
        return raw.lower() in ('1', 'true', 'yes', 'on')
    try:
        number = float(raw) * scale
    except ValueError:
        raise ValueError(f'{name} must be a number, not {raw!r}') from None
    return int(number) if kind in (int, 'int') else number

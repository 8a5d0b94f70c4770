"""Go's build cache, prepared once per server and read-only in every sandbox.

Debian's Go ships the standard library precompiled, but a cold GOCACHE still costs each `go build` about 0.2 s
(measured: 0.67 s cold, 0.46 s warm for a new program). Sharing one writable cache between runs would let one
program's build poison the next one's, so: at start-up the server builds the Go template once in a sandbox whose
only writable host directory is a fresh cache directory; from then on that directory is bound read-only into Go
runs, whose compile step copies it into the run's private tmpfs (GOCACHE=/tmp/go-build) before building.
It happens in a background thread: a run before it is ready just builds with an empty cache.
"""

import atexit
import logging
import os
import shutil
import tempfile
import threading

from languages import LANGUAGES

from .languages import Runtime
from .limits import RunLimits

log = logging.getLogger(__name__)

CACHE_DIR = '/opt/pairpad-cache/go'   # where the prepared cache appears in the sandbox (read-only)
# Not the template itself: its own build would then be cached whole, and a run of the unchanged template (or a
# benchmark of it) would measure a cache hit rather than a compile. What is worth keeping is the rest.
PROGRAM = LANGUAGES['go'].template + '\n// the build cache of a server\n'
SETUP = f'if [ -d {CACHE_DIR} ]; then cp -R {CACHE_DIR} "$GOCACHE" 2>/dev/null || true; fi'


def prepare(sandbox, runtime: Runtime, limits: RunLimits) -> threading.Thread:
    """Start filling a cache for `runtime` (Go) in the background; when it is ready, `sandbox` binds it."""
    thread = threading.Thread(target=_prepare, args=(sandbox, runtime, limits), name='pairpad-gocache', daemon=True)
    thread.start()
    return thread


def _prepare(sandbox, runtime: Runtime, limits: RunLimits) -> None:
    host = tempfile.mkdtemp(prefix='pairpad-gocache-')
    atexit.register(shutil.rmtree, host, ignore_errors=True)
    try:
        os.chmod(host, 0o755)
        owner = sandbox.credentials.get('user')
        if owner is not None:  # the sandbox runs as nobody: it writes the cache, then the server takes it back
            os.chown(host, owner, sandbox.credentials['group'])
        env = {**runtime.env(limits), 'GOCACHE': '/opt/pairpad-cache/prepare'}
        build = ' '.join(runtime.compile_command(limits))
        ok, detail = sandbox.try_run(['/bin/sh', '-c', build], slack=runtime.compile_slack,
                                     limits=RunLimits(cpu_seconds=60, memory_bytes=runtime.compile_memory,
                                                      max_processes=runtime.language.compile.processes),
                                     files=((f'/sandbox/{runtime.file_name}', PROGRAM),),
                                     env=env, binds={host: '/opt/pairpad-cache/prepare'}, timeout=120)
        if not ok:
            log.warning('code runner: the Go build cache could not be prepared: %s', detail)
            return
        _own(host)
        sandbox.caches[runtime.id] = {host: CACHE_DIR}
        sandbox.setups[runtime.id] = SETUP
        log.info('code runner: Go build cache ready (%s)', host)
    except OSError:
        log.warning('code runner: the Go build cache could not be prepared', exc_info=True)


def _own(root: str) -> None:
    """The server's uid owns the prepared cache again, and nobody else may write it."""
    uid, gid = os.geteuid(), os.getegid()
    for path, dirs, files in os.walk(root):
        for name in [path, *(os.path.join(path, f) for f in dirs + files)]:
            os.lchown(name, uid, gid)
            if not os.path.islink(name):
                os.chmod(name, 0o755 if os.path.isdir(name) else 0o644)

"""Build caches prepared once per server and bound read-only into every run of their language.

Go: Debian's Go ships the standard library precompiled, but a cold GOCACHE still costs each `go build` about 0.2 s
(measured: 0.67 s cold, 0.46 s warm for a new program). Java: javac spends a third of its time loading and
verifying its own classes; a dynamic class-data-sharing archive of them (made by one javac run with
-XX:ArchiveClassesAtExit) takes about 0.4 s off every compile.

Sharing one writable cache between runs would let one program's build poison the next one's, so: at start-up the
server compiles once in a sandbox whose only writable host directory is a fresh cache directory; from then on that
directory is bound read-only at /opt/pairpad-cache/<language> into that language's runs. Go's compile step copies
it into the run's private tmpfs (GOCACHE=/tmp/go-build) first; the JVM maps its archive read-only. It happens in a
background thread: a run before it is ready compiles without it (javac ignores a missing archive silently).
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

ROOT = '/opt/pairpad-cache'      # where prepared caches appear in the sandbox (read-only)
PREPARE = f'{ROOT}/prepare'      # the one writable bind, only while preparing
# Go: not the template itself, whose build would then be cached whole, so that a run of the unchanged template (or
# a benchmark of it) would measure a cache hit rather than a compile. What is worth keeping is the rest.
GO_PROGRAM = LANGUAGES['go'].template + '\n// the build cache of a server\n'
SETUPS = {'go': f'if [ -d {ROOT}/go ]; then cp -R {ROOT}/go "$GOCACHE" 2>/dev/null || true; fi'}
PREPARED = ('go', 'java')


def cache_dir(language: str) -> str:
    return f'{ROOT}/{language}'


def prepare(sandbox, runtime: Runtime, limits: RunLimits) -> threading.Thread:
    """Start filling a cache for `runtime` in the background; when it is ready, `sandbox` binds it."""
    thread = threading.Thread(target=_prepare, args=(sandbox, runtime, limits), name=f'pairpad-cache-{runtime.id}',
                              daemon=True)
    thread.start()
    return thread


def _command(runtime: Runtime, limits: RunLimits) -> tuple[list[str], tuple, dict]:
    """(command, files, env) of the one compile that fills the cache."""
    env = runtime.env(limits)
    build = [arg for arg in runtime.compile_command(limits) if 'SharedArchiveFile' not in arg]
    if runtime.id == 'go':
        env['GOCACHE'] = PREPARE
        return build, ((f'/sandbox/{runtime.file_name}', GO_PROGRAM),), env
    build.insert(1, f'-J-XX:ArchiveClassesAtExit={PREPARE}/javac.jsa')
    return build, ((f'/sandbox/{runtime.file_name}', runtime.language.template),), env


_removed: set[str] = set()  # caches removed by the process's exit, perhaps under a preparation still going


def _remove(host: str) -> None:
    """At exit. A daemon thread still preparing `host` (a server stopped in its first seconds) then finds files
    gone under it: that is the exit, not a failure to report."""
    _removed.add(host)
    shutil.rmtree(host, ignore_errors=True)


def _prepare(sandbox, runtime: Runtime, limits: RunLimits) -> None:
    host = tempfile.mkdtemp(prefix=f'pairpad-cache-{runtime.id}-')
    atexit.register(_remove, host)
    try:
        os.chmod(host, 0o755)
        owner = sandbox.credentials.get('user')
        if owner is not None:  # the sandbox runs as nobody: it writes the cache, then the server takes it back
            os.chown(host, owner, sandbox.credentials['group'])
        command, files, env = _command(runtime, limits)
        ok, detail = sandbox.try_run(command, slack=runtime.compile_slack,
                                     limits=RunLimits(cpu_seconds=60, memory_bytes=runtime.compile_memory,
                                                      max_processes=runtime.language.compile.processes),
                                     files=files, env=env, binds={host: PREPARE}, timeout=120)
        if not ok:
            if host not in _removed:
                log.warning('code runner: the %s build cache could not be prepared: %s', runtime.label, detail)
            return
        _own(host)
        sandbox.caches[runtime.id] = {host: cache_dir(runtime.id)}
        if runtime.id in SETUPS:
            sandbox.setups[runtime.id] = SETUPS[runtime.id]
        log.info('code runner: %s build cache ready (%s)', runtime.label, host)
    except OSError:
        if host not in _removed:
            log.warning('code runner: the %s build cache could not be prepared', runtime.label, exc_info=True)


def _own(root: str) -> None:
    """The server's uid owns the prepared cache again, and nobody else may write it."""
    uid, gid = os.geteuid(), os.getegid()
    for path, dirs, files in os.walk(root):
        for name in [path, *(os.path.join(path, f) for f in dirs + files)]:
            os.lchown(name, uid, gid)
            if not os.path.islink(name):
                os.chmod(name, 0o755 if os.path.isdir(name) else 0o644)

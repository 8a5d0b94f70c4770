"""python -m tools.cluster --instances N --port P --state-dir DIR

Starts redis-server, a private PostgreSQL, N app instances and haproxy on 127.0.0.1:P; when every part answers,
prints one JSON line {"proxy": URL, "instances": [URL, ...], "redis": URL, "database": URL} and runs until SIGTERM
or SIGINT (Ctrl+C), then stops the parts one by one and exits 0. A part that dies or does not answer during start-up:
the others are stopped and the exit status is 1, with the tail of that part's log on stderr."""

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .cluster import Cluster
from .parts import PartFailed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m tools.cluster', description=__doc__.split('\n\n')[1])
    parser.add_argument('--instances', type=int, default=3, help='app instances (default 3)')
    parser.add_argument('--port', type=int, default=8080, help="the proxy's port (default 8080)")
    parser.add_argument('--state-dir', type=Path, default=Path('data/cluster'),
                        help='logs, pids.json, the PostgreSQL data directory (default data/cluster)')
    parser.add_argument('--no-fsync', action='store_true', help='PostgreSQL without fsync (tests, benchmarks)')
    args = parser.parse_args(argv)

    stopping = threading.Event()

    def on_signal(*_) -> None:
        if not started:
            raise KeyboardInterrupt  # during start-up: Cluster.start stops what it started
        stopping.set()

    started = False
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)

    cluster = Cluster(args.state_dir, instances=args.instances, port=args.port, durable=not args.no_fsync)
    try:
        urls = cluster.start()
    except PartFailed as error:
        print(f'cluster: {error}', file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print('cluster: interrupted during start-up; stopped what had started', file=sys.stderr, flush=True)
        return 0
    started = True
    print(json.dumps(urls), flush=True)
    print(f'cluster: up; logs and pids.json in {cluster.state_dir}; Ctrl+C stops it', file=sys.stderr, flush=True)
    while not stopping.wait(1.0):  # a part that dies now is the tests' business (and the proxy's), not ours
        pass
    print('cluster: stopping', file=sys.stderr, flush=True)
    cluster.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""The local multi-instance rig (`make cluster`, `python -m tools.cluster`): redis-server, a private PostgreSQL,
N app instances and haproxy in front, all on 127.0.0.1, from Debian's packages; no containers. See cluster.py for
the Python API the tests use, haproxy.cfg for the proxy, docs/deploy.md for a real deployment."""

from .cluster import Cluster
from .parts import Instance, PartFailed, Postgres, Proxy, Redis

__all__ = ['Cluster', 'Instance', 'PartFailed', 'Postgres', 'Proxy', 'Redis']

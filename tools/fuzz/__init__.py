"""A deterministic, seedable schedule simulator for the live engine, without browsers.

One schedule runs the real `collab.Room` with K in-process pycrdt peers (`collab.client.ProtocolClient`) over a
simulated network that delays, interleaves, duplicates and (by dropping connections) loses messages, restarts the
server from a real persistence, and then checks the invariants of docs/fuzzing.md. Everything random comes from
one `random.Random(seed)`, so a failing seed replays exactly: `python -m tools.fuzz --seed S --schedules 1`.
"""

from .invariants import InvariantViolation
from .runner import Failure, Options, Report, peers_for, replay_command, run_many
from .schedule import run_schedule

__all__ = ['Failure', 'InvariantViolation', 'Options', 'Report', 'peers_for', 'replay_command', 'run_many',
           'run_schedule']

"""Benchmarks against peers: keystroke and cursor latency, fan-out, trace replay, memory. `python -m tools.bench`."""

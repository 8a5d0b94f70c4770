"""Soak mode (`make soak`, not in CI): many protocol-level peers typing for a long time against a real server."""

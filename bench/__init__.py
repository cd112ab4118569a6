"""Benchmarks: scripts run as `.venv/bin/python bench/<name>.py` (see bench/README.md), not tests."""

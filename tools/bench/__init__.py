"""Benchmarks (`python -m tools.bench`): program evaluation under mocks and the real engine; writes docs/benchmarks.md."""

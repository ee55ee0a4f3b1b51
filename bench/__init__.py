"""Benchmarks (``make bench``): availability and a booking race on SQLite and PostgreSQL.

Not tests: they measure, and write ``docs/performance.md``. See ``bench/run.py``.
"""

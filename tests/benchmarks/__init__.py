"""Digit Lab's speed benchmarks: ``python -m tests.benchmarks.run`` (never collected by pytest).

Each ``bench_*.py`` module has ``run() -> list[dict]``; :mod:`tests.benchmarks.run`
runs them all and reports each row against its budget.
"""

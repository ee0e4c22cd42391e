"""Keeping a desk in step with the shared database: a snapshot, then the change feed.

No Qt here: the same stack runs inside the Qt desk (through a thin adapter in the UI) and in the
headless desk that tests and benchmarks start in separate processes.
"""

"""Benchmarks for tactful: publish throughput, hold fan-out and worker memory.

Run ``python -m bench [throughput|fanout|memory|all] [--quick]``; the figures and
how to read them are in ``docs/benchmarks.md``.
"""

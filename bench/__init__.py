"""Benchmarks for tactful: publish throughput, hold fan-out and worker memory.

Run ``python -m bench [throughput|fanout|memory|all] [--quick]``, and the web pages
under load with ``python -m bench.web_load [--quick]``; the figures and how to read
them are in ``docs/benchmarks.md``.
"""

"""Everything in tactful that runs: configuration, database, services, jobs, channels.

Decisions come from ``rules``; this package applies them and does the I/O.
"""

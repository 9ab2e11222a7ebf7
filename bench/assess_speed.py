"""How long ``rules.assess`` takes per entry, region resolution included.

Reads every fixture feed (as ``bench.accuracy`` does), assesses each entry once to
warm the caches (the gazetteer loads on first use), then times each entry separately
over several rounds and prints the median, 90th and 99th percentile and the maximum
in microseconds, overall and per feed kind.

Run ``python -m bench.assess_speed [--rounds N]``. Target: median <= 200 µs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime

from bench.accuracy import FEEDS, capture_time, read_feed
from rules.assess import assess
from rules.reports import Entry

TARGET_MEDIAN_US = 200.0


def load() -> list[tuple[Entry, datetime]]:
    items: list[tuple[Entry, datetime]] = []
    for path in sorted(FEEDS.iterdir()):
        entries = read_feed(path)
        now = capture_time(entries)
        items.extend((entry, now) for entry in entries)
    return items


def measure(items: Sequence[tuple[Entry, datetime]], rounds: int) -> list[list[float]]:
    """Per entry, the time of each round in microseconds."""
    for entry, now in items:  # warm: gazetteer, regex and lookup caches
        assess(entry, now)
    timings: list[list[float]] = [[] for _ in items]
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for index, (entry, now) in enumerate(items):
            start = clock()
            assess(entry, now)
            timings[index].append((clock() - start) / 1000)
    return timings


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    items = load()
    timings = measure(items, args.rounds)
    per_entry = [statistics.median(t) for t in timings]
    groups: dict[str, list[float]] = {"ALL": per_entry}
    for (entry, _), value in zip(items, per_entry, strict=True):
        groups.setdefault(entry.feed_kind, []).append(value)
    print(f"{'kind':<6} {'entries':>7} {'median µs':>10} {'p90 µs':>8} {'p99 µs':>8} {'max µs':>8}")
    for name, values in groups.items():
        print(
            f"{name:<6} {len(values):>7} {statistics.median(values):>10.1f} "
            f"{percentile(values, 0.9):>8.1f} {percentile(values, 0.99):>8.1f} {max(values):>8.1f}"
        )
    median = statistics.median(per_entry)
    print(f"\nmedian {median:.1f} µs per entry over {len(items)} entries, {args.rounds} rounds")
    return 0 if median <= TARGET_MEDIAN_US else 1


if __name__ == "__main__":
    sys.exit(main())

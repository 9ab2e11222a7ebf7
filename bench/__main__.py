"""``python -m bench [throughput|fanout|memory|all] [--quick] [--json FILE]``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common

BENCHMARKS = ("throughput", "fanout", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="?", default="all", choices=(*BENCHMARKS, "all"))
    parser.add_argument("--quick", action="store_true", help="fewer posts (a smoke run)")
    parser.add_argument("--posts", type=int, help="throughput: posts per run")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The baseline's APScheduler logs every job at INFO; keep its warnings only.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    chosen = BENCHMARKS if args.which == "all" else (args.which,)
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[str, Any] = {
        "date": stamp,
        "machine": common.machine(),
        "quick": args.quick,
    }
    reports = []
    for name in chosen:
        if name == "throughput":
            from bench import throughput

            result = throughput.run(args.quick, args.posts)
            reports.append(throughput.report(result))
        elif name == "fanout":
            from bench import fanout

            result = fanout.run(args.quick)
            reports.append(fanout.report(result))
        else:
            from bench import memory

            result = memory.run(args.quick)
            reports.append(memory.report(result))
        results[name] = result
    elapsed = time.perf_counter() - started
    results["elapsed_seconds"] = elapsed
    print(f"## tactful benchmarks — {stamp}{' (--quick)' if args.quick else ''}")
    print(
        f"Machine: {results['machine']}. Whole run: {elapsed:.0f} s. "
        f"Load average (1/5/15 min) at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}"
        " (figures per run are in the tables).\n"
    )
    print("\n\n".join(reports))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

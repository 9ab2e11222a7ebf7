"""``python -m bench [NAME ...|all] [--quick] [--posts N] [--json FILE]``.

NAME is one of throughput, fanout, memory, monitor_speed, time_to_hold; several may
be given; none or ``all`` runs every one. Each benchmark's tables are printed (on
stdout, Markdown) as soon as it finishes, and the raw figures are rewritten to the
``--json`` file after each one, so a failing benchmark loses nothing already
measured; the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common

BENCHMARKS = ("throughput", "fanout", "memory", "monitor_speed", "time_to_hold")


def _load_average() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("which", nargs="*", default=["all"], metavar="NAME")
    parser.add_argument("--quick", action="store_true", help="fewer posts (a smoke run)")
    parser.add_argument("--posts", type=int, help="throughput: posts per run")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    unknown = [name for name in args.which if name not in (*BENCHMARKS, "all")]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r} (choose from {', '.join(BENCHMARKS)})")
    chosen = BENCHMARKS if "all" in args.which else tuple(dict.fromkeys(args.which))

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The baseline's APScheduler logs every job at INFO; keep its warnings only.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[str, Any] = {
        "date": stamp,
        "machine": common.machine(),
        "quick": args.quick,
        "failed": [],
    }
    print(f"## tactful benchmarks — {stamp}{' (--quick)' if args.quick else ''}")
    print(f"Machine: {results['machine']}. Load average (1/5/15 min): {_load_average()}.\n")
    sys.stdout.flush()
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        try:
            if name == "throughput":
                result = module.run(args.quick, args.posts)
            else:
                result = module.run(args.quick)
        except Exception:
            common.log(f"{name} failed:\n{traceback.format_exc()}")
            results["failed"].append(name)
            print(f"### {name}: FAILED (see stderr)\n", flush=True)
            continue
        results[name] = result
        print(module.report(result) + "\n", flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    elapsed = time.perf_counter() - started
    results["elapsed_seconds"] = elapsed
    print(f"Whole run: {elapsed:.0f} s. Load average at the end: {_load_average()}.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

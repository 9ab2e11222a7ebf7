"""How well ``rules.assess`` decides, measured on the real fixture feeds.

Reads every captured feed of the development corpus (found by ``tests/locate.py``)
into ``Entry`` values with ``scheduler.feeds.parse``, assesses the feed's entries
together (a follow-up joins its event) at the feed's capture time (its newest
entry), and compares with the hand labels in
``tests/data/ground_truth.jsonl``:

- precision and recall of "should hold" (predicted: a tragedy of severity >= 2),
- the share of labelled tragedies whose country is right, and whose first-level
  subdivision is right where the label names one,
- a per-feed breakdown and the list of mistakes.

Run ``python -m bench.accuracy`` (``--quiet`` prints only the totals). This is a
regression set, not the measure of the assessment (that is ``bench.headlines`` on the
test days): the floors below guard against a change that loses what the shipped
model gets right on these eight tragedies and 817 other entries.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rules.assess import assess
from rules.regions import lineage
from rules.reports import Assessment, Entry
from rules.session import read_together
from scheduler.feeds.parse import parse
from tests import locate

REPO = locate.REPO
FEEDS = locate.FIXTURE_FEEDS
LABELS = locate.DATA / "ground_truth.jsonl"
HOLD_SEVERITY = 2  # the default policy holds promotions inside the area from 2 up

TARGETS = {"precision": 0.85, "recall": 0.85, "country": 0.95, "subdivision": 0.85}


def feed_kind(name: str) -> str:
    """The feed kind a fixture file holds, from its name."""
    for kind, marker in (
        ("cap", "nws_cap"),
        ("cap", "cap."),
        ("gdacs", "gdacs"),
        ("usgs", "usgs"),
        ("emsc", "emsc"),
    ):
        if marker in name:
            return kind
    return "news"


# ------------------------------------------------------------------ reading feeds
def read_feed(path: Path) -> list[Entry]:
    """Entries of one fixture feed, read by the project's own feed parser."""
    return parse(path.read_bytes(), feed_kind(path.name), path.as_uri()).entries


def capture_time(entries: Iterable[Entry]) -> datetime:
    """The moment the feed was captured: its newest entry."""
    stamps = [e.published for e in entries if e.published is not None]
    return max(stamps) if stamps else datetime(2020, 1, 1, tzinfo=UTC)


# ------------------------------------------------------------------ evaluation
@dataclass
class Row:
    feed: str
    entry: Entry
    label: Mapping[str, Any]
    result: Assessment

    @property
    def predicted_hold(self) -> bool:
        return self.result.tragedy and self.result.severity >= HOLD_SEVERITY

    @property
    def country_label(self) -> str | None:
        regions = self.label.get("regions") or []
        return regions[-1] if regions else None

    @property
    def subdivision_label(self) -> str | None:
        regions = self.label.get("regions") or []
        return regions[0] if regions and self.label.get("names_subdivision") else None

    def covers(self, code: str) -> bool:
        """True when a predicted region is ``code`` or lies inside it."""
        for predicted in self.result.regions:
            try:
                if code in lineage(predicted):
                    return True
            except KeyError:
                continue
        return False


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    country_total: int = 0
    country_right: int = 0
    sub_total: int = 0
    sub_right: int = 0

    def add(self, row: Row) -> None:
        truth, guess = bool(row.label["should_hold"]), row.predicted_hold
        if truth and guess:
            self.tp += 1
        elif guess:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1
        country = row.country_label
        if country is not None:
            self.country_total += 1
            self.country_right += row.covers(country)
        sub = row.subdivision_label
        if sub is not None:
            self.sub_total += 1
            self.sub_right += row.covers(sub)

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def country(self) -> float:
        return self._ratio(self.country_right, self.country_total)

    @property
    def subdivision(self) -> float:
        return self._ratio(self.sub_right, self.sub_total)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)
    per_feed: dict[str, Tally] = field(default_factory=dict)
    unlabelled: list[str] = field(default_factory=list)

    def mistakes(self) -> list[str]:
        out = []
        for row in self.rows:
            truth = bool(row.label["should_hold"])
            problems = []
            if truth != row.predicted_hold:
                problems.append("FALSE HOLD" if row.predicted_hold else "MISSED HOLD")
            country, sub = row.country_label, row.subdivision_label
            if country and not row.covers(country):
                problems.append(f"country {country} not in {list(row.result.regions)}")
            elif sub and not row.covers(sub):
                problems.append(f"subdivision {sub} not in {list(row.result.regions)}")
            if problems:
                r = row.result
                out.append(
                    f"[{row.feed}] {row.entry.title[:90]!r}: {'; '.join(problems)} "
                    f"(assessed tragedy={r.tragedy} kind={r.kind} severity={r.severity}; "
                    f"evidence: {' | '.join(r.evidence)[:240]})"
                )
        return out

    def meets_targets(self) -> dict[str, bool]:
        return {name: getattr(self.total, name) >= goal for name, goal in TARGETS.items()}


def load_labels(path: Path = LABELS) -> dict[tuple[str, str], dict[str, Any]]:
    labels = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                labels[(row["feed"], row["id"])] = row
    return labels


def evaluate(feeds: Sequence[Path] | None = None, labels_path: Path = LABELS) -> Report:
    labels = load_labels(labels_path)
    report = Report()
    for path in feeds or sorted(FEEDS.iterdir()):
        entries = read_feed(path)
        now = capture_time(entries)
        tally = report.per_feed.setdefault(path.name, Tally())
        for judged in read_together(entries, assess, as_of=now):
            entry = judged.entry
            label = labels.get((path.name, entry.guid))
            if label is None:
                report.unlabelled.append(f"{path.name}: {entry.guid}")
                continue
            row = Row(path.name, entry, label, judged.assessment)
            report.rows.append(row)
            tally.add(row)
            report.total.add(row)
    return report


def _line(name: str, t: Tally) -> str:
    return (
        f"{name:<40} {t.tp + t.fp + t.fn + t.tn:>5} {t.tp:>4} {t.fp:>4} {t.fn:>4} "
        f"{t.precision:>6.3f} {t.recall:>6.3f} "
        f"{t.country_right:>3}/{t.country_total:<3} {t.sub_right:>3}/{t.sub_total:<3}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args(argv)
    report = evaluate()
    t = report.total
    print(
        f"{'feed':<40} {'n':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6} country sub"
    )
    if not args.quiet:
        for name, tally in report.per_feed.items():
            print(_line(name, tally))
    print(_line("ALL", t))
    print(
        f"\nhold precision {t.precision:.3f} (target {TARGETS['precision']}), "
        f"recall {t.recall:.3f} (target {TARGETS['recall']})\n"
        f"country right {t.country:.1%} of {t.country_total} "
        f"(target {TARGETS['country']:.0%}), subdivision right {t.subdivision:.1%} of "
        f"{t.sub_total} (target {TARGETS['subdivision']:.0%})"
    )
    if report.unlabelled:
        print(
            f"\n{len(report.unlabelled)} entries have no label:",
            *report.unlabelled[:20],
            sep="\n  ",
        )
    mistakes = report.mistakes()
    if mistakes and not args.quiet:
        print(f"\n{len(mistakes)} mistakes:")
        for line in mistakes:
            print("  " + line)
    return 0 if all(report.meets_targets().values()) else 1


if __name__ == "__main__":
    sys.exit(main())

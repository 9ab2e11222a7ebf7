"""How well tactful recognises tragedies in the labelled headline set, and where it
places them, against the day split of ``training/split.py``.

Each day's feed is read by the project's own parser, after the feeds of the week
before it, and judged the way ``tactful assess DIR --one-feed --replay`` judges
captures of one feed: every entry at its own publication time, the entries read
together as the monitor polling the feed day after day would read them, so that a
follow-up joins its event while the event is still open.
Three readers are measured in the same run on the same entries:

- ``tactful``: the assessment as shipped (learned model, feed read together);
- ``tactful, entries alone``: the same model with every entry read on its own, to
  show what reading a feed together adds;
- ``rule base``: the hand-written news rules it replaced (``bench.baselines``);
- ``keywords``: a plain list of thirty alarming words, any of which holds.

Figures, each with a 95 % Wilson interval: precision and recall of "should hold"
(label >= 2, predicted severity >= 2), and over entries labelled 1-3, the share
whose country is right (the predicted event region lies in a labelled country) and,
where the label names one, whose admin1 is right. ``--split dev`` (the default)
reports the development days; ``--split test`` the test days, which are for the
record only: they are not read while developing.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.baselines.rule_base import assess_news as rule_base_assess
from rules.kinds.base import country_of
from rules.kinds.news import assess as model_assess
from rules.news import model as news_model
from rules.news.where import event_regions
from rules.regions import lineage
from rules.reports import Assessment, Entry
from rules.session import one_timeline, read_together
from scheduler.feeds.parse import parse
from training.corpus import HEADLINE_DIR, corpus_dir, day_files
from training.labels import Labelled, labelled_set

HOLD = 2
Z95 = 1.959964
KEYWORDS = re.compile(
    r"\b(killed|kills|dead|deaths?|died|shooting|shot|gunman|bomb\w*|explosion|blast|"
    r"attack\w*|earthquake|quake|flood\w*|hurricane|typhoon|tornado|wildfire|fire|crash\w*|"
    r"collapse\w*|massacre|terror\w*|stabb\w*|injured|wounded|victims|missile|strike)\b",
    re.IGNORECASE,
)


def keyword_assess(entry: Entry, now: datetime) -> Assessment:
    """The keyword baseline: any alarming word holds, placed by the same resolver."""
    regions, _, _ = event_regions(entry.title, entry.summary)
    hit = KEYWORDS.search(f"{entry.title} {entry.summary}")
    if hit is None:
        return Assessment(False, None, 0, 0.0, regions, ())
    return Assessment(True, "incident", 2, 0.5, regions, (f"'{hit.group()}'",))


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of k successes in n trials."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denominator = 1 + Z95 * Z95 / n
    centre = (p + Z95 * Z95 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Share:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0

    def text(self) -> str:
        low, high = wilson(self.right, self.total)
        return f"{self.value:.3f} [{low:.2f}-{high:.2f}] ({self.right}/{self.total})"


@dataclass
class Score:
    precision: Share = field(default_factory=Share)
    recall: Share = field(default_factory=Share)
    country: Share = field(default_factory=Share)
    admin1: Share = field(default_factory=Share)
    # Country misses whose regions (an area's members, an event's several places) still
    # include every labelled country: the hold covers the place, its first region is
    # another country of it.
    covered: int = 0
    misses: list[str] = field(default_factory=list)
    false_holds: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in ("precision", "recall", "country", "admin1"):
            share: Share = getattr(self, name)
            low, high = wilson(share.right, share.total)
            out[name] = {
                "value": round(share.value, 4),
                "ci95": [round(low, 4), round(high, 4)],
                "n": share.total,
            }
        return out


def _admin1(code: str) -> str | None:
    try:
        chain = lineage(code)
    except KeyError:
        return None
    return chain[-3] if len(chain) >= 3 else None


def score_one(score: Score, item: Labelled, result: Assessment) -> None:
    held = result.tragedy and result.severity >= HOLD
    truth = item.label >= HOLD
    title = item.headline.title
    if held:
        score.precision.add(truth)
        if not truth:
            score.false_holds.append(f"{item.headline.file}#{item.headline.index} {title}")
    if truth:
        score.recall.add(held)
        if not held:
            score.misses.append(f"{item.headline.file}#{item.headline.index} {title}")
    if item.label >= 1 and item.countries:
        first = result.regions[0] if result.regions else ""
        country_ok = country_of(first) in item.countries if first else False
        score.country.add(country_ok)
        held_in = {country_of(code) for code in result.regions}
        if not country_ok and len(held_in) > 1 and set(item.countries) <= held_in:
            score.covered += 1
        admin1_ok = _admin1(first) in item.admin1 if first else False
        if item.admin1:
            score.admin1.add(admin1_ok)
        if not country_ok or (item.admin1 and not admin1_ok):
            said = ",".join(result.regions) or "nowhere"
            truth_at = ",".join(item.admin1 or item.countries)
            score.misplaced.append(
                f"{item.headline.file}#{item.headline.index} {said} (label {truth_at}) {title}"
            )


# The corpus is a US top-stories feed with no language tag: its publisher's country is
# configured, as a user configures a feed's (``tactful assess --home-country US``).
HOME_COUNTRY = "US"

Reader = Callable[[Entry, datetime], Assessment]
READERS: dict[str, Reader] = {
    "tactful": model_assess,
    "tactful, entries alone": model_assess,
    "rule base": rule_base_assess,
    "keywords": keyword_assess,
}


# How many days' feeds before a labelled day are read with it: the monitor keeps an
# incident open while its reports go on (each report extends its quiet time, after
# which it ends: ``rules.session.WINDOW``), so a follow-up of an event told day after
# day joins it. A week covers the labelling guideline's follow-ups.
DAYS_BEFORE = 7


def with_days_before(
    entries_of: Callable[[str], list[Entry]], files: list[str], name: str, days: int
) -> list[Entry]:
    """The day's entries after those of the ``days`` feeds before it, each entry once
    (a daily capture repeats some of the day before's, by guid): one timeline, as the
    monitor sees a feed polled day after day."""
    at = files.index(name)
    captures = ((day, entries_of(day)) for day in files[max(0, at - days) : at + 1])
    return [entry for _, entry in one_timeline(captures)]


def evaluate(
    split: str, home_country: str | None = HOME_COUNTRY, days_before: int = DAYS_BEFORE
) -> dict[str, Score]:
    root = corpus_dir()
    if root is None:
        raise FileNotFoundError("the development corpus (../shared/corpus) is not here")
    items = [i for i in labelled_set() if i.split == split]
    by_file: dict[str, list[Labelled]] = {}
    for item in items:
        by_file.setdefault(item.headline.file, []).append(item)
    files = [p.name for p in day_files(root)]
    parsed: dict[str, list[Entry]] = {}

    def entries_of(name: str) -> list[Entry]:
        if name not in parsed:
            body = (root / HEADLINE_DIR / name).read_bytes()
            parsed[name] = parse(body, "news", home_country=home_country).entries
        return parsed[name]

    scores = {name: Score() for name in READERS}
    for name, items_of_day in sorted(by_file.items()):
        entries = entries_of(name)
        by_guid = {e.guid: e for e in entries}
        timeline = with_days_before(entries_of, files, name, days_before)
        for reader_name, reader in READERS.items():
            together = reader_name == "tactful"
            replayed = read_together(timeline if together else entries, reader, together=together)
            verdicts = {j.entry.guid: j for j in replayed}
            for item in items_of_day:
                entry = by_guid.get(item.headline.id)
                if entry is None:
                    raise ValueError(f"{name}: {item.headline.id} not parsed")
                score_one(scores[reader_name], item, verdicts[entry.guid].assessment)
    return scores


def _record(scores: dict[str, Score]) -> None:
    """The test-day figures, beside the baselines, into the shipped model file."""
    from training.train import OUT, write

    body = news_model.decode(OUT.read_bytes())
    body["test_figures"] = {name: score.as_json() for name, score in scores.items()}
    write(OUT, body)
    print(f"recorded in {OUT.name} ({body['version']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.headlines", description=__doc__)
    parser.add_argument("--split", choices=("dev", "test", "train"), default="dev")
    parser.add_argument(
        "--mistakes", action="store_true", help="list misses, false holds and misplaced entries"
    )
    parser.add_argument(
        "--days-before",
        type=int,
        default=DAYS_BEFORE,
        help="read this many days' feeds before each labelled day with it (default: %(default)s)",
    )
    parser.add_argument(
        "--model", type=Path, help="a model file to measure instead of the packaged one"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="with --split test: write the figures into the packaged model file",
    )
    args = parser.parse_args(argv)
    if args.model is not None:
        news_model.use(news_model.from_json(news_model.decode(args.model.read_bytes())))
    scores = evaluate(args.split, days_before=args.days_before)
    print(f"| {args.split} days | hold precision | hold recall | country | admin1 |")
    print("|---|---|---|---|---|")
    for name, s in scores.items():
        cells = " | ".join(
            getattr(s, m).text() for m in ("precision", "recall", "country", "admin1")
        )
        print(f"| {name} | {cells} |")
    covered = scores["tactful"].covered
    print(f"\ntactful's country misses whose regions include every labelled country: {covered}")
    if args.record:
        if args.split != "test" or args.model is not None:
            parser.error("--record takes the test days and the packaged model")
        _record(scores)
    if args.mistakes:
        s = scores["tactful"]
        print(f"\nmissed ({len(s.misses)}):", *s.misses, sep="\n  ")
        print(f"\nfalse holds ({len(s.false_holds)}):", *s.false_holds, sep="\n  ")
        print(f"\nmisplaced ({len(s.misplaced)}):", *s.misplaced, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())

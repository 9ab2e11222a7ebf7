"""The labelled set's split by day, and which entries of a training day are labelled.

Days are numbered in date order over the 161 daily feeds. Test days are every 18th
day from the tenth (labelled whole, never read while developing); development days
are every 54th from the first (labelled whole); training days are the remaining
odd-numbered days, sampled: up to ``ALARM_SHARE`` of a day's sample is drawn from
entries whose wording looks alarming, the rest at random, so that the rare positives
are well represented in training. The keyword list below only chooses what people
read; it decides no label.

``python -m training.split`` prints the selection (file, index, id) as TSV.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator

from training.corpus import Headline, corpus_dir, day_files, read_day

TEST_EVERY, TEST_OFFSET = 18, 9
DEV_EVERY, DEV_OFFSET = 54, 0
TRAIN_PER_DAY = 17
ALARM_SHARE = 0.5
SEED = 20251231

# Broad on purpose: it only raises the chance that a likely positive is read.
_ALARM = re.compile(
    r"\b(kill|dead|death|die[sd]?|dying|shoot|shot|gunm|stab|bomb|blast|explo|attack|"
    r"strike|missile|drone|war|quake|earthquake|flood|storm|hurricane|typhoon|cyclone|"
    r"tornado|wildfire|fire|blaze|landslide|volcan|crash|collaps|derail|victim|vigil|"
    r"wounded|injur|hospital|toll|massacre|terror|hostage|evacuat|missing|rescue|"
    r"tragedy|mourn|funeral|suspect|murder)",
    re.IGNORECASE,
)


def split_of(day_number: int) -> str:
    """'test', 'dev', 'train' or '' (not labelled) for the day at this position."""
    if day_number % TEST_EVERY == TEST_OFFSET:
        return "test"
    if day_number % DEV_EVERY == DEV_OFFSET:
        return "dev"
    if day_number % 2 == 1:
        return "train"
    return ""


def _sample(items: list[Headline], rng: random.Random) -> list[Headline]:
    alarming = [h for h in items if _ALARM.search(h.title)]
    calm = [h for h in items if not _ALARM.search(h.title)]
    take = min(len(alarming), round(TRAIN_PER_DAY * ALARM_SHARE))
    chosen = rng.sample(alarming, take)
    chosen += rng.sample(calm, min(len(calm), TRAIN_PER_DAY - take))
    return sorted(chosen, key=lambda h: h.index)


def selection() -> Iterator[tuple[str, Headline]]:
    """(split, headline) for every entry of the labelled set, in day and feed order."""
    root = corpus_dir()
    if root is None:
        raise FileNotFoundError("the development corpus (../shared/corpus) is not here")
    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    for number, path in enumerate(day_files(root)):
        split = split_of(number)
        if not split:
            continue
        items = read_day(path)
        chosen = _sample(items, rng) if split == "train" else items
        for headline in chosen:
            yield split, headline


def main() -> int:
    for split, h in selection():
        sys.stdout.write(f"{split}\t{h.file}\t{h.index}\t{h.id}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

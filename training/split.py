"""The labelled set's split by day, and which entries of a training day are labelled.

Days are numbered in date order over the 161 daily feeds. Test days are every 18th
day from the tenth (labelled whole, never read while developing); development days
are every 54th from the first and every 27th from the fourteenth (labelled whole; the
second set was added later, and was sampled as training days before: its days still
draw their sample, which is then set aside, so that every other training day's sample
stays as it was); training days are the remaining days, sampled in six rounds:
first the odd-numbered days (``TRAIN_PER_DAY`` entries each), then the even-numbered
ones (``TRAIN_PER_DAY_2``, with a larger alarming share), then every training day
again, four times (``TRAIN_PER_DAY_3`` to ``TRAIN_PER_DAY_6`` of the entries the
earlier rounds left), each round with its own seed so that adding one left the
others as they were. Up to the round's alarming share of a day's sample is drawn
from entries whose wording looks alarming, the rest at random, so that the rare
positives are well represented in training. The keyword list below only chooses
what people read; it decides no label.

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
DEV2_EVERY, DEV2_OFFSET = 27, 13
TRAIN_PER_DAY, ALARM_SHARE, SEED = 17, 0.5, 20251231
TRAIN_PER_DAY_2, ALARM_SHARE_2, SEED_2 = 26, 0.7, 20260101
# Later rounds over every training day, from the entries the earlier rounds left.
TRAIN_PER_DAY_3, ALARM_SHARE_3, SEED_3 = 10, 0.7, 3
TRAIN_PER_DAY_4, ALARM_SHARE_4, SEED_4 = 14, 0.7, 4
TRAIN_PER_DAY_5, ALARM_SHARE_5, SEED_5 = 14, 0.7, 5
TRAIN_PER_DAY_6, ALARM_SHARE_6, SEED_6 = 20, 0.7, 6

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
    if day_number % DEV_EVERY == DEV_OFFSET or day_number % DEV2_EVERY == DEV2_OFFSET:
        return "dev"
    return "train"


def _sampled_first(day_number: int) -> bool:
    """Whether the day was a sampled training day before the second development set."""
    return day_number % TEST_EVERY != TEST_OFFSET and day_number % DEV_EVERY != DEV_OFFSET


def _sample(items: list[Headline], rng: random.Random, size: int, share: float) -> list[Headline]:
    alarming = [h for h in items if _ALARM.search(h.title)]
    calm = [h for h in items if not _ALARM.search(h.title)]
    take = min(len(alarming), round(size * share))
    chosen = rng.sample(alarming, take)
    chosen += rng.sample(calm, min(len(calm), size - take))
    return sorted(chosen, key=lambda h: h.index)


def selection() -> Iterator[tuple[str, Headline]]:
    """(split, headline) for every entry of the labelled set, in day and feed order."""
    root = corpus_dir()
    if root is None:
        raise FileNotFoundError("the development corpus (../shared/corpus) is not here")
    days = day_files(root)
    # A reproducible draw, not a secret: the standard generator is right here.
    rounds = (
        (1, random.Random(SEED), TRAIN_PER_DAY, ALARM_SHARE),  # noqa: S311
        (0, random.Random(SEED_2), TRAIN_PER_DAY_2, ALARM_SHARE_2),  # noqa: S311
    )
    drawn: dict[int, set[int]] = {}
    for parity, rng, size, share in rounds:
        for number, path in enumerate(days):
            split = split_of(number)
            if _sampled_first(number) and number % 2 == parity:
                items = read_day(path)
                chosen = _sample(items, rng, size, share)  # the draw is made either way
                drawn.setdefault(number, set()).update(h.index for h in chosen)
                if split != "train":
                    chosen = items
            elif split != "train" and not _sampled_first(number) and parity == 1:
                items = read_day(path)
                chosen = items  # whole days are listed once, in the first round
            else:
                continue
            for headline in chosen:
                yield split, headline
    later = (
        (random.Random(SEED_3), TRAIN_PER_DAY_3, ALARM_SHARE_3),  # noqa: S311
        (random.Random(SEED_4), TRAIN_PER_DAY_4, ALARM_SHARE_4),  # noqa: S311
        (random.Random(SEED_5), TRAIN_PER_DAY_5, ALARM_SHARE_5),  # noqa: S311
        (random.Random(SEED_6), TRAIN_PER_DAY_6, ALARM_SHARE_6),  # noqa: S311
    )
    train_days: dict[int, list[Headline]] = {}  # each day read once for every round
    for rng, size, share in later:
        for number, path in enumerate(days):
            if split_of(number) == "train":
                if number not in train_days:
                    train_days[number] = read_day(path)
                taken = drawn.setdefault(number, set())
                left = [h for h in train_days[number] if h.index not in taken]
                chosen = _sample(left, rng, size, share)
                taken.update(h.index for h in chosen)
                for headline in chosen:
                    yield "train", headline


def main() -> int:
    for split, h in selection():
        sys.stdout.write(f"{split}\t{h.file}\t{h.index}\t{h.id}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

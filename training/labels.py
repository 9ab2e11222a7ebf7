"""The labelled headline set: labels kept in ``training/labels/headlines_2025.tsv``
(ids and labels only), texts read from the corpus beside the repository.

Columns follow the labelling guideline: ``file index id label kind countries admin1
city note``. ``label`` is 0-3; ``countries`` and ``admin1`` are comma-separated ISO
codes, filled for labels 1-3.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from training.corpus import REPO, Headline, corpus_dir, day_files, read_day
from training.split import split_of

LABELS = REPO / "training" / "labels" / "headlines_2025.tsv"
COLUMNS = ("file", "index", "id", "label", "kind", "countries", "admin1", "city", "note")


@dataclass(frozen=True, slots=True)
class Labelled:
    headline: Headline
    split: str
    label: int
    kind: str
    countries: tuple[str, ...]
    admin1: tuple[str, ...]
    city: str


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in text.split(",") if c.strip())


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    """The label rows as written, in file order; raises ValueError on a bad row."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}: expected columns {' '.join(COLUMNS)}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if row["label"] not in ("0", "1", "2", "3"):
            raise ValueError(f"{path.name} line {number}: label must be 0-3")
    return rows


def labels_sha256(path: Path = LABELS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def labelled_set(path: Path = LABELS) -> list[Labelled]:
    """Every labelled entry joined with its text from the corpus, in day order."""
    root = corpus_dir()
    if root is None:
        raise FileNotFoundError("the development corpus (../shared/corpus) is not here")
    rows = read_labels(path)
    by_file: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_file.setdefault(row["file"], []).append(row)
    out: list[Labelled] = []
    for number, day in enumerate(day_files(root)):
        wanted = by_file.pop(day.name, None)
        if not wanted:
            continue
        items = read_day(day)
        for row in wanted:
            headline = items[int(row["index"])]
            if headline.id != row["id"]:
                raise ValueError(f"{day.name} #{row['index']}: id {row['id']} not in the corpus")
            out.append(
                Labelled(
                    headline=headline,
                    split=split_of(number),
                    label=int(row["label"]),
                    kind=row["kind"],
                    countries=_codes(row["countries"]),
                    admin1=_codes(row["admin1"]),
                    city=row["city"],
                )
            )
    if by_file:
        raise ValueError(f"labels name files not in the corpus: {', '.join(sorted(by_file))}")
    return out

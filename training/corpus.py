"""Reading the development corpus of daily headline feeds (``shared/corpus``).

The corpus lives beside the repository and is never copied into it; every reader
finds it through :func:`corpus_dir`, which asks ``tests/locate.py`` (the one place
that knows where the development corpus is: ``TACTFUL_CORPUS``, else ``corpus`` in
the shared folder beside the repository).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from tests import locate

REPO = locate.REPO
HEADLINE_DIR = "headlines_2025"
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def corpus_dir() -> Path | None:
    """The corpus folder, or None when this clone has none beside it."""
    path = locate.corpus_dir()
    return path if path.is_dir() else None


@dataclass(frozen=True, slots=True)
class Headline:
    file: str
    index: int
    id: str
    title: str
    source: str
    published: str

    @property
    def day(self) -> str:
        match = _DAY.search(self.file)
        return match.group(1) if match else ""


def day_files(root: Path) -> list[Path]:
    """The daily feed files, oldest first."""
    return sorted((root / HEADLINE_DIR).glob("*.xml"))


def read_day(path: Path) -> list[Headline]:
    """Every item of one daily feed, in feed order (index from 0)."""
    tree = ElementTree.parse(path)
    items = []
    for index, item in enumerate(tree.getroot().iter("item")):
        items.append(
            Headline(
                file=path.name,
                index=index,
                id=(item.findtext("guid") or "").strip(),
                title=(item.findtext("title") or "").strip(),
                source=(item.findtext("source") or "").strip(),
                published=(item.findtext("pubDate") or "").strip(),
            )
        )
    return items

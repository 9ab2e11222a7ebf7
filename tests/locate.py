"""Where test data lives: the small feeds and texts in ``tests/data`` that every
clone has, and the development corpus, if present.

The development corpus is real captured data kept beside the repository, never
copied into it: ``../shared/fixtures`` (feeds and texts) and ``../shared/corpus``
(daily headline feeds). ``TACTFUL_SHARED`` names another folder with the same
layout; ``TACTFUL_CORPUS`` another ``corpus`` folder. Every test, benchmark and
training script finds it through this module and nowhere else.

Tests that read the corpus carry the ``corpus`` marker. Without the corpus they are
skipped with one summary line; under CI (``CI`` set) they run and fail, naming the
folder that is missing. This module only computes paths: it reads nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
OWN_FEEDS = DATA / "feeds"


def shared_dir() -> Path:
    """The development corpus folder (it may not exist)."""
    configured = os.environ.get("TACTFUL_SHARED")
    return Path(configured) if configured else REPO.parent / "shared"


SHARED = shared_dir()
FIXTURES = SHARED / "fixtures"
FIXTURE_FEEDS = FIXTURES / "feeds"
FIXTURE_TEXTS = FIXTURES / "text"


def corpus_dir() -> Path:
    """The headline corpus folder (``corpus`` in the shared folder unless
    ``TACTFUL_CORPUS`` names one); it may not exist."""
    configured = os.environ.get("TACTFUL_CORPUS")
    return Path(configured) if configured else SHARED / "corpus"


def corpus_present() -> bool:
    """Whether the development corpus is beside this clone."""
    return FIXTURES.is_dir()


def own_feed(name: str) -> Path:
    """One of the small feeds written for the tests (``tests/data/feeds``)."""
    return OWN_FEEDS / name


def fixture_feed(name: str) -> Path:
    """A captured real feed of the development corpus."""
    return FIXTURE_FEEDS / name


def fixture_text(*parts: str) -> Path:
    """A text file (or folder) of the development corpus."""
    return FIXTURE_TEXTS.joinpath(*parts)

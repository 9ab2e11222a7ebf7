"""How well does the model read news of weeks it has not seen?

The trainer cross-validates over days taken in turn (day 1 in fold 1, day 2 in fold
2 ...), so every fold's days sit between days it was fitted on: an event reported
over a week is in every fold, and what is learned of its wording and its names is
scored on itself. News tactful reads in use is later than anything it was fitted on.
This bench scores the hold head (label >= 2) of the scorer's features, fitted as the
trainer fits it, three ways over the training days' labels:

- ``days in turn``: the trainer's own five folds;
- ``weeks apart``: five folds of consecutive days (about a month each), each scored
  by a fit on the other four: earlier and later news, but none of the same weeks;
- ``later only``: each of the last four blocks scored by a fit on the blocks before
  it (and the auxiliary sentences), as the model meets news after its training.

Each is judged at its own best threshold (an upper bound, as the threshold is chosen
on what is scored) and at the threshold the trainer picks by its folds, on
whole-day weights; entries the assessment sets aside whatever their score
(``rules.kinds.news.never_held``) count as not held. The development and test days
are not read.

Run ``python -m bench.over_time`` (about a minute on two cores; needs
``pip install -e .[training]`` and the development corpus).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from rules.kinds.news import never_held
from training import train as trainer


def folds_in_turn(days: Sequence[str], k: int = trainer.FOLDS) -> dict[str, int]:
    """The trainer's folds: sorted days dealt out in turn."""
    return {day: i % k for i, day in enumerate(sorted(days))}


def folds_in_blocks(days: Sequence[str], k: int = trainer.FOLDS) -> dict[str, int]:
    """Sorted days cut into ``k`` runs of consecutive days, as even as can be."""
    ordered = sorted(days)
    return {day: i * k // len(ordered) for i, day in enumerate(ordered)}


def _scores(
    x: object, y: np.ndarray, w: np.ndarray, folds: np.ndarray, c: float, later_only: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-block probabilities and which rows were scored. Rows of fold -1 (the
    auxiliary sentences) are always fitted on and never scored."""
    p = np.zeros(len(y))
    scored = np.zeros(len(y), dtype=bool)
    for k in range(1 if later_only else 0, trainer.FOLDS):
        held = folds == k
        fit = (folds == -1) | ((folds >= 0) & (folds < k) if later_only else (folds != k))
        model = trainer._fit(x[fit], y[fit], w[fit], c)  # type: ignore[index]
        p[held] = model.predict_proba(x[held])[:, 1]  # type: ignore[index]
        scored |= held
    return p, scored


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.over_time", description=__doc__)
    parser.add_argument("--c", type=float, default=None, help="strength (default: the trainer's)")
    args = parser.parse_args(argv)
    data = trainer.examples(("train",))
    found = [trainer.extract(e.title, e.summary, e.year) for e in data]
    rows = [f.values for f in found]
    x = trainer._matrix(rows, trainer.vocabulary(rows))
    y = np.array([e.label >= trainer.HEAD_FLOORS["hold"] for e in data])
    fit_w = np.array([e.fit_weight for e in data])
    day_w = np.array([e.day_weight for e in data])
    set_aside = np.array([never_held(f) for f in found])
    days = sorted({e.group for e in data if e.group != "aux"})
    beta = trainer.BETA["hold"]
    # The trainer's choice: its strength and threshold from its own folds.
    in_turn = np.array([folds_in_turn(days).get(e.group, -1) for e in data])
    blocks = np.array([folds_in_blocks(days).get(e.group, -1) for e in data])
    tried = []
    for c in trainer.C_GRID if args.c is None else (args.c,):
        p, scored = _scores(x, y, fit_w, in_turn, c, later_only=False)
        p = np.where(set_aside, 0.0, p)
        t, fig = trainer._best_threshold(p[scored], y[scored], day_w[scored], beta)
        tried.append((c, fig, t))
    c, _, chosen = trainer._simplest_near_best(tried)
    print(
        f"{len(days)} training days, {int((blocks >= 0).sum())} labelled entries, "
        f"{int(y[blocks >= 0].sum())} should hold; C {c:g}, the trainer's threshold {chosen:.2f}"
    )
    print("\n| folds | scored | best threshold | F1 | precision | recall "
          "| at the trainer's threshold: F1 | precision | recall |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for label, folds, later in (
        ("days in turn", in_turn, False),
        ("weeks apart", blocks, False),
        ("later only", blocks, True),
    ):
        p, scored = _scores(x, y, fit_w, folds, c, later_only=later)
        p = np.where(set_aside, 0.0, p)
        t, best = trainer._best_threshold(p[scored], y[scored], day_w[scored], beta)
        at = trainer._figures_at(chosen, p[scored], y[scored], day_w[scored], beta)
        print(
            f"| {label} | {int(scored.sum())} | {t:.2f} | {best['f']:.3f} | "
            f"{best['precision']:.3f} | {best['recall']:.3f} | {at['f']:.3f} | "
            f"{at['precision']:.3f} | {at['recall']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

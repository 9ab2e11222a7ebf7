"""The folds of ``bench.over_time``: weeks apart means consecutive days together."""

from __future__ import annotations

import itertools

from bench.over_time import folds_in_blocks, folds_in_turn

DAYS = [f"day-{i:03d}" for i in range(143)]


def test_blocks_are_runs_of_consecutive_days_of_even_size():
    fold = folds_in_blocks(list(reversed(DAYS)))
    order = [fold[d] for d in DAYS]
    assert order == sorted(order)  # each fold one run, in date order
    sizes = [order.count(k) for k in range(5)]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == len(DAYS)


def test_days_in_turn_put_neighbouring_days_in_different_folds():
    fold = folds_in_turn(DAYS)
    assert all(fold[a] != fold[b] for a, b in itertools.pairwise(DAYS))
    assert {fold[d] for d in DAYS} == set(range(5))

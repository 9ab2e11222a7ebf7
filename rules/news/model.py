"""The learned news model: three logistic heads over named features, read from
``rules/data/news_model.json.gz``.

The heads answer the labelling guideline's questions in turn: ``any`` (label >= 1:
worth showing staff), ``hold`` (label >= 2: a regional tragedy) and ``broad``
(label 3: broadly felt). Each is a bias and a weight per feature; a score is the
bias plus the weights of the features present, and the probability its logistic.
The file is plain JSON (no pickle): its ``version``, ``training_set_sha256`` and the
figures measured on held-out days travel with the weights.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from rules.news.features import Features

MODEL_FILE = "news_model.json.gz"
HEADS = ("any", "hold", "broad")


@dataclass(frozen=True, slots=True)
class Head:
    bias: float
    weights: dict[str, float]
    threshold: float

    def score(self, features: Features) -> float:
        """The raw score (log-odds)."""
        weights = self.weights
        total = self.bias
        for name, value in features.values.items():
            weight = weights.get(name)
            if weight is not None:
                total += weight * value
        return total

    def contributions(self, features: Features) -> list[tuple[str, float]]:
        """(feature, weight x value) for every feature the head knows, largest first."""
        out = [
            (name, self.weights[name] * value)
            for name, value in features.values.items()
            if name in self.weights
        ]
        out.sort(key=lambda pair: (-abs(pair[1]), pair[0]))
        return out


@dataclass(frozen=True, slots=True)
class Model:
    version: str
    training_set_sha256: str
    heads: dict[str, Head]
    meta: dict[str, Any]
    # Each feature's weights in the three heads (0.0 where a head has none), so that
    # one look-up per feature scores all three.
    joint: dict[str, tuple[float, float, float]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def scores(self, features: Features) -> tuple[float, float, float]:
        """The raw scores of the ``any``, ``hold`` and ``broad`` heads: each the same
        sum, in the same order, as ``Head.score``."""
        if not self.joint:
            return (
                self.heads["any"].score(features),
                self.heads["hold"].score(features),
                self.heads["broad"].score(features),
            )
        joint = self.joint
        s_any = self.heads["any"].bias
        s_hold = self.heads["hold"].bias
        s_broad = self.heads["broad"].bias
        for name, value in features.values.items():
            weights = joint.get(name)
            if weights is not None:
                s_any += weights[0] * value
                s_hold += weights[1] * value
                s_broad += weights[2] * value
        return s_any, s_hold, s_broad


def probability(score: float) -> float:
    if score >= 0:
        return 1.0 / (1.0 + math.exp(-score))
    z = math.exp(score)
    return z / (1.0 + z)


def from_json(data: dict[str, Any]) -> Model:
    """A model from its decoded file; raises ValueError naming what is missing."""
    try:
        heads = {
            name: Head(
                float(data["heads"][name]["bias"]),
                {str(k): float(v) for k, v in data["heads"][name]["weights"].items()},
                float(data["heads"][name]["threshold"]),
            )
            for name in HEADS
        }
        version = str(data["version"])
        sha = str(data["training_set_sha256"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the news model file is incomplete: {exc}") from exc
    meta = {k: v for k, v in data.items() if k != "heads"}
    return Model(version, sha, heads, meta, joint_weights(heads))


def joint_weights(heads: dict[str, Head]) -> dict[str, tuple[float, float, float]]:
    """Every feature any head weighs, with its weight in each head (0.0 where a head
    has none: adding 0.0 leaves a sum as it was)."""
    names = dict.fromkeys(name for head in HEADS for name in heads[head].weights)
    return {
        name: (
            heads["any"].weights.get(name, 0.0),
            heads["hold"].weights.get(name, 0.0),
            heads["broad"].weights.get(name, 0.0),
        )
        for name in names
    }


def _read_model() -> dict[str, Any]:
    return decode(resources.files("rules.data").joinpath(MODEL_FILE).read_bytes())


_current: list[Model] = []


def model() -> Model:
    """The model in use: the packaged one, read once, unless ``use`` set another."""
    if not _current:
        _current.append(from_json(_read_model()))
    return _current[0]


def use(replacement: Model | None) -> None:
    """Score with ``replacement`` from now on (``None``: the packaged model again).
    The seam benchmarks and tests use to measure a model that is not shipped."""
    _current.clear()
    if replacement is not None:
        _current.append(replacement)


def decode(raw: bytes) -> dict[str, Any]:
    """A model file's bytes (gzip-compressed JSON) decoded."""
    decoded: dict[str, Any] = json.loads(gzip.decompress(raw))
    return decoded

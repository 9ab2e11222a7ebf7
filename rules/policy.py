"""The hold policy: which posts an incident holds, decided from data alone.

Two forms of one decision: ``decide`` answers for one post (the publish-time gate),
``hold_targets`` answers for one incident as region sets per category, which the
scheduler turns into one UPDATE per set (the fan-out when an incident is declared).
A test checks that both agree. Neither reads the database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from rules.regions import WORLD, descendants, lineage, strict_ancestors

CATEGORIES = ("promotional", "informational", "service", "condolence")
Relation = Literal["inside", "containing"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Lowest severity that holds a post; 0 means never."""

    inside: int
    containing: int

    def for_relation(self, relation: Relation) -> int:
        return self.inside if relation == "inside" else self.containing


@dataclass(frozen=True)
class HoldPolicy:
    table: Mapping[str, Thresholds]

    def thresholds(self, category: str) -> Thresholds:
        return self.table.get(category, Thresholds(0, 0))


DEFAULT_POLICY = HoldPolicy(
    {
        "promotional": Thresholds(inside=2, containing=3),
        "informational": Thresholds(inside=3, containing=4),
        "service": Thresholds(0, 0),
        "condolence": Thresholds(0, 0),
    }
)


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    id: int
    severity: int
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PostFacts:
    category: str
    # The post's effective audience; empty means worldwide.
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HoldReason:
    incident_id: int
    rule: str


@dataclass(frozen=True, slots=True)
class Decision:
    hold: bool
    reasons: tuple[HoldReason, ...] = ()


PUBLISH = Decision(hold=False)


def rule_name(category: str, relation: Relation, threshold: int) -> str:
    """The stable name of a policy line, stored on holds and in the audit log."""
    return f"{category}/{relation}/severity>={threshold}"


def audience(regions: Iterable[str]) -> tuple[str, ...]:
    codes = tuple(regions)
    return codes or (WORLD,)


def relation(post_region: str, incident_region: str) -> Relation | None:
    """``inside`` when the audience lies in or equals the area, ``containing`` when it
    strictly contains it, else ``None``."""
    if incident_region in lineage(post_region):
        return "inside"
    if post_region in lineage(incident_region):
        return "containing"
    return None


def decide(post: PostFacts, incidents: Iterable[IncidentFacts], policy: HoldPolicy) -> Decision:
    """Hold when any incident matches any audience region at its threshold.

    "Inside" wins over "containing" for the same incident, since it is the stricter
    line; every matching incident is named once.
    """
    limits = policy.thresholds(post.category)
    reasons = []
    for incident in incidents:
        matched: Relation | None = None
        for post_region in audience(post.regions):
            for area in incident.regions:
                rel = relation(post_region, area)
                if rel is None:
                    continue
                threshold = limits.for_relation(rel)
                applies = bool(threshold) and incident.severity >= threshold
                if applies and (matched is None or rel == "inside"):
                    matched = rel
        if matched is not None:
            reasons.append(
                HoldReason(
                    incident.id, rule_name(post.category, matched, limits.for_relation(matched))
                )
            )
    return Decision(hold=True, reasons=tuple(reasons)) if reasons else PUBLISH


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """Queued posts of ``category`` with an audience region in ``regions`` are held."""

    category: str
    rule: str
    regions: frozenset[str]


def hold_targets(incident: IncidentFacts, policy: HoldPolicy) -> list[HoldTarget]:
    """The incident's fan-out as region sets, "inside" first so that it names the rule
    for posts that match both (a post with regions on both sides of the area)."""
    inside: set[str] = set()
    for area in incident.regions:
        inside |= descendants(area)
    containing = strict_ancestors(incident.regions)
    out = []
    for category in CATEGORIES:
        limits = policy.thresholds(category)
        for rel, regions in (("inside", inside), ("containing", containing)):
            threshold = limits.for_relation(rel)  # type: ignore[arg-type]
            if threshold and incident.severity >= threshold and regions:
                out.append(
                    HoldTarget(category, rule_name(category, rel, threshold), frozenset(regions))  # type: ignore[arg-type]
                )
    return out

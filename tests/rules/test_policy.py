import pytest

from rules.policy import (
    CATEGORIES,
    DEFAULT_POLICY,
    IncidentFacts,
    PostFacts,
    decide,
    hold_targets,
    relation,
)
from rules.regions import WORLD, is_known_region


@pytest.mark.parametrize(
    ("category", "post_regions", "severity", "incident_regions", "held", "rule"),
    [
        ("promotional", ["US-TX"], 2, ["US-TX"], True, "promotional/inside/severity>=2"),
        ("promotional", ["US-TX"], 1, ["US-TX"], False, None),
        ("promotional", ["US"], 2, ["US-TX"], False, None),
        ("promotional", ["US"], 3, ["US-TX"], True, "promotional/containing/severity>=3"),
        ("promotional", [], 3, ["US-TX"], True, "promotional/containing/severity>=3"),
        ("promotional", ["FR"], 4, ["US-TX"], False, None),
        ("promotional", ["US-CA"], 4, ["US-TX"], False, None),
        ("promotional", ["GB-KEN"], 2, ["GB"], True, "promotional/inside/severity>=2"),
        ("informational", ["US-TX"], 2, ["US-TX"], False, None),
        ("informational", ["US-TX"], 3, ["US-TX"], True, "informational/inside/severity>=3"),
        ("informational", ["US"], 3, ["US-TX"], False, None),
        ("informational", ["US"], 4, ["US-TX"], True, "informational/containing/severity>=4"),
        ("service", ["US-TX"], 4, ["US-TX"], False, None),
        ("condolence", ["US-TX"], 4, ["US-TX"], False, None),
        ("promotional", ["FR", "US-TX"], 2, ["US-TX"], True, "promotional/inside/severity>=2"),
        ("promotional", ["US", "US-TX"], 3, ["US-TX"], True, "promotional/inside/severity>=2"),
    ],
    ids=lambda v: str(v),
)
def test_decide_follows_the_policy_table(
    category, post_regions, severity, incident_regions, held, rule
):
    decision = decide(
        PostFacts(category, tuple(post_regions)),
        [IncidentFacts(7, severity, tuple(incident_regions))],
        DEFAULT_POLICY,
    )
    assert decision.hold is held
    assert [r.rule for r in decision.reasons] == ([rule] if rule else [])
    if held:
        assert decision.reasons[0].incident_id == 7


def test_every_matching_incident_is_named_once():
    decision = decide(
        PostFacts("promotional", ("US-TX", "US-CA")),
        [
            IncidentFacts(1, 2, ("US-TX",)),
            IncidentFacts(2, 2, ("US-CA", "US-TX")),
            IncidentFacts(3, 2, ("FR",)),
        ],
        DEFAULT_POLICY,
    )
    assert [r.incident_id for r in decision.reasons] == [1, 2]


def test_relation_is_inside_containing_or_none():
    assert relation("US-TX", "US") == "inside"
    assert relation("US", "US") == "inside"
    assert relation("US", "US-TX") == "containing"
    assert relation(WORLD, "FR") == "containing"
    assert relation("FR", "US-TX") is None


SAMPLE_AUDIENCES = [
    ("US-TX",),
    ("US",),
    (),
    ("US-CA",),
    ("FR",),
    ("GB-KEN",),
    ("GB",),
    ("FR", "US-TX"),
]


@pytest.mark.parametrize("severity", [1, 2, 3, 4])
@pytest.mark.parametrize("area", [("US-TX",), ("GB-ENG",), ("US-TX", "FR")])
def test_fan_out_sets_agree_with_the_per_post_decision(severity, area):
    incident = IncidentFacts(1, severity, area)
    targets = hold_targets(incident, DEFAULT_POLICY)
    for category in CATEGORIES:
        for audience in SAMPLE_AUDIENCES:
            effective = audience or (WORLD,)
            by_set = any(t.category == category and set(effective) & t.regions for t in targets)
            by_post = decide(PostFacts(category, audience), [incident], DEFAULT_POLICY).hold
            assert by_set == by_post, (category, audience)


def test_fan_out_regions_are_all_real_codes():
    for target in hold_targets(IncidentFacts(1, 4, ("US",)), DEFAULT_POLICY):
        assert all(is_known_region(code) for code in target.regions)

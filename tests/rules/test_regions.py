import pytest

from rules import regions


@pytest.mark.parametrize(
    ("inner", "outer", "expected"),
    [
        ("US-TX", "US", True),
        ("US", "US", True),
        ("US", "US-TX", False),
        ("GB-KEN", "GB-ENG", True),
        ("GB-KEN", "GB", True),
        ("FR-75C", "FR-IDF", True),
        ("FR", regions.WORLD, True),
        ("US-TX", "MX", False),
    ],
)
def test_containment_walks_the_ancestors(inner, outer, expected):
    assert regions.is_inside(inner, outer) is expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Texas", "US-TX"),
        ("us-tx", "US-TX"),
        ("Turkey", "TR"),
        ("UK", "GB"),
        ("Ivory Coast", "CI"),
        ("Burma", "MM"),
        ("France", "FR"),
        ("Île-de-France", "FR-IDF"),
        ("ile-de-france", "FR-IDF"),
    ],
)
def test_names_people_type_resolve_to_codes(text, code):
    region = regions.resolve(text)
    assert region is not None and region.code == code


def test_unknown_names_and_codes_resolve_to_nothing():
    assert regions.resolve("XX-NOPE") is None
    assert regions.resolve("Atlantis") is None
    assert not regions.is_known_region("XX-NOPE")


def test_search_puts_countries_first():
    found = regions.search("georgia")
    assert [r.code for r in found[:2]] == ["GE", "US-GA"]


def test_descendants_of_a_country_include_its_subdivisions():
    below = regions.descendants("US")
    assert {"US", "US-TX", "US-CA"} <= below
    assert "MX" not in below

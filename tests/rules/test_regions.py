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


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("Florida (US-FL)", "US-FL"),  # the label the audience picker offers
        ("florida (us-fl)", "US-FL"),
        ("  Texas (US-TX) ", "US-TX"),
        ("(US-TX)", "US-TX"),
        ("Georgia", "GE"),  # a country and a US state: the country
        ("Georgia (US-GA)", "US-GA"),
    ],
)
def test_codes_labels_and_names_resolve_through_one_function(token, code):
    found = regions.find(token)
    assert found.region is not None and found.region.code == code
    assert found.problem() is None


def test_an_ambiguous_name_lists_its_candidates():
    found = regions.find("Florida")
    assert found.region is None
    assert [r.code for r in found.candidates] == ["US-FL", "UY-FD"]
    assert found.problem() == "Florida: US-FL (Florida, United States) or UY-FD (Florida, Uruguay)?"


def test_a_label_whose_name_and_code_disagree_is_unknown():
    found = regions.find("Paris (US-TX)")
    assert found.region is None and found.candidates == ()
    assert found.problem() == "Unknown region: Paris (US-TX)."

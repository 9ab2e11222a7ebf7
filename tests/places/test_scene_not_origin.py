"""Where it happened, not where someone is from or a namesake's better-known twin."""

import pytest

from rules.places import event_regions


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("A student opened fire in Santa Fe, Texas, killing ten people", ("US-TX", "US")),
        ("Gunman kills 10 at Santa Fe High School in Texas", ("US-TX", "US")),
        ("Shooting in Atlanta leaves 3 dead, Florida man arrested", ("US-GA", "US")),
        ("Texas students walk out after shooting in Florida school", ("US-FL", "US")),
        ("Springfield police say two killed in Illinois crash", ("US-IL", "US")),
    ],
)
def test_the_scene_wins(text, regions):
    assert event_regions(text) == regions

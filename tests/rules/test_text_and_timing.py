from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules.text import length_error, measure
from rules.timing import LocalTimeError, is_too_late, localize, release_status, retry_delay


@pytest.mark.parametrize(
    ("text", "network", "length"),
    [
        ("a" * 10, "x", 10),
        ("see https://example.com/" + "x" * 100, "x", 4 + 23),
        ("日本語", "x", 6),
        ("see https://example.com/" + "x" * 100, "mastodon", 4 + 23),
        ("hi @alice@example.social", "mastodon", len("hi @alice")),
        ("👨‍👩‍👧 ok", "bluesky", 4),
        ("é" * 5, "linkedin", 5),
    ],
)
def test_each_network_counts_length_its_own_way(text, network, length):
    assert measure(text, network) == length


@pytest.mark.parametrize(
    ("text", "network", "ok"),
    [
        ("a" * 280, "x", True),
        ("a" * 281, "x", False),
        ("a" * 300 + " https://example.com/" + "y" * 400, "x", False),
        ("a" * 256 + " https://example.com/" + "y" * 400, "x", True),
        ("👍" * 300, "bluesky", True),
        ("👍" * 301, "bluesky", False),
        ("a" * 500, "mastodon", True),
        ("a" * 501, "mastodon", False),
        ("a" * 3000, "linkedin", True),
        ("a" * 3001, "linkedin", False),
        ("a" * 63206, "facebook", True),
        ("a" * 63207, "facebook", False),
        ("   ", "webhook", False),
    ],
)
def test_length_limits_per_network(text, network, ok):
    assert (length_error(text, network) is None) is ok


def test_a_configured_limit_overrides_the_network_default():
    assert length_error("a" * 600, "mastodon", 1000) is None
    assert length_error("a" * 101, "mastodon", 100) is not None


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        (datetime(2026, 3, 28, 9, 0), datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 9, 0), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 9, 0), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
    ids=["before-spring", "spring-day", "autumn-day", "repeated-hour-first"],
)
def test_wall_times_keep_their_local_hour_across_dst(wall, utc):
    assert localize(wall, PARIS) == utc


def test_a_skipped_wall_time_is_an_error():
    with pytest.raises(LocalTimeError, match="does not exist"):
        localize(datetime(2026, 3, 29, 2, 30), PARIS)


def test_retry_delay_grows_and_caps():
    assert retry_delay(1, 30, 3600, 0.0) == 15
    assert retry_delay(2, 30, 3600, 0.0) == 30
    assert retry_delay(3, 30, 3600, 0.999) == pytest.approx(119.94)
    assert retry_delay(20, 30, 3600, 0.0) == 1800
    with pytest.raises(ValueError):
        retry_delay(0, 30, 3600, 0.0)


def test_lateness_and_release_use_the_grace_period():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert not is_too_late(now - timedelta(seconds=900), now, 900)
    assert is_too_late(now - timedelta(seconds=901), now, 900)
    assert release_status(now - timedelta(seconds=899), now, 900) == "queued"
    assert release_status(now - timedelta(seconds=901), now, 900) == "needs_review"
    assert release_status(now + timedelta(days=1), now, 900) == "queued"

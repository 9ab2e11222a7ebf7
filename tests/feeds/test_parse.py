"""Parsing feeds of every kind and documents that try to hurt the parser: the small
feeds written for the tests (``tests/data/feeds``) in every clone, then the
captured real feeds of the development corpus at scale (marked ``corpus``)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from rules.reports import Entry
from scheduler.feeds import FeedError
from scheduler.feeds.parse import domain_country, guess_kind, home_of, home_problem, parse
from scheduler.feeds.poll import dedupe_key
from tests import locate
from tests.feeds.conftest import fixture_bytes, own_bytes

KIND_BY_PREFIX = {"usgs": "usgs", "nws": "cap", "gdacs": "gdacs", "emsc": "emsc"}


def kind_of(name: str) -> str:
    return next((k for p, k in KIND_BY_PREFIX.items() if name.startswith(p)), "news")


def fixture_feeds() -> list[tuple[str, int]]:
    sources = locate.FIXTURES / "SOURCES.tsv"
    if not sources.is_file():
        return [("SOURCES.tsv", 0)]  # one placeholder, skipped (or failed under CI)
    with sources.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            (row["local_file"].removeprefix("feeds/"), int(row["entries"]))
            for row in rows
            if row["local_file"].startswith("feeds/")
        ]


def read(name: str, kind: str | None = None):
    return parse(fixture_bytes(name), kind or kind_of(name), "https://example.org/feed")


def read_own(name: str):
    body = own_bytes(name)
    return parse(body, guess_kind(body), "https://example.org/feed")


def check_entries(parsed) -> None:
    assert parsed.title
    for entry in parsed.entries:
        assert entry.guid and entry.title
        assert "<" not in entry.summary, "HTML must be stripped from summaries"
        if entry.point is not None:
            lat, lon = entry.point
            assert -90 <= lat <= 90 and -180 <= lon <= 180
    guids = [dedupe_key(e) for e in parsed.entries]
    assert len(set(guids)) == len(guids)


OWN_FEEDS = [
    ("news.rss", "news", 10),
    ("news.atom", "news", 3),
    ("cap.atom", "cap", 3),
    ("gdacs.xml", "gdacs", 2),
    ("usgs.atom", "usgs", 5),
    ("emsc.xml", "emsc", 3),
]


@pytest.mark.parametrize(("name", "kind", "expected"), OWN_FEEDS, ids=[f[0] for f in OWN_FEEDS])
def test_every_own_feed_yields_its_entries_and_its_kind_is_guessed(name, kind, expected):
    body = own_bytes(name)
    assert guess_kind(body) == kind
    parsed = parse(body, kind, "https://example.org/feed")
    assert len(parsed.entries) == expected
    assert parsed.notes == ()
    check_entries(parsed)


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "expected"), fixture_feeds(), ids=lambda v: str(v))
def test_every_fixture_feed_yields_the_entries_its_source_lists(name, expected):
    parsed = read(name)
    assert len(parsed.entries) == expected
    assert parsed.notes == ()
    check_entries(parsed)


def test_own_cap_alert_fields_geocodes_and_polygons():
    entries = read_own("cap.atom").entries
    tornado = entries[0]
    assert tornado.fields["cap_event"] == "Tornado Warning"
    assert tornado.fields["cap_severity"] == "Extreme"
    assert tornado.fields["cap_urgency"] == "Immediate"
    assert tornado.fields["cap_certainty"] == "Observed"
    assert tornado.fields["cap_areadesc"] == "Cleveland; McClain"
    # Two codes in one value are split; the VTEC parameter does not overwrite them.
    assert tornado.geocodes == {"FIPS6": ("040027", "040087"), "UGC": ("OKC027", "OKC087")}
    assert tornado.fields["cap_param_vtec"].startswith("/O.NEW.KOUN.TO.W.0042")
    assert tornado.published == datetime(2026, 6, 1, 16, 40, tzinfo=UTC)
    ring = tornado.polygons[0]
    assert ring[0] == ring[-1] == (35.10, -97.60) and len(ring) == 5
    flood, guam = entries[1], entries[2]
    assert flood.polygons == ()  # an empty <cap:polygon>
    assert flood.geocodes == {"FIPS6": ("048201",), "UGC": ("TXC201",)}
    assert guam.polygons[0][0] == (13.20, 144.60)  # latitude first
    assert guam.published == datetime(2026, 6, 1, 16, 30, tzinfo=UTC)


def test_own_gdacs_alert_level_iso3_severity_text_and_attributes():
    cyclone, quake = read_own("gdacs.xml").entries
    assert cyclone.guid == "TC9001" and cyclone.point == (-18.5, 58.9)
    assert cyclone.fields["gdacs_alertlevel"] == "Green"
    assert cyclone.fields["gdacs_iso3"] == "MUS"
    assert cyclone.fields["gdacs_severity"] == "Tropical Storm (maximum wind speed of 111 km/h)"
    assert cyclone.fields["gdacs_severity_value"] == "110.5"
    assert cyclone.fields["gdacs_severity_unit"] == "km/h"
    assert cyclone.fields["gdacs_episodeid"] == "3"
    assert quake.fields["gdacs_eventtype"] == "EQ" and quake.fields["gdacs_iso3"] == "ZAF"
    assert quake.point == (-28.9, 26.4)


def test_own_usgs_magnitude_depth_pager_tsunami_and_point():
    entries = read_own("usgs.atom").entries
    big = by_guid(entries, "7000t001")
    assert big.fields == {
        "magnitude": "6.4",
        "place": "180km SE of Gizo, Solomon Islands",
        "depth_km": "10",
        "pager_alert": "yellow",
        "tsunami": "1",
    }
    assert big.point == (-9.3195, 157.9337)
    assert big.published == datetime(2026, 6, 1, 10, 31, 48, tzinfo=UTC)
    assert by_guid(entries, "4000t004").fields["depth_km"] == "7.9"
    # A title without "M": the magnitude comes from the category.
    ridge = by_guid(entries, "7000t005")
    assert ridge.fields["magnitude"] == "5" and "place" not in ridge.fields


def test_own_emsc_point_magnitude_type_region_and_status():
    greece, turkey, italy = read_own("emsc.xml").entries
    assert greece.point == (38.21, 22.05)
    assert greece.fields["magnitude_type"] == "ML" and greece.fields["magnitude"] == "2.4"
    assert greece.fields["region"] == "GREECE" and greece.fields["depth_km"] == "9"
    assert turkey.fields["magnitude_type"] == "mb" and turkey.fields["emsc_status"] == "reviewed"
    assert italy.fields["region"] == "NORTHERN ITALY"


def test_own_news_rss_and_atom_are_plain_text_with_categories():
    rss = read_own("news.rss").entries
    assert rss[0].summary == (
        "A huge blast tore through the port of Beirut, Lebanon, on Monday evening, officials said."
    )
    assert rss[0].categories == ("World", "Middle East")
    assert rss[1].summary == "Flash floods & landslides cut roads across the region."
    assert rss[4].summary == "Work starts in the autumn. It should open in 2028."
    # No guid: known by link and title.
    assert (
        rss[7].guid
        == "https://news.example.org/uk/rail-strike Rail services resume after a two-day strike"
    )
    atom = read_own("news.atom").entries
    assert atom[0].summary == "Crews fought the fire through the night & into the morning."
    assert atom[0].published == datetime(2026, 6, 1, 9, 40, tzinfo=UTC)
    assert atom[1].summary == "Queues formed early." and atom[1].categories == ("Business",)


def test_a_hostile_feed_keeps_text_only_and_drops_what_makes_no_sense():
    parsed = read_own("hostile.rss")
    assert parsed.title == "Hostile & odd feed"
    assert parsed.notes == ("1 entries without id, link or title were skipped",)
    script, out_of_range, not_a_number, spaced, link_only = parsed.entries
    assert script.title == "Script in the title"
    assert script.summary == "Only this text"  # script and style dropped, attributes too
    assert script.published is None  # "not a date at all"
    assert out_of_range.point is None
    assert not_a_number.point is None and not_a_number.polygons == ()
    assert spaced.title == "Lots of white space"
    assert link_only.guid == "https://hostile.example.org/only-a-link" and link_only.title == ""


def test_a_feed_that_is_not_well_formed_is_read_leniently_and_noted():
    parsed = read_own("hostile_not_wellformed.rss")
    assert [e.title for e in parsed.entries] == [
        "Fish & chips shop closes after 80 years",
        "Second story",
    ]
    assert parsed.notes[0].startswith(
        "not well-formed XML (not well-formed (invalid token) at line 3"
    )


def by_guid(entries: list[Entry], fragment: str) -> Entry:
    return next(e for e in entries if fragment in e.guid)


@pytest.mark.corpus
def test_cap_geocodes_come_from_the_raw_xml():
    entries = read("nws_cap_us_2018-08-15.atom").entries
    first = entries[0]
    assert first.geocodes == {"FIPS6": ("002185",), "UGC": ("AKZ204",)}
    assert first.fields["cap_event"] == "High Wind Warning"
    assert first.fields["cap_severity"] == "Severe"
    assert first.fields["cap_urgency"] == "Expected"
    assert first.fields["cap_certainty"] == "Likely"
    assert first.fields["cap_areadesc"] == "Eastern Beaufort Sea Coast"
    # feedparser lets the VTEC parameter overwrite the geocode; we keep both.
    assert first.fields["cap_param_vtec"].startswith("/O.CON.PAFG.HW.W.0011")
    assert first.published == datetime(2018, 8, 15, 22, 52, tzinfo=UTC)
    # Several zones in one value are split into codes.
    multi = next(e for e in entries if len(e.geocodes.get("UGC", ())) >= 3)
    assert all(len(code) == 6 for code in multi.geocodes["UGC"])
    assert all(len(e.geocodes["FIPS6"]) >= 1 for e in entries)
    assert sum(len(e.geocodes["UGC"]) for e in entries) > len(entries)


@pytest.mark.corpus
def test_cap_polygons_are_lat_lon_rings():
    entries = read("nws_cap_us_2018-08-15.atom").entries
    with_polygon = [e for e in entries if e.polygons]
    assert len(with_polygon) == 99  # the others carry an empty <cap:polygon>
    ring = next(e for e in with_polygon if e.polygons[0][0] == (31.62, -86.35)).polygons[0]
    assert ring[-1] == ring[0] and len(ring) == 9
    # Latitude first: US alerts lie between 13 N (Guam) and 72 N.
    assert all(13 < lat < 72 for e in with_polygon for lat, _ in e.polygons[0])
    guam = next(e for e in with_polygon if e.fields["cap_areadesc"] == "Guam")
    assert guam.polygons[0][0] == (13.34, 144.64)


def test_every_georss_polygon_is_kept_not_only_the_last():
    body = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:georss="http://www.georss.org/georss"><channel><title>t</title>
<item><title>Flood warning</title><guid>p1</guid>
<georss:polygon>45 -100 46 -100 46 -99 45 -100</georss:polygon>
<georss:polygon>30 10 31 10 31 11 30 10</georss:polygon>
</item></channel></rss>"""
    (entry,) = parse(body, "news").entries
    assert entry.polygons == (
        ((45.0, -100.0), (46.0, -100.0), (46.0, -99.0), (45.0, -100.0)),
        ((30.0, 10.0), (31.0, 10.0), (31.0, 11.0), (30.0, 10.0)),
    )


@pytest.mark.corpus
def test_gdacs_alert_level_iso3_severity_and_point():
    entries = read("gdacs_rss_2019-12-30.xml").entries
    cyclone = by_guid(entries, "TC1000643")
    assert cyclone.point == (-19.4, 59.8)
    assert cyclone.fields["gdacs_alertlevel"] == "Green"
    assert cyclone.fields["gdacs_eventtype"] == "TC"
    assert cyclone.fields["gdacs_iso3"] == "MUS"
    assert cyclone.fields["gdacs_country"] == "Mauritius"
    # The text feedparser loses, and the attributes it keeps.
    assert cyclone.fields["gdacs_severity"] == "Tropical Storm (maximum wind speed of 93 km/h)"
    assert cyclone.fields["gdacs_severity_value"] == "92.592"
    assert cyclone.fields["gdacs_severity_unit"] == "km/h"
    assert cyclone.fields["gdacs_episodeid"] == "1"
    quake = next(e for e in entries if e.fields.get("gdacs_eventtype") == "EQ")
    assert quake.fields["gdacs_iso3"] == "ZAF"
    assert quake.point is not None and quake.point[0] < 0 < quake.point[1]


@pytest.mark.corpus
def test_usgs_magnitude_depth_and_point_as_lat_lon():
    entries = read("usgs_4.5_week_2015-08-11.atom").entries
    first = by_guid(entries, "us:1000314m")
    assert first.fields["magnitude"] == "5.1"
    assert first.fields["depth_km"] == "143.4"
    assert first.fields["place"] == "251km WNW of Saumlaki, Indonesia"
    # georss:point "-7.1317 129.1898" is (lat, lon); feedparser's where is reversed.
    assert first.point == (-7.1317, 129.1898)
    week = read("usgs_2.5_week_2015-08-12.atom").entries
    big = by_guid(week, "us:100031me")
    assert big.fields["magnitude"] == "6.4"
    assert big.fields["pager_alert"] == "green"
    assert big.point == (-9.3195, 157.9337)
    assert big.fields["depth_km"] == "5"
    assert big.published == datetime(2015, 8, 12, 19, 31, 48, tzinfo=UTC)


@pytest.mark.corpus
def test_emsc_point_magnitude_and_region_from_the_title():
    entries = read("emsc_last50_euromed_2020-12-30.xml").entries
    first = entries[0]
    assert first.point == (45.65, 15.52)
    assert first.fields["region"] == "CROATIA"
    assert first.fields["magnitude"] == "1.2"
    assert first.fields["magnitude_type"] == "ML"
    assert first.fields["depth_km"] == "13"
    assert {e.fields["region"] for e in entries} >= {"CROATIA"}
    assert all(e.point is not None for e in entries)


@pytest.mark.corpus
def test_news_summaries_are_plain_text():
    entries = read("guardian_uk_news_2013-11-09.xml").entries
    assert all("<" not in e.summary and "&amp;" not in e.summary for e in entries)
    assert "Energy bills" in entries[0].categories
    bbc = read("bbc_news_home_2020-08-04.xml").entries
    assert bbc[0].title.startswith("Beirut blast")


def test_an_entry_without_guid_is_known_by_link_and_title():
    body = b"""<rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>https://example.org/1</link></item>
<item><title>Two</title></item>
<item><description>nothing to know it by</description></item>
</channel></rss>"""
    parsed = parse(body, "news")
    assert [e.guid for e in parsed.entries] == ["https://example.org/1 One", "Two"]
    assert parsed.notes == ("1 entries without id, link or title were skipped",)


def test_a_revised_quake_or_raised_alert_is_a_new_entry():
    base = Entry("usgs", "urn:1", "M 5.1 - x", fields={"magnitude": "5.1"})
    revised = Entry("usgs", "urn:1", "M 6.4 - x", fields={"magnitude": "6.4"})
    assert dedupe_key(base) != dedupe_key(revised)
    green = Entry("gdacs", "EQ1", "t", fields={"gdacs_episodeid": "1", "gdacs_alertlevel": "Green"})
    red = Entry("gdacs", "EQ1", "t", fields={"gdacs_episodeid": "2", "gdacs_alertlevel": "Red"})
    assert dedupe_key(green) != dedupe_key(red)
    assert dedupe_key(Entry("news", "a", "t")) == "a"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Bomb</title>
<item><title>&lol9;</title><guid>bomb</guid></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>X</title>
<item><title>Hello &xxe;</title><description>&xxe;</description><guid>xxe</guid></item>
</channel></rss>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "xxe"])
def test_entity_declarations_are_refused_without_expanding_or_resolving(body):
    with pytest.raises(FeedError) as caught:
        parse(body, "news")
    message = str(caught.value)
    assert "declares XML entities" in message
    assert "passwd" not in message and "lol" not in message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"  \r\n ", "empty document"),
        (b"<!DOCTYPE html>\n<html><body><p>Welcome<br></body></html>", "HTML page"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "HTML page"),
        (b'<?xml version="1.0"?>\n<rss>\n<channel><title>x</titl></channel></rss>', "line 3"),
        (b'{"items": []}', "not valid XML"),
    ],
    ids=["empty", "blank", "html", "xhtml", "broken-xml", "json"],
)
def test_a_document_that_is_no_feed_is_an_error_naming_why(body, reason):
    with pytest.raises(FeedError, match=reason):
        parse(body, "news")


def test_a_valid_feed_with_no_entries_is_not_an_error():
    parsed = parse(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "news")
    assert parsed.entries == [] and parsed.title == "Quiet"


def test_a_wrong_charset_declaration_is_read_right_and_noted():
    says_utf8 = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>S\xe3o Paulo flood</title><guid>c</guid></item></channel></rss>"
    ).encode("latin-1")
    parsed = parse(says_utf8, "news")
    assert parsed.entries[0].title == "S\xe3o Paulo flood"
    assert "says utf-8 but is not" in parsed.notes[0]
    says_latin1 = says_utf8.decode("latin-1").replace("utf-8", "iso-8859-1").encode("utf-8")
    parsed = parse(says_latin1, "news")
    assert parsed.entries[0].title == "S\xe3o Paulo flood"
    assert "is UTF-8" in parsed.notes[0]


def test_the_http_charset_is_used_when_the_document_declares_none():
    body = '<rss version="2.0"><channel><title>Caf\xe9</title></channel></rss>'.encode("cp1252")
    assert parse(body, "news", charset="windows-1252").title == "Caf\xe9"


def test_an_unknown_kind_is_refused():
    with pytest.raises(FeedError, match="unknown feed kind"):
        parse(own_bytes("news.rss"), "tweets")


def _rss(language: str | None) -> bytes:
    lang = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"{lang}<item><guid>a</guid><title>Gunman kills 5 at a school</title></item>"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("language", "home"),
    [
        ("en-us", "US"),
        ("en_GB", "GB"),
        ("fr-CA", "CA"),
        ("en", None),
        ("xx-ZZ", None),
        (None, None),
    ],
)
def test_the_feeds_language_names_the_publishers_country(language, home):
    (entry,) = parse(_rss(language), "news").entries
    assert entry.home_country == home


def test_a_configured_home_country_wins_over_the_language():
    (entry,) = parse(_rss("en-us"), "news", home_country="GB").entries
    assert entry.home_country == "GB"


def test_a_configured_subdivision_reaches_every_entry():
    (entry,) = parse(_rss(None), "news", home_country="US", home_region="US-LA").entries
    assert (entry.home_country, entry.home_region) == ("US", "US-LA")
    assert home_of("us-la") == ("US", "US-LA")
    assert home_of("GB") == ("GB", None)
    assert home_of(None) == home_of("") == (None, None)


@pytest.mark.parametrize(
    ("url", "home"),
    [
        ("https://www.abc.net.au/news/feed/51120/rss.xml", "AU"),
        ("http://feeds.bbci.co.uk/news/rss.xml", "GB"),
        ("https://user@nachrichten.example.de:8443/rss", "DE"),
        ("https://example.fr./rss", "FR"),
        # Generic domains, and country domains sites everywhere use for their letters.
        ("https://rss.cnn.com/rss/edition.rss", None),
        ("https://news.example.io/feed", None),
        ("https://example.tv/feed", None),
        ("https://example.co/feed", None),
        ("http://localhost:8000/feed.xml", None),
        ("http://127.0.0.1/feed.xml", None),
        ("https://example.zz/feed", None),
    ],
)
def test_the_feeds_domain_names_the_publishers_country_when_nothing_else_does(url, home):
    assert domain_country(url) == home
    (entry,) = parse(_rss(None), "news", url).entries
    assert entry.home_country == home
    # The language, when it names a country, comes first.
    (entry,) = parse(_rss("en-us"), "news", url).entries
    assert entry.home_country == "US"


def test_the_sites_own_link_names_the_country_when_the_feeds_address_does_not():
    body = _rss(None).replace(
        b"<title>T</title>", b"<title>T</title><link>https://x.example.ie/</link>"
    )
    (entry,) = parse(body, "news", "https://feeds.example.com/x.rss").entries
    assert entry.home_country == "IE"


@pytest.mark.parametrize("value", ["US-LA", "us", "GB-KEN", "FR"])
def test_a_known_code_is_a_publishers_area(value):
    assert home_problem(value) is None


@pytest.mark.parametrize("value", ["WORLD", "XX", "US-ZZ", "Louisiana", "", 5, None])
def test_anything_else_is_named_as_no_area(value):
    problem = home_problem(value)
    assert problem is not None and "ISO 3166-2" in problem

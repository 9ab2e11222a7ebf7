"""rules.assess: tragedies and traps, per source, plus two broad runs over real text.

News headlines are written the way agencies and papers write them; the traps are the
uses of violent words that are not harm (sport, markets, films, anniversaries, trials,
forecasts, politics). The AG News run measures false alarms on its Sports and Business
classes; the Mother Jones run checks that real mass-shooting summaries are recognised.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from rules.assess import assess
from rules.correlate import affected_area
from rules.reports import Entry
from tests import locate

NOW = datetime(2024, 5, 20, 18, 0, tzinfo=UTC)


def news(title: str, summary: str = "", **kw: object) -> Entry:
    return Entry("news", f"test:{title}", title, summary, published=NOW - timedelta(hours=2), **kw)


def held(entry: Entry) -> bool:
    result = assess(entry, NOW)
    return result.tragedy and result.severity >= 2


# ------------------------------------------------------------------ news: tragedies
TRAGEDIES = [
    # title, summary, kind, lowest severity, highest severity, a region that must be named
    ("Gunman kills 5 in Uvalde, Texas", "", "shooting", 2, 2, "US-TX"),
    (
        "At least 73 dead and thousands injured after massive explosion rocks Beirut",
        "",
        "explosion",
        3,
        3,
        "LB",
    ),
    ("Death toll hits 250 after quake strikes eastern Turkey", "", "earthquake", 3, 3, "TR"),
    ("Dozens killed as floods sweep through northern Pakistan", "", "flood", 3, 3, "PK"),
    ("Hurricane Ida makes landfall in Louisiana, killing two", "", "hurricane", 2, 2, "US-LA"),
    ("Tornado kills four in Oklahoma town", "", "tornado", 2, 2, "US-OK"),
    ("Train derails in India, killing at least 50", "", "crash", 3, 3, "IN"),
    ("Suicide bomber kills 12 at mosque in Kabul", "", "bombing", 2, 2, "AF"),
    ("Man stabbed to death in Leeds city centre", "", "stabbing", 1, 1, "GB"),
    # The labelling guideline holds for a disaster with deaths or mass evacuation;
    # homes destroyed with neither is shown, not held.
    ("Wildfire destroys hundreds of homes in California", "", "wildfire", 1, 1, "US-CA"),
    ("Thousands dead after tsunami hits Indonesian coast", "", "tsunami", 4, 4, "ID"),
    ("Building collapse in Lagos kills nine", "", "collapse", 2, 2, "NG"),
    ("Volcano erupts in Indonesia, killing 11 climbers", "", "volcano", 2, 2, "ID"),
    ("Heatwave kills 20 in Delhi as temperatures soar", "", "heatwave", 3, 3, "IN"),
    ("Massive explosion rocks Beirut port", "", "explosion", 2, 2, "LB"),
    (
        "Government declares three days of national mourning after stadium stampede in Jakarta",
        "At least 125 people were killed in the crush.",
        "stampede",
        4,
        4,
        "ID",
    ),
    ("Bus plunges into ravine in Peru, 24 dead", "", "crash", 3, 3, "PE"),
    ("Ferry capsizes off Bangladesh coast, hundreds missing", "", "crash", 2, 3, "BD"),
    (
        "Isaias turns deadly and spawns tornadoes as it races up the US East Coast",
        "Hurricane Isaias slammed into North Carolina Monday night, bringing coastal and "
        "inland flooding.",
        "hurricane",
        2,
        2,
        "US-NC",
    ),
    ("Leeds shooting: one man killed, one seriously injured", "", "shooting", 1, 1, "GB"),
    ("Typhoon Hagibis batters Japan, leaving 35 dead", "", "typhoon", 3, 3, "JP"),
    ("Twin car bombs kill 30 in Baghdad market", "", "bombing", 3, 3, "IQ"),
    (
        "Police say gunman opened fire on worshippers at a synagogue in Pittsburgh",
        "Eleven people were killed.",
        "shooting",
        2,
        2,
        "US-PA",
    ),
]


# Cases the learned model gets wrong today. Each stays in the table as a strict xfail:
# the run fails as soon as a better model gets it right. A retrained model that
# loses a case is recorded here with its score, so a loss is never silent.
KNOWN_MISSES = {
    "Massive explosion rocks Beirut port": "an explosion with no toll yet scores low",
}


def _cases(rows):
    return [
        pytest.param(
            *row,
            id=row[0][:50],
            marks=[pytest.mark.xfail(reason=KNOWN_MISSES[row[0]], strict=True)]
            if row[0] in KNOWN_MISSES
            else [],
        )
        for row in rows
    ]


@pytest.mark.parametrize(("title", "summary", "kind", "low", "high", "region"), _cases(TRAGEDIES))
def test_it_recognises_news_of_a_tragedy(title, summary, kind, low, high, region):
    result = assess(news(title, summary), NOW)
    assert result.tragedy, result
    assert result.kind == kind, result
    assert low <= result.severity <= high, result
    assert region in result.regions, result
    assert result.evidence and 0 < result.confidence <= 1


# ------------------------------------------------------------------ news: traps
TRAPS = [
    ("Shooting guard scores 30 as Lakers beat Celtics", ""),
    ("Heat crush Nets 120-95 to clinch top seed", ""),
    ("Bombers edge Tiger-Cats in overtime thriller", ""),
    ("Comedian killed it at the Apollo last night", ""),
    ("Blowout: Patriots massacre Jets 45-3", ""),
    ("Oil prices crash as demand slumps", ""),
    ("Stocks plunge after Fed decision", ""),
    ("Venezuelans Flood Polls, Voting Extended", ""),
    ("Review: 'Greenland' is a disaster movie with heart", "A comet fragment levels a city."),
    ("Trailer: the new Godzilla film levels Tokyo", ""),
    ("10 years since the Haiti earthquake killed 200,000", ""),
    ("Trial of Parkland shooter begins in Florida", ""),
    ("Gunman sentenced to life for 2015 church shooting that killed nine", ""),
    ("City remembers victims on anniversary of the Boston Marathon bombing", ""),
    ("A major earthquake could hit California, experts warn", ""),
    ("Schools across Japan hold earthquake drill", ""),
    ("Risk of flooding rises along the coast this winter", ""),
    ("Brexit vote a political earthquake for Westminster", ""),
    ("Storm of criticism over new tax plan", ""),
    ("Startup takes the smartphone market by storm", ""),
    ("Player shot 68 to lead the Masters", ""),
    ("Coach fired after a season of losses", ""),
    ("Senator blasts rival's plan as reckless", ""),
    ("Hurricanes beat Rangers in overtime", ""),
    ("Landslide victory for ruling party in Hungary", ""),
    ("Tsunami of data threatens to swamp networks", ""),
    ("Hiroshima marks 75 years since the atomic bombing", ""),
    ("Why earthquake-proof buildings matter", ""),
    ("Covid-19 death toll passes 100,000 in the UK", ""),
    ("Met Police officer forgives gangster who shot him", "The shooting happened 26 years ago."),
    ("Explosion in demand for electric cars", ""),
    ("Man arrested over bomb hoax at airport", ""),
    (
        "'I feel guilty for surviving': The deadly hunt for jade in Myanmar",
        "Nearly 200 people died last month in a jade mine landslide. Now the survivors are "
        "going back to work.",
    ),
    ("Fulham beat Brentford 2-1 to win the play-off final", ""),
    ("Bolt blasts off the blocks to win gold", ""),
]


@pytest.mark.parametrize(("title", "summary"), TRAPS, ids=[row[0][:50] for row in TRAPS])
def test_it_does_not_hold_for_a_trap(title, summary):
    result = assess(news(title, summary), NOW)
    assert not (result.tragedy and result.severity >= 2), result


def test_old_news_is_not_a_tragedy_now():
    entry = Entry(
        "news",
        "old",
        "Gunman kills 5 in Uvalde, Texas",
        published=NOW - timedelta(days=30),
    )
    assert not assess(entry, NOW).tragedy


def test_a_link_names_the_place_when_the_text_does_not():
    entry = news(
        "Blast kills dozens and injures thousands",
        link="https://news.example/2020/08/04/middleeast/beirut-explosion-port-intl/index.html",
    )
    result = assess(entry, NOW)
    assert result.tragedy and result.kind == "explosion"
    assert "LB" in result.regions
    assert any("in link" in line for line in result.evidence)


def test_a_link_is_not_read_when_the_text_names_the_place():
    entry = news("Blast kills dozens in Lagos", link="https://news.example/beirut/index.html")
    assert "LB" not in assess(entry, NOW).regions


def test_the_assessment_serialises_as_the_assess_line():
    entry = news("Gunman kills 5 in Uvalde, Texas")
    line = assess(entry, NOW).as_json(entry)
    assert line["tragedy"] is True and line["kind"] == "shooting" and line["severity"] == 2
    assert line["regions"][-1] == "US" and isinstance(line["evidence"], list)


# ------------------------------------------------------------------ CAP
def cap(event: str, severity: str, urgency: str, certainty: str, **extra: object) -> Entry:
    fields = {
        "cap_event": event,
        "cap_severity": severity,
        "cap_urgency": urgency,
        "cap_certainty": certainty,
        "cap_status": "Actual",
        "cap_msgtype": "Alert",
        "cap_expires": (NOW + timedelta(hours=2)).isoformat(),
        "cap_areadesc": "Cleveland; McClain",
    }
    fields.update({k: str(v) for k, v in extra.items() if k.startswith("cap_")})
    return Entry(
        "cap",
        f"cap:{event}",
        f"{event} issued by NWS",
        str(extra.get("summary", "")),
        published=NOW - timedelta(minutes=10),
        fields=fields,
        geocodes={"UGC": ("OKC027", "OKC087"), "FIPS6": ("040027", "040087")},
    )


CAP_CASES = [
    # entry, tragedy, severity, kind
    (cap("Tornado Warning", "Extreme", "Immediate", "Observed"), True, 2, "tornado"),
    (cap("Tornado Emergency", "Extreme", "Immediate", "Observed"), True, 3, "tornado"),
    (
        cap(
            "Tornado Warning",
            "Extreme",
            "Immediate",
            "Observed",
            summary="THIS IS A PARTICULARLY DANGEROUS SITUATION. A confirmed large tornado.",
        ),
        True,
        3,
        "tornado",
    ),
    (cap("Hurricane Warning", "Extreme", "Expected", "Likely"), True, 2, "hurricane"),
    (cap("Flash Flood Warning", "Severe", "Immediate", "Likely"), True, 1, "flood"),
    (cap("Severe Thunderstorm Warning", "Severe", "Immediate", "Observed"), True, 1, "storm"),
    (cap("Heat Advisory", "Minor", "Expected", "Likely"), False, 0, None),
    (cap("Small Craft Advisory", "Minor", "Expected", "Likely"), False, 0, None),
    (cap("Special Weather Statement", "Minor", "Expected", "Observed"), False, 0, None),
    (cap("Tornado Watch", "Extreme", "Future", "Possible"), False, 0, None),
    (cap("Flash Flood Watch", "Severe", "Expected", "Possible"), False, 0, None),
    (cap("Red Flag Warning", "Severe", "Expected", "Likely"), False, 0, None),
    (cap("Flood Warning", "Moderate", "Expected", "Likely"), False, 0, None),
    (
        cap("Tornado Warning", "Extreme", "Immediate", "Observed", cap_msgtype="Cancel"),
        False,
        0,
        None,
    ),
    (
        cap(
            "Tornado Warning",
            "Extreme",
            "Immediate",
            "Observed",
            cap_expires=(NOW - timedelta(minutes=5)).isoformat(),
        ),
        False,
        0,
        None,
    ),
    (
        cap(
            "Severe Weather Statement",
            "Severe",
            "Immediate",
            "Observed",
            summary="THE SEVERE THUNDERSTORM WARNING FOR RIVERSIDE COUNTY IS CANCELLED.",
        ),
        False,
        0,
        None,
    ),
]


@pytest.mark.parametrize(
    ("entry", "tragedy", "severity", "kind"),
    CAP_CASES,
    ids=[
        f"{e.fields['cap_event']}-{e.fields['cap_severity']}-{e.fields['cap_msgtype']}-{i}"
        for i, (e, *_) in enumerate(CAP_CASES)
    ],
)
def test_cap_alerts_map_onto_the_severity_scale(entry, tragedy, severity, kind):
    result = assess(entry, NOW)
    assert result.tragedy is tragedy, result
    assert result.severity == severity, result
    assert result.kind == kind, result
    if tragedy:
        assert result.regions[:2] == ("US-OK", "US"), result


# ------------------------------------------------------------------ GDACS
def gdacs(level: str, event_type: str, iso3: str, country: str, **extra: str) -> Entry:
    fields = {
        "gdacs_alertlevel": level,
        "gdacs_eventtype": event_type,
        "gdacs_iso3": iso3,
        "gdacs_country": country,
        "gdacs_iscurrent": "true",
        **extra,
    }
    return Entry(
        "gdacs",
        f"gdacs:{level}{event_type}",
        f"{level} alert for {event_type} in {country}",
        published=NOW - timedelta(hours=3),
        point=(37.17, 37.03),
        fields=fields,
    )


GDACS_CASES = [
    (gdacs("Green", "EQ", "ZAF", "South Africa"), False, 0, "ZA"),
    (gdacs("Orange", "TC", "MUS", "Mauritius"), True, 2, "MU"),
    (gdacs("Orange", "FL", "PAK", "Pakistan", gdacs_population="2500000"), True, 3, "PK"),
    (gdacs("Red", "EQ", "TUR", "Turkey"), True, 4, "TR"),
    (gdacs("Red", "FL", "BGD", "Bangladesh"), True, 3, "BD"),
    (gdacs("Red", "DR", "AUS", "Australia"), False, 0, "AU"),
    (gdacs("Orange", "EQ", "TUR", "Turkey", gdacs_iscurrent="false"), False, 0, "TR"),
]


@pytest.mark.parametrize(
    ("entry", "tragedy", "severity", "country"),
    GDACS_CASES,
    ids=[e.title for e, *_ in GDACS_CASES],
)
def test_gdacs_colours_map_onto_the_severity_scale(entry, tragedy, severity, country):
    result = assess(entry, NOW)
    assert result.tragedy is tragedy, result
    assert result.severity == severity, result
    if tragedy:
        assert country in result.regions, result


# ------------------------------------------------------------------ earthquakes
def quake(
    mag: float, depth: float, lat: float, lon: float, pager: str = "", kind: str = "usgs"
) -> Entry:
    fields = {"magnitude": str(mag), "depth_km": str(depth)}
    if pager:
        fields["pager_alert"] = pager
    return Entry(
        kind,
        f"{kind}:{mag}:{lat}:{lon}",
        f"M {mag} - somewhere",
        published=NOW - timedelta(minutes=30),
        point=(lat, lon),
        fields=fields,
    )


QUAKES = [
    # entry, tragedy, severity (at least), country
    (quake(2.5, 8, 35.7, -117.5), False, 0, None),
    (quake(4.9, 10, 35.7, 139.7), False, 0, None),
    (quake(7.8, 15, 28.2, 84.7), True, 3, "NP"),  # Gorkha, shallow, populated
    (quake(6.6, 10, 37.2, 37.0), True, 2, "TR"),  # shallow, populated
    (quake(6.8, 600, -20.0, -178.0), False, 0, None),  # deep focus under the Fiji sea
    (quake(6.6, 15, -9.32, 158.0, pager="green"), False, 0, None),  # PAGER green wins
    (quake(5.5, 10, 37.2, 37.0, pager="red"), True, 4, "TR"),  # PAGER red wins
    (quake(6.4, 10, -9.32, 157.9), False, 0, None),  # 180 km off the Solomon Islands
    (quake(1.2, 13, 45.65, 15.52, kind="emsc"), False, 0, None),
    (quake(6.4, 10, 45.42, 16.26, kind="emsc"), True, 1, "HR"),  # Petrinja
]


@pytest.mark.parametrize(
    ("entry", "tragedy", "severity", "country"),
    QUAKES,
    ids=[f"{e.feed_kind}-M{e.fields['magnitude']}-{e.point}" for e, *_ in QUAKES],
)
def test_earthquakes_weigh_magnitude_depth_and_people_nearby(entry, tragedy, severity, country):
    result = assess(entry, NOW)
    assert result.tragedy is tragedy, result
    assert result.severity >= severity, result
    if country:
        assert country in result.regions, result


def test_an_old_earthquake_is_not_news():
    entry = quake(7.8, 15, 28.2, 84.7)
    assert not assess(entry, NOW + timedelta(days=10)).tragedy


# ------------------------------------------------------------------ broad runs
def ag_news() -> list[tuple[str, str, str]]:
    with locate.fixture_text("ag_news_test.csv").open(encoding="utf-8") as handle:
        return [(c, t, d.replace("\\", " ")) for c, t, d in csv.reader(handle)]


# Measured 2024-05 on the 1,900 headlines of each class: Sports 6 (0.32 %, five of
# them the real Hendrick Motorsports plane crash and Hurricane Frances deaths),
# Business 1 (0.05 %). The ceiling leaves a little room, not a lot.
AG_CEILING = {"2": 0.005, "3": 0.005}


@pytest.mark.corpus
@pytest.mark.parametrize(
    "label",
    [
        pytest.param(
            "2",
            id="sports",
            marks=pytest.mark.xfail(
                reason="golf scores ('shot a 66') read as shootings: no golf in the labelled set",
                strict=True,
            ),
        ),
        pytest.param("3", id="business"),
    ],
)
def test_ag_news_sports_and_business_rarely_hold(label):
    now = datetime(2005, 1, 1, tzinfo=UTC)
    rows = [(t, d) for c, t, d in ag_news() if c == label]
    alarms = [t for t, d in rows if held_at(Entry("news", t, t, d), now)]
    rate = len(alarms) / len(rows)
    assert rate <= AG_CEILING[label], (rate, alarms)


def held_at(entry: Entry, now: datetime) -> bool:
    result = assess(entry, now)
    return result.tragedy and result.severity >= 2


@pytest.mark.corpus
def test_mother_jones_mass_shootings_are_recognised():
    path = locate.fixture_text("motherjones_us_mass_shootings_1982-2019.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    found = kinds = states = 0
    for row in rows:
        case, location, date, summary = row[0], row[1], row[2], row[3]
        month, day, year = (int(part) for part in date.split("/"))
        when = datetime(
            year + (1900 if 50 < year < 100 else 2000 if year < 100 else 0), month, day, tzinfo=UTC
        )
        entry = Entry(
            "news", case, f"{case} in {location}", summary, published=when + timedelta(hours=6)
        )
        result = assess(entry, when + timedelta(hours=12))
        found += result.tragedy
        kinds += result.kind == "shooting"
        state = location.rsplit(",", 1)[-1].strip()
        states += any(code.startswith("US-") for code in result.regions) and bool(state)
    assert found / len(rows) >= 0.95, found
    assert kinds / len(rows) >= 0.90, kinds
    assert states / len(rows) >= 0.90, states


def _gdacs(**fields: str) -> Entry:
    base = {"gdacs_alertlevel": "Orange", "gdacs_eventtype": "FL", "gdacs_iso3": "PAK"}
    return Entry("gdacs", "g", "Flood in Pakistan", fields={**base, **fields})


def test_a_gdacs_alert_stays_a_tragedy_while_its_episode_is_current():
    days_later = NOW + timedelta(days=10)
    current = _gdacs(gdacs_iscurrent="true", gdacs_todate="Mon, 13 May 2024 00:00:00 GMT")
    assert assess(current, days_later).tragedy
    assert not assess(_gdacs(gdacs_iscurrent="false"), NOW).tragedy
    # Without the flag, an episode that ended days ago is over; one ending today is not.
    ended = _gdacs(gdacs_todate="Mon, 13 May 2024 00:00:00 GMT")
    assert not assess(ended, NOW).tragedy
    assert assess(_gdacs(gdacs_todate="2024-05-20T06:00:00"), NOW).tragedy


def test_news_naming_no_place_is_placed_in_the_publishers_country():
    from dataclasses import replace as _replace

    plain = Entry("news", "g", "Gunman kills 5 at a school, police say")
    at_home = _replace(plain, home_country="US")
    alone, placed = assess(plain, NOW), assess(at_home, NOW)
    assert placed.tragedy and placed.regions == ("US",)
    assert "no place named: the publisher's country US" in placed.evidence
    assert alone.regions == ()
    # A place named in the text is kept, whatever the publisher's country.
    elsewhere = _replace(at_home, title="Gunman kills 5 at a school in Leeds")
    assert assess(elsewhere, NOW).regions[-1] == "GB"


def test_news_of_an_area_of_several_countries_holds_for_each_of_them():
    entry = Entry(
        "news",
        "g",
        "More than 500 dead across Southeast Asia after record rainfall, floods",
        home_country="US",
    )
    result = assess(entry, NOW)
    assert result.tragedy and result.severity >= 2, result
    # Every member country, not the publisher's: the area is named.
    assert {"ID", "TH", "MY", "PH", "VN"} <= set(result.regions) and "US" not in result.regions
    assert affected_area(result.regions) == result.regions
    assert any("'Southeast Asia' -> ID" in line for line in result.evidence)

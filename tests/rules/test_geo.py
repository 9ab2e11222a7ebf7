"""rules.geo: the gazetteer seam, mention finding, disambiguation and the event's place."""

import gzip
import io
import json
from pathlib import Path

import pytest

import rules.data
from rules import geo, regions
from rules.geo import gazetteer as gz
from rules.geo import mentions
from rules.geo.gazetteer import Gazetteer, name_key
from rules.regions import lineage
from scheduler import cli
from training.corpus import corpus_dir


def places(text, **kw):
    return [(p.text, p.country, p.admin1, p.kind) for p in geo.parse(text, **kw).places]


def event(text, **kw):
    return geo.parse(text, **kw).event


# ---------------------------------------------------------------- gazetteer


def test_the_packaged_gazetteer_has_every_kind_with_coordinates():
    g = gz.gazetteer()
    kinds = {e.kind for e in g.entries()}
    assert kinds == {
        "continent",
        "water",
        "area",
        "country",
        "admin1",
        "region",
        "admin2",
        "city",
        "demonym",
    }
    assert len(g) > 150_000
    spokane = [e for e in g.lookup("Spokane") if e.kind == "city"]
    assert spokane[0].admin1 == "US-WA"
    assert spokane[0].geonameid == 5811696
    assert abs(spokane[0].lat - 47.66) < 0.1
    # Every entry but the demonyms has a point, except three uninhabited territories
    # that no source places.
    missing = {e.country for e in g.entries() if e.lat is None and e.kind != "demonym"}
    assert missing <= {"AQ", "BV", "UM"}


def _areas_file():
    rows = []
    path = Path(rules.data.__file__).parent / "areas.tsv"
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, alts, members = line.split("\t")
            rows.append((name, [a for a in alts.split("|") if a], members.split()))
    return rows


@pytest.mark.parametrize(("name", "alts", "members"), _areas_file(), ids=lambda v: str(v)[:20])
def test_every_area_is_in_the_gazetteer_by_each_name_with_known_member_countries(
    name, alts, members
):
    assert len(members) >= 2 and len(set(members)) == len(members)
    for code in members:
        assert lineage(code)[0] == code  # a country tactful can hold posts for
    g = gz.gazetteer()
    for spelling in (name, *alts):
        found = [e for e in g.lookup(spelling) if e.kind == "area"]
        assert [e.name for e in found] == [name], spelling
        listed = g.members[found[0].index]
        assert sorted(listed) == sorted(members)
        people = [g.region(code).population for code in listed]
        assert people == sorted(people, reverse=True)


@pytest.mark.parametrize(
    ("city", "code"),
    [
        # A city that is a first-level subdivision of its own, beside the province
        # around it ...
        ("Moscow", "RU-MOW"),
        ("Belgrade", "RS-00"),
        ("Tashkent", "UZ-TK"),
        ("Lima", "PE-LMA"),
        # ... and those that were already so.
        ("Buenos Aires", "AR-C"),
        ("Kyiv", "UA-30"),
        ("Saint Petersburg", "RU-SPE"),
    ],
)
def test_a_city_that_is_a_subdivision_of_its_own_lies_in_it(city, code):
    biggest = max(
        (e for e in gz.gazetteer().lookup(city) if e.kind == "city"), key=lambda e: e.population
    )
    assert biggest.admin1 == code


def test_a_country_is_placed_at_its_reference_point_when_its_outline_misleads():
    # The centre of Indonesia's largest land mass is on Borneo, and Chile's outline
    # centres far south: both are hundreds of kilometres from where gazetteers put the
    # country. A compact country keeps the centre of its main territory.
    g = gz.gazetteer()
    for code, (lat, lon) in {"ID": (-5.0, 120.0), "CL": (-30.0, -71.0)}.items():
        entry = g.region(code)
        assert entry is not None and entry.lat is not None and entry.lon is not None
        assert gz.km(entry.lat, entry.lon, lat, lon) < 100
    us = g.region("US")
    assert us is not None and us.lat is not None and us.lon is not None
    assert gz.km(us.lat, us.lon, 39.5, -99.1) < 50


def test_a_country_lies_between_its_outline_centre_and_its_reference_point():
    # Russia's outline centre is 190 km from the reference point gazetteers give (60 N,
    # 100 E), China's 200 km from 35 N, 105 E: halfway, each is within 161 km of both.
    # The United States' reference point is GeoNames' (the contiguous states' centre),
    # not the Factbook's 38 N, 97 W.
    g = gz.gazetteer()
    for code, outline, reference in (
        ("RU", (61.69, 99.22), (60.0, 100.0)),
        ("CN", (36.61, 103.87), (35.0, 105.0)),
        ("US", (39.50, -99.06), (39.76, -98.5)),
    ):
        entry = g.region(code)
        assert entry is not None and entry.lat is not None and entry.lon is not None
        to_outline = gz.km(entry.lat, entry.lon, *outline)
        to_reference = gz.km(entry.lat, entry.lon, *reference)
        assert to_outline < 161 and to_reference < 161, code
        assert abs(to_outline - to_reference) < 10, code
    us = g.region("US")
    assert us is not None and us.lat is not None and us.lon is not None
    assert gz.km(us.lat, us.lon, 39.76, -98.5) < 60  # halfway to 38 N, 97 W would be 119


def test_lookup_uses_alternate_names_and_iso_codes():
    g = gz.gazetteer()
    assert any(e.name == "Kyiv" for e in g.lookup("Kiev"))
    turkish = g.lookup("Turkish")
    assert [(e.kind, e.country) for e in turkish] == [("demonym", "TR")]
    assert g.region("US-WA").name == "Washington"
    assert g.region("TR-06") is not None  # ISO codes, not GeoNames admin1 codes


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [
        ("West Bank", "PS", None),  # a GeoNames admin1 that is no ISO subdivision
        ("Gaza Strip", "PS", None),
        ("Transnistria", "MD", None),
        ("Darfur", "SD", None),  # the name North, South, West ... Darfur share
        ("Java", "ID", "ID-JW"),  # held by one first-level unit: its admin1
    ],
)
def test_regions_that_are_no_subdivision_are_in_the_gazetteer(name, country, admin1):
    found = [e for e in gz.gazetteer().lookup(name) if e.kind == "region"]
    assert [(e.country, e.admin1) for e in found] == [(country, admin1)]
    assert found[0].lat is not None and found[0].population > 0


def test_bodies_of_water_are_in_the_gazetteer_with_no_country():
    g = gz.gazetteer()
    for name in ("Pacific", "Pacific Ocean", "Gulf of Mexico", "Black Sea", "Lake Victoria"):
        water = [e for e in g.lookup(name) if e.kind == "water"]
        assert len(water) == 1, name
        assert water[0].country == "" and water[0].admin1 is None
        assert water[0].lat is not None and water[0].lon is not None
    pacific = next(e for e in g.lookup("Pacific") if e.kind == "water")
    assert pacific.lat is not None and pacific.lon is not None
    assert gz.km(pacific.lat, pacific.lon, 0.0, -160.0) < 500
    # Region search never offers a sea.
    assert all(e.kind != "water" for e in g.search("Black Sea"))


@pytest.mark.parametrize(
    ("text", "water", "where"),
    [
        # A sea named like a town is the sea, and a place on land stays the event's.
        ("Storm churns across the Pacific toward Hawaii", "Pacific", "US-HI"),
        ("Migrant boat sinks in the Mediterranean off Libya", "Mediterranean", "LY"),
        # Its name is one mention: not "Mexico", not the Indian demonym.
        ("Oil spill spreads in the Gulf of Mexico", "Gulf of Mexico", None),
        ("Cyclone forms over the Indian Ocean", "Indian Ocean", None),
        # A body of water is never the event's place: it holds no country's posts.
        ("Ferry capsizes on Lake Victoria, 40 dead", "Lake Victoria", None),
        ("Cargo ship attacked in the Red Sea", "Red Sea", None),
    ],
)
def test_a_body_of_water_is_read_as_one_and_is_never_the_events_place(text, water, where):
    parsed = geo.parse(text)
    seas = [p for p in parsed.places if p.kind == "water"]
    assert [p.text for p in seas] == [water]
    assert seas[0].country is None and seas[0].regions == ()
    assert all(p.text != "Mexico" for p in parsed.places)
    got = parsed.event
    assert (got.regions[0] if got is not None else None) == where


def test_a_town_named_after_a_sea_is_read_where_a_qualifier_places_it():
    assert places("Flooding closes roads in Pacific, Missouri")[0] == (
        "Pacific",
        "US",
        "US-MO",
        "city",
    )
    assert geo.event_regions("Flooding closes roads in Pacific, Missouri") == ("US-MO", "US")


@pytest.mark.parametrize(
    ("text", "name", "country", "kind"),
    [
        # Regions that no source of the build gives, from rules/data/regions.tsv.
        ("Fighting flares in South Ossetia", "South Ossetia", "GE", "region"),
        ("Shelling kills 4 in Donbass", "Donbass", "UA", "region"),
        # Demonyms of subdivisions and peoples, from rules/data/demonyms.tsv.
        ("Abkhaz forces shelled the gorge", "Abkhaz", "GE", "demonym"),
        ("Sinhalese and Tamil parties met", "Sinhalese", "LK", "demonym"),
    ],
)
def test_hand_kept_regions_and_demonyms_are_read(text, name, country, kind):
    found = geo.parse(text).places
    assert (found[0].text, found[0].country, found[0].kind) == (name, country, kind)


# Every entry of rules/data/nicknames.tsv, read in a sentence, and where it stands.
NICKNAMES = [
    ("NYC gunman had a history of concussions", "NYC", "US-NY", "city"),
    ("Fires spread across LA overnight", "LA", "US-CA", "city"),
    ("Rain floods streets in L.A. on Sunday", "L.A.", "US-CA", "city"),
    ("A tech worker was stabbed in SF on Friday", "SF", "US-CA", "city"),
    ("Protesters marched in DC after the ruling", "DC", "US-DC", "admin1"),
    ("A shooting on the Strip in Vegas left 2 dead", "Vegas", "US-NV", "city"),
    ("Storms knock out power across ATL suburbs", "ATL", "US-GA", "city"),
    ("Tornado warning issued for OKC metro", "OKC", "US-OK", "city"),
    ("Police in KC investigate a double homicide", "KC", "US-MO", "city"),
    ("Flooding hits Music City after record rain", "Music City", "US-TN", "city"),
    ("Haze blankets KL as fires burn in Sumatra", "KL", "MY-14", "city"),
    ("Floods swamp streets in HCMC after heavy rain", "HCMC", "VN-SG", "city"),
    ("It is not over yet: SoCal storm brings flooding", "SoCal", "US-CA", "admin1"),
    ("Wildfire smoke chokes NorCal towns", "NorCal", "US-CA", "admin1"),
    ("Earthquake shakes the Bay Area", "Bay Area", "US-CA", "city"),
    ("Power cuts hit the SF Bay Area", "SF Bay Area", "US-CA", "city"),
    ("Storm soaks the San Francisco Bay Area", "San Francisco Bay Area", "US-CA", "city"),
    ("Layoffs sweep Silicon Valley firms", "Silicon Valley", "US-CA", "city"),
    ("Heat wave grips the Inland Empire", "Inland Empire", "US-CA", "city"),
    ("Brush fire in the San Fernando Valley", "San Fernando Valley", "US-CA", "city"),
    ("Lake-effect snow buries Upstate New York", "Upstate New York", "US-NY", "admin1"),
    ("Blizzard closes roads in the Twin Cities", "Twin Cities", "US-MN", "city"),
    ("Hurricane threatens the Outer Banks", "Outer Banks", "US-NC", "city"),
    ("Evacuations ordered in the Florida Keys", "Florida Keys", "US-FL", "city"),
    ("Shark attack on Cape Cod beach", "Cape Cod", "US-MA", "city"),
    ("Flooding in Hampton Roads closes tunnels", "Hampton Roads", "US-VA", "city"),
    ("Tornado touches down in the Lowcountry", "Lowcountry", "US-SC", "city"),
]


@pytest.mark.parametrize(("text", "name", "region", "kind"), NICKNAMES)
def test_short_forms_and_nicknames_of_big_places_are_read(text, name, region, kind):
    found = [p for p in geo.parse(text).places if p.text == name]
    assert found and (found[0].regions[0], found[0].kind) == (region, kind)


def test_every_nickname_of_the_data_file_has_its_test():
    listed = {
        line.split("\t")[0]
        for line in gz.read_package_data("nicknames.tsv").decode("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert listed == {name for _, name, _, _ in NICKNAMES}


def test_a_short_form_is_read_only_in_capitals():
    # "La" is no Los Angeles, "Sf" no San Francisco: the short forms are abbreviations.
    assert not [p for p in geo.parse("Fans of La Liga gathered in a bar").places if p.text == "La"]
    assert not [p for p in geo.parse("The Sf unit was disbanded").places if p.text == "Sf"]


@pytest.mark.parametrize(
    ("text", "name", "region"),
    [
        # Plural demonyms, and demonyms of territories and regions (demonyms.tsv).
        ("Gazans Are Dying of Starvation", "Gazans", "PS"),
        ("Iraqis vote in a snap election", "Iraqis", "IQ"),
        ("New Yorkers brace for a blizzard", "New Yorkers", "US-NY"),
        ("Cypriots protest the new levy", "Cypriots", "CY"),
        ("Filipinos flee as a typhoon nears", "Filipinos", "PH"),
        ("Crimeans queue for fuel", "Crimeans", "UA-43"),
        ("Tibetans mark the anniversary", "Tibetans", "CN-XZ"),
        ("Catalans rally in the capital", "Catalans", "ES-CT"),
        ("Rhode Islanders dig out after the storm", "Rhode Islanders", "US-RI"),
    ],
)
def test_plural_and_territory_demonyms_are_read(text, name, region):
    found = [p for p in geo.parse(text).places if p.text == name]
    assert found and found[0].kind == "demonym" and found[0].regions[0] == region


def test_a_demonym_takes_no_plural_that_is_a_countrys_name():
    from rules.data import build_geo

    assert build_geo.demonym_forms("Philippine", {"philippines"}) == ["Philippine"]
    assert build_geo.demonym_forms("Gazan", set()) == ["Gazan", "Gazans"]
    assert build_geo.demonym_forms("French", set()) == ["French"]
    assert build_geo.demonym_forms("Cocos Islander", set()) == ["Cocos Islander", "Cocos Islanders"]
    assert build_geo.demonym_forms("Christmas Island", set()) == ["Christmas Island"]


@pytest.mark.parametrize(
    ("text", "name", "region"),
    [
        # An Arabic article written with a hyphen, in lower case or with another vowel.
        ("Paramilitary captures el-Fasher after siege", "el-Fasher", "SD-DN"),
        ("Clashes in Al-Fasher overnight", "Al-Fasher", "SD-DN"),
        ("Fighting in as-Suwayda kills 30", "as-Suwayda", "SY-SU"),
    ],
)
def test_an_arabic_article_opens_the_name(text, name, region):
    found = [p for p in geo.parse(text).places if p.text == name]
    assert found and found[0].regions[0] == region


def test_a_hyphenated_article_is_no_place_by_itself():
    # "Al" is a town in Norway; "Al-Mawasi", which the gazetteer lacks, is no Norwegian
    # place.
    assert all(p.country != "NO" for p in geo.parse("Strike on tents in Al-Mawasi").places)


def test_a_place_the_gazetteer_lacks_still_counts_as_named():
    title = "4 dead, 13 injured in Ybor City after law enforcement pursuit ends in crash"
    assert geo.event_and_named(title) == (None, True)
    # Not a person's or an organisation's name, nor capitals in Title Case.
    assert geo.event_and_named("2 killed in shooting at Brown University") == (None, False)
    assert geo.event_and_named("Four Dead In Ybor City Crash After Chase") == (None, False)


def test_a_demonym_outweighs_a_small_town_of_its_name():
    # In a text about the United States, "Canadian" is still Canada's, not the town of
    # Canadian, Texas: a demonym has the people of the region it stands for.
    found = places("A cow from a Washington state farm was shipped to a Canadian buyer.")
    assert found[-1] == ("Canadian", "CA", None, "demonym")
    canadian = [e for e in gz.gazetteer().lookup("Canadian") if e.kind == "demonym"]
    canada = gz.gazetteer().region("CA")
    assert canada is not None and canadian[0].population == canada.population > 0


def test_a_subdivisions_demonym_stands_for_its_subdivision():
    assert places("Ohioans head to the polls on Tuesday") == [("Ohioans", "US", "US-OH", "demonym")]
    assert geo.event_regions("Hoosiers hit by flooding") == ("US-IN", "US")


def test_a_subdivision_is_known_by_its_code_where_that_is_its_initials():
    g = gz.gazetteer()
    assert [e.admin1 for e in g.lookup("NSW")] == ["AU-NSW"]
    assert "MX-BCS" in {e.admin1 for e in g.lookup("BCS")}
    # Not where the initials spell a common word: "AND" is no name of Ards and North Down.
    assert not [e for e in g.lookup("AND") if e.kind == "admin1"]
    found = places("Floods cut off towns across northern NSW on Friday.")
    assert ("NSW", "AU", "AU-NSW", "admin1") in found


def test_a_country_is_known_by_its_name_without_the_article():
    g = gz.gazetteer()
    assert [e.country for e in g.lookup("Democratic Republic of Congo")] == ["CD"]
    assert [e.country for e in g.lookup("Republic of Congo")] == ["CG"]
    assert "PH" in {e.country for e in g.lookup("Republic of Philippines")}


def test_regions_leave_out_common_nouns_and_generic_words():
    g = gz.gazetteer()
    for word in ("Cape", "Islands", "Eastern", "Central and Western", "Highlands", "Governorate"):
        assert not [e for e in g.lookup(word) if e.kind == "region"], word


def test_a_subdivision_is_known_by_each_half_of_a_name_a_and_b():
    g = gz.gazetteer()
    assert {e.admin1 for e in g.lookup("Kashmir") if e.kind == "admin1"} >= {"IN-JK"}
    assert "CA-NL" in {e.admin1 for e in g.lookup("Labrador") if e.kind == "admin1"}


def test_a_place_whose_admin1_maps_to_no_subdivision_takes_the_nearest():
    # GeoNames divides the Palestinian territories into the West Bank and the Gaza
    # Strip, ISO into governorates: without its places the governorate around Gaza City
    # had no people and "Gaza" read as Mozambique's province.
    g = gz.gazetteer()
    governorate = g.region("PS-GZA")
    assert governorate is not None and governorate.population > 100_000
    city = next(e for e in g.lookup("Gaza") if e.kind == "city" and e.country == "PS")
    assert city.admin1 == "PS-GZA"
    assert event("Terrible thirst hits Gaza with polluted aquifers").country == "PS"
    # Also where the nearest subdivision holds mapped places: GeoNames has Taiwan as one
    # admin1 unit, so Taipei's maps to none.
    assert event("Four killed in a stabbing in Taipei").admin1 == "TW-TPE"


def test_a_region_is_read_in_text_and_can_be_the_events_place():
    found = geo.parse("Settlers attacked a village in the West Bank on Sunday.")
    assert [(p.text, p.kind, p.country) for p in found.places] == [("West Bank", "region", "PS")]
    assert event("Over 1,000 were killed in an attack on a camp in Darfur").country == "SD"


def test_a_subdivision_named_like_a_city_across_a_disputed_border_is_the_city():
    # The Palestinian governorate of Jerusalem lies around the city GeoNames puts in
    # Israel: the name in text is the city.
    assert places("Police closed roads in Jerusalem on Friday.") == [
        ("Jerusalem", "IL", "IL-JM", "city")
    ]


def test_place_subdivisions_gives_unmapped_places_the_nearest_subdivision():
    from rules.data import build_geo

    class Sub:
        def __init__(self, lat, lon):
            self.top, self.point = True, (lat, lon)

    iso = {"PS": {"PS-GZA": Sub(31.5, 34.45), "PS-HBN": Sub(31.5, 35.1)},
           "MZ": {"MZ-G": Sub(-23.0, 33.0), "MZ-L": Sub(-25.0, 32.6)}}  # fmt: skip
    cities = {
        "1": {"geonameid": 1, "countrycode": "PS", "latitude": 31.52, "longitude": 34.46},
        "2": {"geonameid": 2, "countrycode": "PS", "latitude": 31.53, "longitude": 35.09},
        "3": {"geonameid": 3, "countrycode": "MZ", "latitude": -23.1, "longitude": 33.1},
        "4": {"geonameid": 4, "countrycode": "MZ", "latitude": -25.0, "longitude": 32.7},
        "5": {"geonameid": 5, "countrycode": "PS", "latitude": 35.0, "longitude": 40.0},
        "6": {"geonameid": 6, "countrycode": "MZ", "latitude": -23.05, "longitude": 33.05},
    }
    region_of = {1: "PS", 2: "PS", 3: "MZ-G", 4: "MZ", 5: "PS", 6: "MZ"}
    # Place 3 keeps its mapped subdivision; place 5 is farther than NEAREST_KM from
    # every reference point and keeps its country only.
    assert build_geo.place_subdivisions(cities, region_of, iso) == {
        1: "PS-GZA",
        2: "PS-HBN",
        4: "MZ-L",
        6: "MZ-G",
    }


def test_place_subdivisions_uses_the_level_the_countrys_places_map_to():
    from rules.data import build_geo

    class Sub:
        def __init__(self, lat, lon, top):
            self.top, self.point = top, (lat, lon)

    # A geographical grouping (top level) around two provinces, its point between them.
    iso = {"ID": {"ID-JW": Sub(-6.9, 107.6, True), "ID-JK": Sub(-6.18, 106.83, False),
                  "ID-JB": Sub(-6.9, 107.6, False)}}  # fmt: skip
    cities = {
        str(n): {"geonameid": n, "countrycode": "ID", "latitude": lat, "longitude": lon}
        for n, lat, lon in [(1, -6.2, 106.85), (2, -6.9, 107.6), (3, -6.21, 106.84)]
    }
    # Most places map to provinces: the unmapped one goes to the nearest province.
    assert build_geo.place_subdivisions(cities, {1: "ID-JK", 2: "ID-JB", 3: "ID"}, iso) == {
        3: "ID-JK"
    }
    # Where they map to the top level, it stays the top level.
    assert build_geo.place_subdivisions(cities, {1: "ID-JW", 2: "ID-JW", 3: "ID"}, iso) == {
        3: "ID-JW"
    }


def test_a_places_first_level_lies_below_a_geographical_grouping():
    from rules.data import build_geo

    assert build_geo.top_level("GB-KEN") == "GB-ENG"
    assert build_geo.top_level("ID-JK") == "ID-JK"
    assert build_geo.top_level("ID-JK", groupings=True) == "ID-JW"
    # And so the packaged gazetteer places Jakarta in its province.
    assert places("A fire killed 22 in an office building in Jakarta")[0][:3] == (
        "Jakarta",
        "ID",
        "ID-JK",
    )


def test_the_loader_seam_can_be_replaced(monkeypatch):
    table = "\n".join(
        [
            "N\t1\tFreedonia\tFD\t\t10\t20\t5000000\t\tfreedonia",
            "S\t\tNorth March\tFD\tFD-NM\t11\t21\t200000\t\tnorth march",
            "P\t7\tTestville\tFD\tFD-NM\t11.5\t21.5\t40000\t\ttestville|test ville",
        ]
    )
    real = gz.LOADER

    def loader(name):
        if name == gz.DATA_FILE:
            return gzip.compress(table.encode())
        return real(name)

    monkeypatch.setattr(gz, "LOADER", loader)
    gz.reset()
    try:
        found = geo.parse("A fire in Testville, North March killed two.")
        assert [(p.name, p.admin1) for p in found.places] == [
            ("Testville", "FD-NM"),
            ("North March", "FD-NM"),
        ]
        assert found.event_place == 0
        assert gz.gazetteer().lookup("Test-Ville")[0].geonameid == 7
    finally:
        monkeypatch.setattr(gz, "LOADER", real)
        gz.reset()


def test_the_events_words_favour_a_town_over_a_county_of_its_name(monkeypatch):
    table = "\n".join(
        [
            "N\t1\tFreedonia\tFD\t\t10\t20\t5000000\t\tfreedonia",
            "K\t\tTestshire\tFD\tFD-NM\t12\t22\t30000\t\ttestshire",
            "P\t7\tTestshire\tFD\tFD-SO\t8\t18\t25000\t\ttestshire",
        ]
    )
    real = gz.LOADER
    monkeypatch.setattr(
        gz,
        "LOADER",
        lambda name: gzip.compress(table.encode()) if name == gz.DATA_FILE else real(name),
    )
    gz.reset()
    try:
        assert geo.parse("Testshire council meets").places[0].kind == "admin2"
        assert geo.parse("A fire in Testshire killed two").places[0].kind == "city"
    finally:
        monkeypatch.setattr(gz, "LOADER", real)
        gz.reset()


def test_a_broken_row_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown kind"):
        Gazetteer(["X\tonly"])


def test_what_is_remembered_about_names_holds_for_one_gazetteer_until_forgotten():
    memo: gz.NameMemo[str, int] = gz.NameMemo()
    packaged = gz.gazetteer()
    memo.of(packaged)["paris"] = 1
    assert memo.of(packaged) == {"paris": 1}
    other = Gazetteer(["N\t1\tFreedonia\tFD\t\t10\t20\t5000000\t\tfreedonia"])
    assert memo.of(other) == {}
    memo.of(other)["freedonia"] = 2
    packaged.forget_recent()  # timings start cold
    assert memo.of(other) == {}


def test_name_keys_fold_accents_and_abbreviations():
    assert name_key("Şanlıurfa") == "sanliurfa"
    assert name_key("St. Louis") == "saint louis"
    assert name_key("Coeur d'Alene") == "coeur d alene"


# ---------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    "text",
    [
        "Paris Hilton arrives for the premiere.",
        "Manchester United won again on Saturday.",
        "Georgia Tech beat its rival by ten points.",
        "Jordan said the team would recover.",
        "Mayor London Breed spoke to reporters.",
        "We walked down Dublin Road after dinner.",
        # A first name that is only another spelling of a village (Immanuel, in the
        # West Bank) is still a first name before a town's name.
        "Parents of missing baby Emmanuel Haro arrested on suspicion of murder",
    ],
)
def test_names_that_are_not_places_fall_out(text):
    assert places(text) == []


def _word_class(name):
    table = Path(gz.__file__).parents[1] / "data" / "geo_words.tsv"
    for line in table.read_text("utf-8").splitlines():
        if line.startswith(f"{name}\t"):
            return line.split("\t")[1].split("|")
    raise AssertionError(f"no class {name}")


@pytest.mark.parametrize("suffix", _word_class("settlement_suffix"))
def test_a_town_before_a_settlements_word_the_gazetteer_lacks_is_another_place(suffix):
    # Panorama (Greece) is a town; "Panorama City" (Los Angeles) is none the gazetteer
    # knows, and is not Panorama whatever settlement word follows: either the gazetteer
    # knows the whole name ("Panorama Village", Texas) or the text names no place.
    assert places("Crash in Panorama kills two")[0][:2] == ("Panorama", "GR")
    found = places(f"Crash in Panorama {suffix} kills two")
    assert [p[0] for p in found] in ([], [f"Panorama {suffix}"])


@pytest.mark.parametrize("office", _word_class("city_office"))
def test_a_towns_city_officers_leave_it_the_town(office):
    found = places(f"The Huntsville City {office} spoke on Monday, Texas officials said.")
    assert found[0][:3] == ("Huntsville", "US", "US-TX")


def test_a_settlements_word_before_a_towns_office_or_after_a_big_city_leaves_the_town():
    assert places("Fire at Boston City Hall")[0][:3] == ("Boston", "US", "US-MA")
    assert places("Mansfield Town Council met, Ohio officials said")[0][1:3] == ("US", "US-OH")
    # Names the gazetteer knows whole are read whole.
    assert places("Storm hits Miami Beach")[0][:3] == ("Miami Beach", "US", "US-FL")


def test_a_country_speaking_is_a_person_only_when_its_name_is_a_frequent_one():
    # "Jordan" is a frequent personal name (above), "Israel" and "Kenya" are not.
    for text, country in (
        ("Israel says it will open humanitarian routes", "IL"),
        ("Kenya says floods killed 40", "KE"),
    ):
        assert [p.country for p in geo.parse(text).places] == [country], text
    assert geo.parse("Chad said he would run for office.").places == ()


def test_sentence_initial_common_words_are_not_places():
    assert places("March was wet. But May was dry.") == []
    assert places("The storm reached Mobile, Alabama on Sunday.")[0][:3] == (
        "Mobile",
        "US",
        "US-AL",
    )


def test_an_abbreviation_opening_a_sentence_is_no_common_word():
    # "Us" is a town of France and a common word; "US" in capitals is the country.
    text = "The talks stalled. US rhetoric, however, was not matched by action."
    assert places(text) == [("US", "US", None, "country")]
    assert places("Us and them. We left at noon.") == []


def test_institutions_of_a_place_keep_the_place():
    assert places("Alexandria Police said the fire was set.")[0][0] == "Alexandria"
    assert ("U.S.", "US", None, "country") in places("The U.S. Army sent help.")


def test_demonyms_denote_their_country():
    found = geo.parse("Ukrainian drones hit a depot.").places
    assert [(p.kind, p.country) for p in found] == [("demonym", "UA")]
    assert found[0].lat is not None  # at the country's centre


def test_possessives_hyphens_and_dotted_abbreviations_are_read():
    found = places("California's salmon, Egyptian-US talks and the S.C. Trial Lawyers")
    assert [(p[0], p[2] or p[1]) for p in found] == [
        ("California", "US-CA"),
        ("Egyptian", "EG"),
        ("US", "US"),
        ("S.C.", "US-SC"),
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Flood in Iowa",  # "Iowa." keeps its full stop before the summary
        "Flood in U.S",  # "U.S." is one word before the summary
        "Storm hits Texas's",
        "Fire near St",
        "Vigil in D.C",
        "Quake",
        "",
    ],
)
def test_a_text_read_after_its_title_has_the_words_it_has_read_alone(title):
    text = f"{title}. Ohio's governor, in Springfield, Ill., said more."
    head = mentions.tokens(title)
    assert mentions.tokens(text, head) == mentions.tokens(text)
    assert mentions.tokens(title, head) == head


def test_an_ap_abbreviation_before_a_lower_case_word_is_its_state():
    # Its full stop cannot end a sentence there, as in AP headlines.
    assert places("Mass. legislators put off debate on gas tax hike.") == [
        ("Mass.", "US", "US-MA", "admin1")
    ]
    assert [p[2] for p in places("3 Ind. fugitives moved to another Neb. jail")] == [
        "US-IN",
        "US-NE",
    ]
    # Before a capitalised word the full stop may end the sentence, or "Miss." be a title.
    assert places("She thanked Miss. Smith") == []


def test_a_lone_common_word_town_is_weak_unless_placed():
    from rules.geo import mentions

    # "Congress" inside a sentence is as often the legislature as the town in Arizona:
    # kept, but no evidence for the other places.
    assert [m.weak for m in mentions.find("The bill passed Congress on Monday.")] == [True]
    # After a locative, or with a qualifier, it is a place like any other.
    assert [m.weak for m in mentions.find("A fire in Commerce killed two.")] == [False]
    assert [m.weak for m in mentions.find("Officials said Commerce, Ga., will vote")] == [
        False,
        False,
    ]


def test_names_holding_a_possessive_still_match():
    found = places("The People's Republic of China and Russia's president met.")
    assert [(p[0], p[1]) for p in found] == [("People's Republic of China", "CN"), ("Russia", "RU")]


def test_short_acronyms_are_not_towns():
    assert places("The EU and NHS budgets grew.") == []
    assert places("The UK and US signed.") == [
        ("UK", "GB", None, "country"),
        ("US", "US", None, "country"),
    ]


def test_facilities_keep_their_place_and_months_are_no_place():
    assert places("He was held in the Boone County Jail.")[0][0] == "Boone County"
    assert places("The trial starts in March in Spokane.")[0][0] == "Spokane"


def test_lone_first_names_need_a_locative_but_towns_before_person_nouns_do_not():
    assert places("Terry spoke to the board.") == []
    assert places("An Augusta native won the prize.")[0][:3] == ("Augusta", "US", "US-GA")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # Words of direction before a name say which part of it (not Cameroon's
        # South-West).
        ("Floods hit homes in South West England", ["England"]),
        # A town's part: not Midtown, Tennessee.
        ("Gunman kills four in Midtown Manhattan office tower", ["Manhattan"]),
        ("Fire guts restaurant in Uptown Charlotte", ["Charlotte"]),
    ],
)
def test_words_of_direction_alone_are_no_place(text, found):
    assert [p[0] for p in places(text)] == found


@pytest.mark.parametrize(
    ("text", "home", "area", "first"),
    [
        ("Heat wave grips Midwest, killing 5", None, "Midwest", "US-IL"),
        ("Winter storm slams the Northeast with heavy snow", "US", "Northeast", "US-NY"),
        (
            "Severe flooding in Pacific Northwest triggers rescues",
            "US",
            "Pacific Northwest",
            "US-WA",
        ),
        ("Storm knocks out power across Atlantic Canada", None, "Atlantic Canada", "CA-NS"),
    ],
)
def test_an_area_of_one_countrys_subdivisions_holds_for_each_of_them(text, home, area, first):
    found = event(text, home_country=home)
    assert found is not None and (found.kind, found.name) == ("area", area)
    assert found.country == first[:2] and found.admin1 is None
    assert found.countries == (first[:2],) and found.regions == found.members
    assert found.regions[0] == first and all(r.startswith(first[:3]) for r in found.regions)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        # A bearing in lower case before a name: the province or state, not a town.
        ("A reunion in central Ontario's cottage country ended in tragedy", "CA-ON"),
        ("Evacuations ordered across western Washington as rivers rise", "US-WA"),
        ("Rivers have crested, but Western Washington flood threat still looms", "US-WA"),
        # ... but a city in its namesake subdivision stays the city.
        ("Blasts in central Kyiv kill 3", "UA-30"),
    ],
)
def test_a_compass_word_before_a_name_reads_the_large_place(text, region):
    found = event(text, home_country="US")
    assert found is not None and region in found.regions, found
    if region == "UA-30":
        assert found.kind == "city"


@pytest.mark.parametrize("word", _word_class("area_hazard"))
def test_a_hazard_of_a_wide_area_reads_the_subdivision_over_a_town_of_its_name(word):
    found = event(f"Officials warn of {word} in Washington", home_country="US")
    assert found is not None and found.admin1 == "US-WA", word
    # Without one, "Washington" in US news is the capital.
    assert event("Officials meet in Washington", home_country="US").admin1 == "US-DC"


def test_a_lone_word_of_direction_is_a_countrys_quarter_only_in_its_news_or_beside_it():
    text = "Floods in the Northeast kill 12"
    assert event(text, home_country="US").name == "Northeast"
    # An Indian or unknown publisher's "Northeast" is not the US states.
    assert event(text, home_country="IN") is None and event(text) is None
    beside = event("Floods in the Northeast kill 12; New York declares emergency")
    assert beside is not None and beside.admin1 == "US-NY"
    assert geo.parse("Snow in the Northeast and Boston").places[0].name == "Northeast"


def test_a_countrys_own_west_coast_is_its_subdivision_not_the_us_area():
    found = event("Floods hit New Zealand's West Coast, killing 2")
    assert found is not None and found.admin1 == "NZ-WTC"
    us = event("Wildfire smoke spreads across the West Coast", home_country="US")
    assert us is not None and set(us.regions) == {"US-CA", "US-OR", "US-WA"}


@pytest.mark.parametrize(
    ("text", "area", "first"),
    [
        # The area, not a hamlet of Maryland called "Middle East".
        ("Tensions rise across the Middle East as talks stall", "Middle East", "EG"),
        ("More than 500 dead across Southeast Asia after record rainfall", "Southeast Asia", "ID"),
        # Its words of direction in lower case, and hyphened.
        ("Wildfires kill 3 and displace thousands across southern Europe", "Southern Europe", "IT"),
        ("Deadly flooding across south-east Asia", "Southeast Asia", "ID"),
        ("Hurricane leaves trail of destruction across the Caribbean", "Caribbean", "CU"),
        ("Heat wave in West Africa kills 12", "West Africa", "NG"),
    ],
)
def test_an_area_of_several_countries_is_the_event_place_with_its_members(text, area, first):
    found = event(text)
    assert found is not None and (found.kind, found.name) == ("area", area)
    assert found.country is None and found.admin1 is None
    # Its members, most populous first, are the regions a hold covers.
    assert found.regions == found.countries and found.regions[0] == first
    assert len(found.regions) >= 3


@pytest.mark.parametrize("word", _word_class("locative"))
def test_an_area_after_any_locative_is_the_event_place(word):
    found = event(f"Report {word} the Midwest")
    assert found is not None and found.name == "Midwest" and found.regions[0] == "US-IL"
    assert event("Report about the Midwest") is None


def test_an_area_is_no_event_place_as_a_qualifier_and_yields_to_a_country_in_it():
    assert event("Trump's Middle East envoy meets Netanyahu") is None
    assert event("Southwest Airlines flight diverted") is None
    # A word of direction before another name says which part of it.
    assert event("Border Patrol shoots woman on Southwest Side") is None
    assert event("Storms in Northeast Ohio kill 2").admin1 == "US-OH"
    # A member subdivision named beside an area of one country's states.
    found = event("Storm batters East Coast as 3 die in North Carolina")
    assert found is not None and found.admin1 == "US-NC"
    assert places("Trump's Middle East envoy meets Netanyahu")[0][3] == "area"
    found = event("Floods in Thailand as Southeast Asia braces for more rain")
    assert found is not None and found.country == "TH"
    # A continent is no area: it says too little to hold posts by.
    assert event("Floods across Asia kill hundreds") is None


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Tourists visited Etosha National Park in Namibia.", ["Namibia"]),
        ("Rebels of the Sudan Liberation Movement attacked a camp.", ["Sudan"]),
        ("Fighters of the Sudan People's Liberation Army were seen.", ["Sudan"]),
    ],
    ids=["park", "movement", "army-across-a-possessive"],
)
def test_a_word_inside_a_longer_name_is_no_place_by_itself(text, kept):
    # "National Park" is a town in New Jersey, "Liberation" a spelling of a French town.
    assert [p[0] for p in places(text)] == kept


def test_a_big_place_inside_a_longer_name_stays_a_place():
    assert [p[0] for p in places("Patients at the Royal Ottawa Hospital were moved.")] == ["Ottawa"]
    assert [p[1] for p in places("Fighters of the Free Syrian Army were seen.")] == ["SY"]


@pytest.mark.parametrize(
    "text",
    [
        "He shot his girlfriend on the West Side in July.",
        "Southern Comfort Foods also sells boiled crawfish.",
    ],
)
def test_a_common_word_town_after_a_capitalised_word_that_is_no_place_is_no_place(text):
    # "Side" (Turkey) and "Comfort" (Texas) end other names here: the word before them
    # was not read as a place.
    assert places(text) == []


def test_a_subdivision_of_a_towns_size_is_a_common_word_like_a_town():
    # Bar is a Montenegrin municipality (an ISO subdivision of some 24,000 people) as
    # well as its town: inside a venue's name it is no place, placed it still is.
    assert places("The Owl Bar was the place where everybody knew your name.") == []
    found = places("Flooding hit the coastal town of Bar in Montenegro.")
    assert ("Bar", "ME") in [(p[0], p[1]) for p in found]


def test_a_county_named_like_a_common_word_is_word_like():
    # Town is a district of Saint Lucia: in Title Case it needs a locative like any
    # common word.
    assert [e.flags for e in gz.gazetteer().lookup("Town") if e.kind == "admin2"] == ["w"]
    found = places("In One Jamaican Town, Hurricane Melissa Left Behind Floodwaters")
    assert [p[0] for p in found] == ["Jamaican"]


def test_a_storms_name_is_no_place():
    # Kajiki (Japan) and Hurricane (Utah) are towns; here they name storms.
    assert places("At Least One Dead as Typhoon Kajiki Slams Vietnam") == [
        ("Vietnam", "VN", None, "country")
    ]
    assert [p[0] for p in places("Damage from Hurricane Melissa reached Jamaica.")] == ["Jamaica"]
    # A place whose own name opens with a storm word is still a place.
    assert places("Storm Lake police closed the road.")[0][:3] == ("Storm Lake", "US", "US-IA")


def test_in_title_case_a_lone_first_name_town_needs_a_locative():
    assert places("Rudy Giuliani Released From Hospital After Car Crash") == []
    found = places("Two Killed As Fire Sweeps Through Homes In Rudy")
    assert [(p[0], p[1]) for p in found] == [("Rudy", "PL")]


def test_a_common_word_town_after_a_place_is_still_read():
    assert [p[0] for p in places("Roads near Kendall Comfort, Texas, were closed.")][-1] == "Texas"


def test_a_sentences_first_word_does_not_open_a_longer_name():
    # "Youngest" is capitalised because it opens the sentence, not as part of a name.
    found = places("Youngest Bondi Beach shooting victim mourned by hundreds.")
    assert [(p[0], p[2]) for p in found] == [("Bondi Beach", "AU-NSW")]
    # A place's name opening the sentence still opens the longer name.
    assert [p[0] for p in places("Sudan Liberation Movement rebels attacked a camp.")] == ["Sudan"]


def test_the_place_an_event_is_named_after_is_the_events_place():
    found = geo.parse("A jet crashed at the Dubai Air Show on Friday, killing the pilot.")
    assert [(p.text, p.admin1) for p in found.places] == [("Dubai", "AE-DU")]
    assert found.event_place == 0
    # An airline's name is still no place ("Air" after a place's name).
    assert places("Shares of Kenya Air fell.") == []


# ---------------------------------------------------------------- disambiguation


def test_qualifiers_decide():
    assert places("Paris, Texas")[0][1:3] == ("US", "US-TX")
    assert places("Flooding in Springfield, Ill. closed roads.")[0][1:3] == ("US", "US-IL")
    assert places("Paris")[0][1] == "FR"


def test_a_list_of_regions_is_no_chain_of_qualifiers():
    # No reading of Colorado lies in Georgia (country or state), so Georgia does not
    # qualify it, and the list's other states decide Georgia.
    found = places("Outbreaks were reported in California, Colorado, Georgia, Idaho and Illinois.")
    assert [p[2] for p in found] == ["US-CA", "US-CO", "US-GA", "US-ID", "US-IL"]
    assert places("A storm hit Atlanta, Georgia, on Monday.")[1][2] == "US-GA"
    assert places("Clashes in Tbilisi, Georgia.")[1][1:] == ("GE", None, "country")
    # A country's name before another country's is a list, not the town of China in Japan.
    found = places("Officials in Mexico, China, Japan and Brazil report cases.")
    assert [p[1:] for p in found][1] == ("CN", None, "country")
    assert places("Fire in Lebanon, Pennsylvania")[0][1:3] == ("US", "US-PA")
    # A state's name inside a list of states is one more state; alone, a town that a
    # state may qualify.
    found = places("Cases in Texas, Utah, Virginia, Washington, West Virginia and Wyoming.")
    assert found[3][2:] == ("US-WA", "admin1")
    assert places("Fire in Washington, Pa. kills two")[0][2:] == ("US-PA", "city")
    assert places("Springfield, Ill., Paris, Texas")[2][2] == "US-TX"


def test_the_last_item_of_a_list_of_subdivisions_after_and_is_a_subdivision():
    # The text names many US states, but "New Brunswick" ends a list of provinces.
    text = (
        "States with reported illnesses are Arizona, California, New Jersey, New York, "
        "Ohio and Wisconsin. Illnesses in Canada occurred in British Columbia, Alberta, "
        "Ontario and New Brunswick."
    )
    assert places(text)[-1] == ("New Brunswick", "CA", "CA-NB", "admin1")


def test_the_item_before_and_in_a_list_of_subdivisions_is_a_subdivision():
    text = "Cases were confirmed in Oregon, Utah, Washington and Wisconsin."
    assert [p[2] for p in places(text)] == ["US-OR", "US-UT", "US-WA", "US-WI"]


@pytest.mark.parametrize(
    ("text", "admin1", "kind"),
    [
        # A capital named like a distant subdivision of its country is the capital ...
        ("Officials in Washington and Moscow traded accusations over Syria", "US-DC", "city"),
        ("Talks between Washington and Beijing resumed on Monday.", "US-DC", "city"),
        # ... unless the word for a subdivision follows, or a place in it is named.
        ("Beef from a Washington state farm was exported to Japan.", "US-WA", "admin1"),
        ("Wildfire spreads in Washington, Seattle officials say", "US-WA", "admin1"),
    ],
)
def test_a_capital_named_like_a_subdivision_of_its_country(text, admin1, kind):
    first = places(text)[0]
    assert first[0] == "Washington" and (first[2], first[3]) == (admin1, kind)


def test_a_capital_inside_its_namesake_subdivision_is_unchanged():
    found = places("Protests spread across Serbia as crowds filled Belgrade.")
    assert found[1][:2] == ("Belgrade", "RS") and found[1][3] == "city"


def test_other_places_in_the_text_decide():
    found = places("Fire crews from Atlanta and Macon went to Athens on Monday.")
    athens = next(p for p in found if p[0] == "Athens")
    assert athens[1:3] == ("US", "US-GA")
    assert next(p for p in places("Ministers met in Athens.") if p[0] == "Athens")[1] == "GR"


def test_namesakes_that_sit_together_are_read_together():
    # Neither name's best-known reading (Paris, France or Texas; Henry County, Georgia)
    # has the other near; Paris, Tennessee lies in Henry County, Tennessee.
    found = places("Paris and Henry County have a rich history.")
    assert [p[2] for p in found] == ["US-TN", "US-TN"]
    # One other name with a reading in the same state is evidence too, weighted by
    # how likely that reading is: Rock Hill, South Carolina over Rock Hill, Missouri.
    found = places("Crews from Columbia and Rock Hill cleared the roads.")
    assert [p[2] for p in found] == ["US-SC", "US-SC"]


def test_one_name_is_one_place_and_does_not_vouch_for_itself():
    text = (
        "Paris police said the fire started in Paris. Edgar County crews helped. "
        "Paris schools closed."
    )
    found = [p for p in places(text) if p[0] == "Paris"]
    assert {p[1:3] for p in found} == {("US", "US-IL")}


def test_a_countrys_name_is_a_town_of_another_country_only_where_its_subdivision_is_named():
    # Naming the United States is no evidence for Palestine, Texas over Palestine.
    elsewhere = (
        "A fire near Palestine destroyed two homes on Sunday. In the United States, "
        "New York and Wisconsin reported hundreds of cases."
    )
    assert places(elsewhere)[0] == ("Palestine", "PS", None, "country")
    # Naming Texas is.
    local = "A fire near Palestine destroyed two homes on Sunday, Texas officials said."
    assert places(local)[0] == ("Palestine", "US", "US-TX", "city")


def test_the_publishers_country_decides_a_close_call():
    assert places("Storm damage in Cambridge.")[0][1] == "GB"
    assert places("Storm damage in Cambridge.", home_country="US")[0][1] == "US"


def test_a_local_publishers_subdivision_decides_what_its_country_does_not():
    text = "Fire in Alexandria kills two"
    # Alexandria, Egypt is the better-known one, even to an American paper.
    assert places(text)[0][1] == "EG"
    assert places(text, home_country="US")[0][1] == "EG"
    # A Louisiana paper's Alexandria is the Louisiana town; the code's case is free.
    assert places(text, home_region="US-LA")[0][1:3] == ("US", "US-LA")
    assert places(text, home_region="us-la")[0][1:3] == ("US", "US-LA")
    # A qualifier still wins over the publisher's area.
    qualified = places("Fire in Alexandria, Virginia kills two", home_region="US-LA")
    assert qualified[0][1:3] == ("US", "US-VA")
    # A subdivision below the first level stands for the one above it too: GeoNames
    # files English towns under England, not their county.
    assert places("Flooding in Richmond")[0][1] == "US"
    assert places("Flooding in Richmond", home_region="GB-KEN")[0][1:3] == ("GB", "GB-ENG")
    # A country is its country; an unknown code is no evidence at all.
    cambridge = "Storm damage in Cambridge."
    assert places(cambridge, home_region="US")[0][1] == "US"
    assert places(cambridge, home_region="ZZ-99") == places(cambridge)


def test_a_country_beside_another_country_of_the_text_is_that_country():
    # Lebanon, Pennsylvania has the text's American names near it (the New Yorker,
    # the United States, a Maryland town called Middle East); Lebanon the country has
    # Syria beside it, which outweighs them.
    text = (
        "Assad told the New Yorker that Hezbollah is in Lebanon and Syria, and that "
        "peace in the Middle East needs the United States and U.S. help."
    )
    assert ("Lebanon", "LB") in [(p[0], p[1]) for p in places(text)]


def test_the_home_countrys_reading_is_kept_however_far_down_its_prior():
    # San Pedro, California is only the fifth San Pedro by its prior: a text naming no
    # other place kept three readings, none of them American.
    text = "Crews battle hazardous fire on cargo ship in San Pedro"
    assert places(text)[0][1] != "US"
    assert places(text, home_country="US")[0][1:3] == ("US", "US-CA")


def test_the_texts_currency_and_telephone_numbers_stand_for_the_publishers_country():
    assert geo.written_in("Repairs will cost $2 million.") == "US"
    assert geo.written_in("Call 952-873-6325 for tickets.") == "US"
    assert geo.written_in("Repairs will cost £2 million.") == "GB"
    assert geo.written_in("Aid of US$2 million arrived.") is None
    # Another country's dollar is never a plain one, and does not hide one.
    assert geo.written_in("It cost CA$5, or R$20.") is None
    assert geo.written_in("It cost CA$5 here and $4 there.") == "US"
    assert geo.written_in("It cost $5 and £4.") is None
    assert geo.written_in("No money is named.") is None
    assert places("Storm damage in Cambridge will cost $2 million.")[0][1] == "US"
    assert places("Storm damage in Cambridge will cost £2 million.")[0][1] == "GB"
    # The publisher's country, when given, comes first.
    found = places("Storm damage in Cambridge will cost $2 million.", home_country="GB")
    assert found[0][1] == "GB"


def test_a_neighbouring_countrys_adjective_pulls_a_namesake():
    found = places("Israeli strikes on Gaza killed 20 people.")
    assert ("Gaza", "PS") in [(p[0], p[1]) for p in found]


# ---------------------------------------------------------------- event place


def test_the_dateline_is_not_the_event_place():
    where = event("LONDON (Reuters) - A fire in Manchester killed three people.")
    assert where is not None and where.name == "Manchester"


def test_a_home_town_is_not_the_event_place():
    where = event("A man from Leeds was killed in a crash in Bristol.")
    assert where is not None and where.name == "Bristol"


def test_a_country_or_region_of_origin_is_the_event_place_when_no_other_is_named():
    assert event("Tales of horror emerge from Darfur after rebels take a city").country == "SD"
    assert event("US forces hit another drug boat from Venezuela").country == "VE"
    # A town or state of origin stays aside: the rest of the entry may say where.
    assert event("A man from Leeds was killed, police said.") is None
    assert event("A teenager from Ohio died on Saturday.") is None


def test_a_place_of_origin_before_an_events_word_is_the_events_place():
    where = event("Giuliani released from hospital as he recovers from N.H. crash")
    assert where is not None and where.admin1 == "US-NH"
    where = event("Thousands evacuated from Gaza shelling overnight")
    assert where is not None and where.country == "PS"
    where = event("More than 250,000 displaced from Gaza City in past month")
    assert where is not None and where.country == "PS"
    where = event("German boy rescued from Lisbon streetcar wreckage")
    assert where is not None and where.country == "PT"
    # Not when the word after the place says what the person from it did.
    assert event("A teenager from Ohio died on Saturday.") is None
    assert event("A teenager from Ohio dies after a fall.") is None


def test_a_reacting_country_is_not_the_event_place():
    where = event("France condemned the bombing in Kabul that killed 12.")
    assert where is not None and where.country == "AF"


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Turkish school shooting: gunman admired US killer", ("TR",)),
        ("Shopping centre fire in London kills 3", ("GB-ENG", "GB")),
        ("Gaza: Israeli strikes kill 20", ("PS-GZA", "PS")),
        ("Florida man killed in crash in Georgia", ("US-GA", "US")),
        ("KYIV, Ukraine (AP) — Russian missiles struck Lviv overnight, killing 4", ("UA-46", "UA")),
        ("Texas floods: Kerr County death toll rises to 80", ("US-TX", "US")),
    ],
)
def test_the_event_place_of_headlines(text, regions):
    assert geo.event_regions(text) == regions


def test_event_regions_are_most_specific_first():
    assert geo.event_regions("Wildfire forces evacuations near Spokane") == ("US-WA", "US")
    assert geo.event_regions("Markets rose today") == ()


# ---------------------------------------------------------------- regions search


def test_region_search_finds_a_town_by_its_subdivision():
    found = regions.search("Spokane")
    assert found[0].code == "US-WA"
    assert found[0].label == "Spokane → Washington (US-WA)"
    # The town's region holds the town's audience: a Spokane fire resolves to US-WA.
    assert regions.is_inside(geo.event_regions("Fire in Spokane kills two")[0], found[0].code)


# ---------------------------------------------------------------- CLI


def _run(monkeypatch, capsys, lines, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code = cli.main(["geoparse", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_one_json_line_per_input_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lines = [
        json.dumps({"id": "a", "text": "Gunman kills 5 in Uvalde, Texas"}),
        json.dumps({"id": 2, "text": "Nothing here"}),
    ]
    code, out, err = _run(monkeypatch, capsys, lines, "--json")
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", 2]
    first = rows[0]["places"][0]
    assert set(first) == {
        "start", "end", "text", "name", "country", "admin1", "lat", "lon", "kind", "geonameid",
        "countries", "members",
    }  # fmt: skip
    assert first["countries"] == ["US"] and first["members"] == []
    assert lines[0] and json.loads(lines[0])["text"][first["start"] : first["end"]] == "Uvalde"
    assert (first["country"], first["admin1"], rows[0]["event_place"]) == ("US", "US-TX", 0)
    assert rows[1] == {"id": 2, "places": [], "event_place": None}


def test_cli_names_bad_lines_and_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lines = ["{not json", json.dumps({"id": 1}), json.dumps({"id": 3, "text": "Fire in Lyon"})]
    code, out, err = _run(monkeypatch, capsys, lines, "--json")
    assert code == 2
    assert "line 1: not JSON" in err and 'line 2: no "text" string' in err
    assert "Traceback" not in err
    assert [json.loads(line)["id"] for line in out.splitlines()] == [3]


def test_cli_rejects_an_unknown_home_country(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(
        monkeypatch, capsys, ['{"text": "Fire in Cambridge"}'], "--home-country", "XX"
    )
    assert code == 2 and out == ""
    assert "--home-country" in err
    code, out, _ = _run(
        monkeypatch,
        capsys,
        ['{"text": "Storm damage in Cambridge."}'],
        "--json",
        "--home-country",
        "us",
    )
    assert code == 0 and json.loads(out)["places"][0]["country"] == "US"


def test_cli_takes_a_local_publishers_subdivision(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = ['{"text": "Fire in Alexandria kills two"}']
    code, out, _ = _run(monkeypatch, capsys, line, "--json", "--home-region", "us-la")
    assert code == 0 and json.loads(out)["places"][0]["admin1"] == "US-LA"
    for bad in (["--home-region", "LA"], ["--home-region", "US-LA", "--home-country", "GB"]):
        code, out, err = _run(monkeypatch, capsys, line, *bad)
        assert code == 2 and out == "" and "--home-region" in err


def test_cli_table_marks_the_event_place(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "Fire in Spokane, Wash. kills two"}) + "\n")
    assert cli.main(["geoparse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "* " in out and "Spokane" in out and "US-WA" in out


def test_cli_table_shows_a_place_of_no_country(tmp_path, monkeypatch, capsys):
    # A sea or an ocean has no country: the table says so instead of failing.
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(monkeypatch, capsys, ['{"id": 1, "text": "A ship sank in the Pacific."}'])
    assert code == 0 and "Traceback" not in err
    row = next(line for line in out.splitlines() if "Pacific" in line and "water" in line)
    assert row.split()[-2] == "-"


# ---------------------------------------------------------------- the corpus


def _corpus():
    folder = corpus_dir()
    # The corpus marker skips this without the corpus, and fails it under CI.
    assert folder is not None, "the development corpus is not present"
    return folder


def test_the_bench_names_a_publishers_area_from_its_other_documents():
    from bench import geoparse

    local = ["Fire in Shreveport", "Crash near Baton Rouge", "Storm hits Lafayette, Louisiana"]
    docs = [geoparse.Doc(str(i), t, domain="local.example") for i, t in enumerate(local)]
    docs.append(geoparse.Doc("x", "Fire in Alexandria kills two", domain="local.example"))
    docs.append(geoparse.Doc("y", "Fire in Alexandria kills two", domain="other.example"))
    # Each of the paper's four documents has three others; "x" votes for Egypt, the
    # rest for Louisiana. The other paper has no other document to go by.
    assert geoparse.publisher_areas(docs) == 4
    assert [d.area for d in docs] == ["US-LA"] * 4 + [None]
    assert geoparse.area_guesses(docs[3])[0].admin1 == "US-LA"
    assert geoparse.geo_guesses(docs[3])[0].admin1 == "EG-ALX"
    assert geoparse.area_guesses(docs[4])[0].admin1 == "EG-ALX"


@pytest.mark.parametrize(
    ("iso_type", "city"),
    [
        ("City", True),
        ("Autonomous city", True),
        ("Municipality", True),
        ("Special city", True),
        ("Metropolitan administration", True),
        ("Metropolitan region", False),
        ("Oblast", False),
        ("Province", False),
        (None, False),
    ],
)
def test_an_iso_subdivision_type_is_a_citys_or_not(iso_type, city):
    assert regions.is_city_type(iso_type) is city


def test_the_bench_reads_a_gold_city_named_as_its_admin1_as_its_own_subdivision():
    from bench import geoparse

    # GeoNames files Moscow under its admin1 "Moscow", the federal city; ISO's data
    # gives Moscow Oblast that English name too.
    assert geoparse._city_subdivision("Moscow", "Moscow", "RU", 55.75, 37.62) == "RU-MOW"
    assert geoparse._city_subdivision("Khimki", "Moscow Oblast", "RU", 55.9, 37.4) is None
    assert geoparse._admin1_code("Moscow Oblast", "RU", 55.9, 37.4) == "RU-MOS"


def test_the_bench_leaves_toponyms_without_coordinates_out_of_precision():
    from bench import geoparse

    text = "Mideast envoy visits Paris and Lyon"
    doc = geoparse.Doc("d", text, gold=[geoparse.Gold(21, 26, "Paris", 48.85, 2.35)])
    doc.unplaced.append((0, 7))
    guesses = [
        geoparse.Guess(0, 7, 30.0, 40.0, None, None),  # the toponym without coordinates
        geoparse.Guess(21, 26, 48.86, 2.35, "FR", "FR-IDF"),  # a hit
        geoparse.Guess(31, 35, 45.76, 4.84, "FR", "FR-ARA"),  # not a gold toponym
    ]
    scored = geoparse.score([doc], lambda _: guesses)
    assert scored["precision"] == 0.5 and scored["found"] == 1.0


@pytest.mark.corpus
def test_the_bench_scores_the_dev_half(monkeypatch):
    folder = _corpus()
    from bench import geoparse

    nearest = geoparse.NearestPlace()
    docs = [
        d
        for d in geoparse.load_lgl(folder / "geoparsing" / "lgl.xml", nearest)
        if geoparse.split_of("LGL", d.id) == "dev"
    ][:40]
    new = geoparse.score(docs, geoparse.geo_guesses)
    assert new["toponyms"] > 100
    assert new["found"] > 0.5 and new["acc161_found"] > 0.5


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # The side that attacks is not where the event happened.
        ("Russian strikes kill 7 in Kyiv overnight", "UA"),
        ("Israel strikes port in Yemen, killing 3", "YE"),
        ("Ukrainian drones hit a refinery in Russia's Samara region", "RU"),
        # A country's name used as the attacker's adjective ("US strike"), and a
        # country telling of the other side's attack.
        ("3 killed in US strike on alleged Venezuelan drug boat", "VE"),
        ("Trump says U.S. military struck another boat from Venezuela", "VE"),
        ("Ukraine says Russian missiles targeted its nuclear substations", "UA"),
        ("Russian attacks target nuclear substations in Ukraine", "UA"),
        # A country after a locative is no subject of the verb that follows it.
        ("Powerful tornado in Brazil kills 6 people", "BR"),
        ("Powerful earthquake off southern Philippines kills 2 people", "PH"),
        # A force verb that ends its clause is a noun.
        ("Colombia attacks: At least 18 killed and dozens injured", "CO"),
        # A reaction verb past a comma is another subject's.
        (
            "IDF carries out wave of strikes on Hezbollah sites in south Lebanon, warns of more",
            "LB",
        ),
        # ... unless it is hit ("by" follows) or the event is its own.
        ("Japan hit by strong earthquake off Hokkaido", "JP"),
        ("Turkish school shooting leaves 9 dead", "TR"),
        ("Number of children abducted in Nigerian school attack raised to 300", "NG"),
        # A demonym after "in" is still the side.
        ("Blast at a mosque in Nigeria kills 5", "NG"),
        ("13 killed in Israeli strike on a refugee camp in Lebanon", "LB"),
    ],
)
def test_the_attacking_side_is_not_the_event_place(text, country):
    where = event(text)
    assert where is not None and where.country == country


def test_a_place_naming_the_event_outweighs_a_later_locative():
    where = event("Sydney Shooting Suspects Met Muslim Leaders in Philippines, Officials Say")
    assert where is not None and where.country == "AU"


def test_a_speaking_country_is_no_event_place_without_an_attack_it_tells_of():
    assert event("Turkey says it will send aid and rescue teams") is None


@pytest.mark.parametrize(
    "text",
    [
        "Philippines warns of deadly storm surges as Typhoon Fung-wong nears",
        "Philippines evacuates 100,000 people as Fung-wong intensifies into super typhoon",
        "Philippines says 3 dead as floods swamp the capital region",
    ],
)
def test_a_reacting_country_alone_in_a_text_of_an_event_is_its_place(text):
    where = event(text)
    assert where is not None and where.country == "PH"


def test_a_reacting_country_does_not_win_over_the_events_own_place():
    where = event("Philippines warns of storm surges as typhoon nears Taiwan")
    assert where is not None and where.country == "TW"
    # Nor is it the place when the text tells of no event, or when its verb says the
    # event is elsewhere (condemning it, sending aid).
    assert event("Philippines warns of tougher rules for lenders") is None
    assert event("France condemns the bombing that killed 12") is None


def test_the_country_accused_is_the_attacking_side():
    where = event("Ukraine accuses Russia of targeting its nuclear substations")
    assert where is not None and where.country == "UA"


@pytest.mark.parametrize("word", _word_class("side_word"))
def test_a_side_joined_to_a_word_of_backing_or_holding_is_no_event_place(word):
    # A place right after the word: that place, not the side.
    where = event(f"Drones strike a resort in Russian-{word} Crimea")
    assert where is not None and where.regions[-1] == "UA", word
    # A backer never is the place, whatever follows it (a holder with no place after
    # it stays a candidate: below).
    if word == "backed":
        where = event(f"Saudi strikes UAE-{word} faction in Yemen")
        assert where is not None and where.country == "YE"


def test_a_holder_with_no_place_after_it_is_still_read():
    # Nothing follows "Houthi-controlled" that could be the place: the side stays.
    where = event("Fighting in Houthi-controlled areas kills 3")
    assert where is not None and where.country == "YE"
    # A backer never is the place.
    assert event("Iran-backed militia attacks base in Iraq").country == "IQ"
    assert event("Fighting in Iran-backed areas kills 3") is None


@pytest.mark.parametrize("verb", ["pummels", "pummeled", "pummelled", "hammers", "hammered"])
def test_a_country_that_pummels_another_is_the_attacker(verb):
    where = event(f"Russia {verb} Ukraine with missiles and drones, killing at least 25")
    assert where is not None and where.country == "UA"
    assert event(f"Hurricane {verb} Jamaica").country == "JM"


def test_the_attacking_side_named_again_is_still_no_event_place():
    # Israel is the attacker twice over; Hamas, read as the Palestinians, is the side hit.
    where = event("20 killed in Israeli strikes as Israel and Hamas trade blame over truce")
    assert where is not None and where.country == "PS"
    assert event("20 killed in Israeli strikes as Israel and its rival trade blame") is None
    # The place the strikes landed in stays the event's.
    where = event("Ukrainian drones strike refineries in Russia as Ukraine widens its campaign")
    assert where is not None and where.country == "RU"


def test_a_source_named_last_is_the_place_when_no_other_is():
    where = event("Three killed in overnight missile attack, Ukraine says")
    assert where is not None and where.country == "UA"
    # Named first with the event told after it, the source is where it happened too.
    for text in (
        "Ukraine says three killed in massive Russian aerial attack",
        "Ukraine says Russian missiles targeted its nuclear substations",
    ):
        where = event(text)
        assert where is not None and where.country == "UA", text
    # Reacting anywhere else still sets the country aside.
    assert event("Ukraine says it will retaliate") is None
    assert event("Officials in the region warn, Ukraine says, of a long winter") is None


@pytest.mark.parametrize(
    "text",
    [
        "Nikolaev says it will free hostages",  # an alternate spelling of Mykolayiv
        "Drone footage shows the flooding",  # an alternate spelling of Dronero
    ],
)
def test_a_lone_alternate_spelling_of_a_small_town_needs_support(text):
    assert geo.parse(text).places == ()


def test_an_alternate_spelling_with_support_or_of_a_large_city_is_read():
    # A locative before it supports the reading; a large city's exonym needs none.
    assert [p.name for p in geo.parse("Fire in Nikolaev kills two").places] == ["Mykolayiv"]
    assert geo.parse("Nikolaev fire kills two").places == ()
    assert geo.parse("Kiev says it shot down 40 drones").places[0].country == "UA"


def test_the_surname_of_a_person_named_in_full_stays_a_person():
    # "Warden" and "Anderson" are towns too; once the text names the person in full,
    # the surname alone is that person again.
    text = (
        "Deputies said Darryl Keith Warden, 44, was arrested. Officers went to "
        "Warden's home on Sunday, and Warden was charged with battery."
    )
    assert [p for p in places(text) if p[0] == "Warden"] == []
    text = "Sheriff Tom Anderson said the man fled. Anderson urged residents to call."
    assert [p for p in places(text) if p[0] == "Anderson"] == []


def test_a_surname_placed_by_a_locative_is_a_place_again():
    text = "John Denver sang on the radio. Fans gathered in Denver on Sunday."
    assert places(text) == [("Denver", "US", "US-CO", "city")]


def test_a_name_suffix_does_not_make_the_next_word_a_surname():
    # The run of capitals read as the person's goes on past "Sr."; the name it gives
    # ends before the suffix, so a people's name after it is no surname later on.
    text = (
        "The envoy met George Bush Sr. Palestinian leaders spoke later. "
        "Then the Palestinian officials flew home."
    )
    assert ("Palestinian", "PS", None, "demonym") in places(text)


def test_a_town_joined_by_a_hyphen_to_a_word_that_names_no_place_is_another_name():
    assert places("A former Wright-Patt officer was killed, officials said on Monday.") == []
    assert places("Workers at the Mercedes-Benz plant were sent home, the company said.") == []


def test_places_joined_by_a_hyphen_stay_places():
    found = places("Storms hit the Dallas-Fort Worth area on Monday and cut power to homes.")
    assert [(p[0], p[2]) for p in found] == [("Dallas", "US-TX"), ("Fort Worth", "US-TX")]
    found = places("Residents of the Minneapolis-St. Paul region were told to stay home.")
    assert [(p[0], p[2]) for p in found] == [("Minneapolis", "US-MN"), ("St. Paul", "US-MN")]
    # A party's letter before a legislator's town: "D-Winthrop" names the town.
    found = places("Rep. Jane Moore, D-Winthrop, said the tolls would stay in place.")
    assert [(p[0], p[2]) for p in found] == [("Winthrop", "US-MA")]


def test_a_common_word_that_is_also_a_surname_ends_a_longer_name():
    from rules.geo import mentions

    # "Hill" and "Grove" are towns, common words and surnames: after another capitalised
    # word inside a sentence they end a name the gazetteer lacks, not a place of their own.
    assert [t.name for t in geo.parse("Homes in Maple Hill were sold.").places] == []
    assert mentions.find("We walked around Owl Hill after lunch.") == []
    # Alone after a locative, or qualified, the town is still read.
    assert [t.admin1 for t in geo.parse("They moved to Hill, N.H., last year.").places][:1] == [
        "US-NH"
    ]
    assert [t.name for t in geo.parse("A fire in Grove killed two.").places] == ["Grove"]


def test_a_towns_police_or_mayor_makes_the_name_a_town_or_county():
    def read(text: str) -> list[tuple[str, str]]:
        return [(t.kind, t.country) for t in geo.parse(text).places]

    # Alone, "Berea" is the district of Lesotho; with its police and mayor it is a town,
    # at every mention of the name.
    assert read("A bus broke down near Berea on Monday.") == [("admin1", "LS")]
    assert read("A car was stolen in Berea, and police said Berea police asked for help.") == [
        ("city", "US"),
        ("city", "US"),
    ]
    assert read("The Berea mayor opened the fair.") == [("city", "US")]
    # A county keeps its police; a large subdivision outweighs a small namesake town.
    assert read("Kent police closed the road.") == [("admin2", "GB")]
    assert read("Texas police closed the road.") == [("admin1", "US")]
    # Capitalised, "Police" may open a state force's name.
    assert read("Victoria Police charged a man.") == [("admin1", "AU")]


@pytest.mark.parametrize("holiday", ["Christmas", "Easter", "Halloween", "Thanksgiving"])
def test_a_holiday_after_a_town_names_what_is_held_there(holiday):
    # "Christmas" and "Easter" are surnames too; after a town that is no first name
    # they name an event held in the town, not a person called "Boston Christmas".
    found = places(f"Four people were shot at the Boston {holiday} parade on Saturday.")
    assert [(p[0], p[2]) for p in found] == [("Boston", "US-MA")]


def test_a_first_name_before_a_holiday_that_is_a_surname_is_still_a_person():
    assert [p[0] for p in places("Officers said Mary Christmas of Dublin was arrested.")] == [
        "Dublin"
    ]


def test_congo_alone_is_the_democratic_republic():
    # News writes "Congo" for the Democratic Republic; the other one is named in full.
    assert places("At least 21 killed in attack on a church in eastern Congo")[0][1] == "CD"
    assert places("Floods hit the Republic of the Congo")[0][1] == "CG"
    assert places("Clashes in Congo-Brazzaville overnight")[0][1] == "CG"


def test_a_translation_of_a_name_into_common_words_is_no_alternate():
    from rules.data import build_geo

    city = {"alternatenames": ["White House", "Dar el Beida", "Casablanka", "Kasablanka"]}
    nouns = frozenset({"white", "house", "old", "town"})
    kept = build_geo.alternates(city, "Casablanca", 30, set(), nouns)
    assert "White House" not in kept and "Dar el Beida" in kept and "Casablanka" in kept
    # A single common noun is no alternate either, close to the name or not.
    tours = {"alternatenames": ["Tour", "Turonum"]}
    assert build_geo.alternates(tours, "Tours", 12, set(), frozenset({"tour"})) == ["Turonum"]
    assert places("Police Release Names of 5 Killed in Tour Bus Crash Near Buffalo")[0][1] == "US"
    # Without the nouns to judge by, every alternate of a big city stays.
    assert "White House" in build_geo.alternates(city, "Casablanca", 30, set())
    # In the shipped table: "near White House" is no longer Casablanca.
    assert all(p[1] != "MA" for p in places("Two National Guard members shot near White House"))
    # Nor is a country's: Iceland's "Island" would put New Zealand's islands in Iceland.
    assert all(e.kind != "country" for e in gz.gazetteer().lookup("Island"))
    assert [p[1] for p in places("Quake off the coast of South Island, New Zealand")] == ["NZ"]


@pytest.mark.parametrize(
    "text",
    [
        "MAGA debates how to respond to the killing",
        "Officers said the SWAT team stormed an apartment on Monday.",
    ],
)
def test_a_longer_word_in_capitals_is_an_acronym(text):
    # "Maga" (Cameroon) and "Swat" (Pakistan) are places; in capitals, in text that
    # is not, the words are acronyms.
    assert places(text) == []


def test_a_town_in_capitals_is_still_read_as_a_dateline_or_in_capitals():
    assert places("MANSFIELD -- Mansfield Mayor Curtis McCoy wants a pastor")[0][0] == "MANSFIELD"
    assert places("FIRE IN MAGA KILLS TWO")[0][0] == "MAGA"


def test_a_small_town_after_a_name_the_gazetteer_lacks_is_a_surname():
    # "Cissé" (Mali) and "Bitton" (England) are towns; after a capitalised word that
    # names nothing, inside a sentence, they end a person's name.
    text = "Armed men publicly killed Mali TikTok influencer Mariame Cissé, authorities say"
    assert [p[0] for p in places(text)] == ["Mali"]
    text = "Israeli Gefen Bitton in critical condition after confronting the attacker"
    assert [p[0] for p in places(text)] == ["Israeli"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A longer name goes on after the town, and a big city is no surname.
        ("The outbreak caused Taco Bell Canada to recall green onions.", "Canada"),
        ("He leads the United Way of Metropolitan Atlanta, which began it.", "Atlanta"),
        # A hyphen, not a space, before the town.
        ("Rabbi Mordy Rudolph of Chabad-Shadyside belongs to a movement.", "Shadyside"),
    ],
)
def test_a_town_after_an_unknown_name_stays_a_place_where_the_name_goes_on(text, name):
    assert name in [p[0] for p in places(text)]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Israel conducts strike on Hamas leadership in Qatar", "QA"),
        ("Boko Haram fighters kill 12 in Borno", "NG"),
        ("Houthis say 10 killed in Yemen", "YE"),
        ("ISIS claims attack that killed 12 in Mosul", "IQ"),
    ],
)
def test_an_armed_groups_name_is_no_town(text, country):
    # "Hamas" is also a spelling of Hamm, "Boko" and "Haram" are towns, "Isis" one in
    # Sri Lanka: the group's name is none of them, and the place named with it is the
    # event's.
    found = geo.parse(text)
    assert all(p.kind in ("country", "admin1", "demonym", "city") for p in found.places)
    assert [p for p in found.places if p.kind == "city"] == [
        p for p in found.places if p.kind == "city" and p.country == country
    ]
    assert found.event is not None and found.event.country == country


# Every armed group of one country in rules/data/demonyms.tsv, read as its people.
# (The plural "Houthis" is made by the build, as for every demonym.)
ARMED_GROUPS = [
    ("Hamas says it will free hostages", "Hamas", "PS"),
    ("Strike on Hezbollah commanders", "Hezbollah", "LB"),
    ("Strike on Hizbollah commanders", "Hizbollah", "LB"),
    ("Strike on Houthi sites", "Houthi", "YE"),
    ("Taliban seize a district", "Taliban", "AF"),
    ("Shabaab leader killed in raid", "Shabaab", "SO"),
    ("Boko Haram kills 20", "Boko Haram", "NG"),
    ("Janjaweed leader arrested", "Janjaweed", "SD"),
]


@pytest.mark.parametrize(("text", "name", "country"), ARMED_GROUPS)
def test_an_armed_group_of_one_country_stands_for_it(text, name, country):
    found = [p for p in geo.parse(text).places if p.text == name]
    assert found and (found[0].kind, found[0].country) == ("demonym", country)
    assert [p.text for p in geo.parse(text).places] == [name]


def test_an_armed_group_that_attacks_is_no_event_place_as_its_people_are_not():
    assert event("Hezbollah fires rockets") is None
    where = event("Hezbollah fires rockets at northern Israel")
    assert where is not None and where.country == "IL"
    assert event("Houthis vow revenge after strike").country == "YE"


def test_every_armed_group_of_the_demonym_table_is_tested():
    table = Path(gz.__file__).parents[1] / "data" / "demonyms.tsv"
    lines = table.read_text("utf-8").split("# Armed groups", 1)[1].splitlines()[1:]
    listed = {line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")}
    assert listed == {name for _, name, _ in ARMED_GROUPS}


@pytest.mark.parametrize(
    "text",
    [
        "A tourist who flew in for a Bad Bunny concert was fatally shot, police say",
        "She is back at Licking Memorial Hospital after two years away.",
        "Officers stopped a 2001 Mercury Sabre for failure to yield.",
    ],
)
def test_a_common_word_opening_an_unknown_name_is_no_town(text):
    # "Bad" (India), "Licking" (Missouri) and "Mercury" (Nevada) are small towns; a
    # capitalised name they open that the gazetteer does not know is another name.
    assert places(text) == []


def test_a_common_word_before_a_towns_own_words_stays_the_town():
    # Its police, its streets and its own name's last word keep the town.
    assert places("Officers of the Commerce Police Department arrived.")[0][0] == "Commerce"


@pytest.mark.parametrize(
    "text",
    [
        "Police Arrest Two British Men in Stabbing Rampage on Train",
        "No Going Back: Survivors of Deadly Hong Kong Fire Are in Limbo",
        # Towns of 14,000 and 16,000 named by a common word.
        "Country Announces Plan to Buy Back Guns in Wake of Beach Attack",
        "Retired Lobbyist in Federal Custody After Shooting",
    ],
)
def test_a_towns_common_word_name_in_title_case_needs_more_than_a_locative(text):
    assert [p[0] for p in places(text) if p[3] == "city"] == []


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Israel bombards Gaza City overnight; Hamas leader due in Cairo for talks", "PS"),
        ("Israel continues Gaza bombardment as Trump plan negotiators arrive in Cairo", "PS"),
    ],
)
def test_the_place_a_bombardment_hits_beats_where_talks_are_held(text, where):
    found = geo.parse(text)
    assert found.event_place is not None
    assert found.places[found.event_place].country == where


@pytest.mark.parametrize("word", _word_class("nationality_noun"))
def test_the_country_of_people_abroad_is_their_origin(word):
    # Their country is where they come from, not where the event is.
    assert event(f"Honduran {word} dies while fleeing agents") is None
    where = event(f"U.S. {word} attacked by a shark while spearfishing in the Bahamas")
    assert where is not None and where.country == "BS", word
    # A country named as an origin stands for the event's place only when the text
    # names no other ("a drug boat from Venezuela").
    where = event(f"U.S. {word} dies while fleeing agents")
    assert where is not None and where.country == "US"
    # So the text names no place of its own: a news feed's readers' country stands in.
    assert geo.event_and_named(f"Afghan {word} charged after shooting") == (None, False)


def test_a_countrys_name_before_a_word_of_travellers_says_where():
    where = event("Kenya tourist plane crashes, killing 11 on board")
    assert where is not None and where.country == "KE"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Minister arrives in Israel as strikes intensify in northern Gaza", "PS"),
        ("Storm nears Taiwan after 18 deaths in the Philippines", "PH"),
    ],
)
def test_a_locative_before_an_article_or_a_direction_still_places(text, country):
    where = event(text)
    assert where is not None and where.country == country


def test_a_surname_like_word_is_the_event_place_only_after_a_locative():
    # "Congress" (a town of Arizona) is kept as a weak mention, which says nothing.
    text = "Officials ask Congress for more money after the shooting"
    assert [p[0] for p in places(text)] == ["Congress"]
    assert geo.event_and_named(text) == (None, False)


def test_a_place_heading_the_text_before_a_colon_is_its_subject():
    text = "Nepal: Italian hiker among at least three killed in Himalayan avalanche"
    where = event(text)
    assert where is not None and where.country == "NP"
    # Not a colon elsewhere.
    where = event("Hikers: Italian hiker among at least three killed in Himalayan avalanche")
    assert where is not None and where.country == "IT"


def test_a_capital_backs_for_its_country():
    where = event("Hong Kong tower fire tests Beijing-backed leaders")
    assert where is not None and where.country == "HK"


def test_a_subdivisions_name_between_two_names_is_a_surname():
    assert places("Deputies search for missing teen Camila Mendoza Olmos") == []
    assert places("Deputies search for José Guerrero Pérez") == []
    # A country's name or its people's stays a place there.
    assert [p[1] for p in places("Fighters of the Free Syrian Army were seen.")] == ["SY"]
    # The name without a surname after it is the place.
    assert [p[1] for p in places("Deputies search for a teen in Mendoza after floods")] == ["AR"]


def test_an_origins_word_before_another_word_is_not_an_origin():
    # "from" is the origin's word of "reaching", not of the place after it.
    where = event("Gunfire prevents aid from reaching Gazans")
    assert where is not None and where.country == "PS"
    where = event("Hikers evacuated from remote Tibetan valley after blizzard")
    assert where is not None and where.country == "CN"
    # Before "of", an article or a word of direction it still is.
    assert event("Man from the Philippines dies in crash in Ohio").regions[0] == "US-OH"
    assert event("A native of northern Syria was killed in a crash in Ohio").country == "US"


def test_the_people_an_attack_verb_takes_are_its_target():
    where = event("Israel strikes Houthi military sites in retaliatory attacks")
    assert where is not None and where.country == "YE"
    # A verb that kills takes people, whose country is no place ("killed Libyan chief").
    assert event("Jet crash that killed Libyan military chief is studied") is None


def test_a_country_vowing_after_another_sides_attack_is_where_it_landed():
    where = event("Ukraine vows to retaliate after Russian attacks on power sector")
    assert where is not None and where.country == "UA"
    # A country that condemns still reacts to an event elsewhere.
    assert event("Poland condemns Russian attacks on power sector") is None


def test_a_common_word_opening_a_sentence_may_be_a_city_of_millions():
    # "Rio" is Rio de Janeiro's short name; its own towns are small and a common word.
    where = event("Rio authorities identify bodies after deadly police raids")
    assert where is not None and where.country == "BR"
    # A common word that no big city is called stays a word.
    assert places("Mobile phones were seized after the raid") == []


@pytest.mark.parametrize(
    "text",
    [
        "Rivers rise in Washington state",
        "100,000 Ordered to Evacuate as Rivers Rise in Washington State",
    ],
)
def test_a_name_before_the_word_state_is_the_state(text):
    # Whatever its case: the state, not the capital of the same name.
    where = event(text)
    assert where is not None and where.regions[0] == "US-WA", text


def test_the_publishers_own_country_named_is_no_more_evidence_than_home():
    text = "Russian strike on Odesa kills 8 as US hosts an envoy for talks"
    where = event(text, home_country="US")
    assert where is not None and where.regions[0] == "UA-51"
    # Another publisher's text naming the United States pulls its towns ("Odessa").
    assert places(text, home_country="GB")[1][1] == "US"


@pytest.mark.parametrize(
    ("text", "capital", "code"),
    [
        ("Israel carries out strike on Hamas leaders in Qatari capital", "Doha", "QA-DA"),
        ("Drones hit Ukraine's capital overnight, killing 3", "Kyiv", "UA-30"),
        ("Fire hits the Kenyan capital", "Nairobi", "KE-30"),
    ],
)
def test_a_countrys_capital_by_its_adjective_or_possessive_is_the_capital(text, capital, code):
    found = geo.parse(text)
    where = found.event
    assert where is not None and (where.name, where.admin1) == (capital, code)
    # The mention spans the words that name it.
    assert where.text.endswith("capital")


@pytest.mark.parametrize(
    "text",
    [
        # The capital named after or before the words: that name is the mention.
        "Explosion in the Ukrainian capital, Kyiv, kills 2",
        "Two deaths were confirmed in Luanda, Angola's capital of 4 million",
        "Cases rose in Angola's capital city Luanda",
        # Money, not a city: no article, locative or possessive before the adjective.
        "Chinese capital flows into African ports",
    ],
)
def test_capital_is_not_read_where_the_city_is_named_or_it_is_money(text):
    assert all(not p.text.endswith("capital") for p in geo.parse(text).places)


def test_every_country_with_a_capital_in_the_gazetteer_has_one_capital_entry():
    gaz = gz.gazetteer()
    for code in ("QA", "UA", "KE", "FR", "JP"):
        n = gaz.capitals[code]
        assert gaz.entry(n).capital and gaz.entry(n).country == code


def test_a_home_subdivision_named_like_a_foreign_country_is_the_subdivision():
    text = "Georgia authorities identify suspected gunman"
    assert event(text, home_country="US").regions[0] == "US-GA"
    # Elsewhere the country, and at home too where the text places the country.
    assert event(text, home_country="GB").country == "GE"
    assert (
        event("Russian troops advance in Georgia near Tbilisi", home_country="US").country == "GE"
    )
    # A territory that is both a country code and a home subdivision keeps its reading.
    assert event("Man killed in Puerto Rico while visiting", home_country="US").country == "PR"

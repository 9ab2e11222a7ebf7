"""Where did it happen: place names in text, points, polygons and CAP geocodes resolved
to region codes.

The output is always ISO region codes (``rules.regions``), most specific first: an ISO
3166-2 subdivision (``US-TX``) and its ISO 3166-1 country (``US``). Cities and US counties
are only a way to find them. The table is ``rules/data/gazetteer.tsv.gz``, derived at build
time from GeoNames (see ``rules/data/build_gazetteer.py``); it is read once, on first use.

Text (``resolve_text``) is matched by capitalised spans against the names of countries,
subdivisions, cities (population >= 15,000) and US counties, then disambiguated:

- a qualifier decides: "Paris, Texas", "Springfield, Ill.", "Uvalde, TX";
- other places in the text decide: "Paris" with "Texas" elsewhere; "Georgia" with
  "Atlanta", a Georgia county or US context words (U.S., American, Gov., FEMA ...) is
  the US state, otherwise the country;
- otherwise population and kind: plain "Paris" is Paris, France;
- names that are also common words or personal names ("Reading", "Mobile", "Moore",
  "Victoria") need support: a qualifier, a locative ("in Reading"), an event word next to
  them ("Moore tornado"), or another place in the same area; months, weekdays and a few
  words ("Police", "Mercury") need a qualifier; a name inside a longer proper noun
  ("Paris Hilton", "Hurricane Harvey", "Lake Victoria") is not a place mention;
- a dateline ("LONDON (Reuters) -") is marked, so ``best_regions`` can prefer the place
  the body says the event happened.

Points (``resolve_point``) resolve through the nearest populated places (GeoNames places
of >= 1,000 people) within a radius; polygons through the places inside them.
"""

from __future__ import annotations

import gzip
import math
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from typing import NamedTuple

import regex

from rules.regions import COUNTRY_ALIASES, get_region

KINDS = ("city", "county", "subdivision", "country")

# US territories are ISO 3166-1 countries and ISO 3166-2 subdivisions of the US at once.
US_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP", "UM"})

# ---------------------------------------------------------------------------- tables


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip

# State FIPS codes (CAP FIPS6 "SSCCC" after the leading subdivision digit).
STATE_FIPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}  # fmt: skip

# AP style state abbreviations, used after a comma ("Springfield, Ill.").
AP_STATES = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO",
    "conn": "CT", "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN",
    "kan": "KS", "kans": "KS", "ky": "KY", "la": "LA", "md": "MD", "mass": "MA",
    "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE",
    "nebr": "NE", "nev": "NV", "n h": "NH", "n j": "NJ", "n m": "NM", "n y": "NY",
    "n c": "NC", "n d": "ND", "okla": "OK", "ore": "OR", "oreg": "OR", "pa": "PA",
    "penn": "PA", "r i": "RI", "s c": "SC", "s d": "SD", "tenn": "TN", "tex": "TX",
    "vt": "VT", "va": "VA", "wash": "WA", "w va": "WV", "wis": "WI", "wisc": "WI",
    "wyo": "WY", "d c": "DC",
}  # fmt: skip

# Postal codes that stand for their state on their own, in upper case ("flooding in TX").
# The others (IN, OR, ME, OK, HI, LA, CO, VA, AR, WA ...) are words or other abbreviations.
STANDALONE_POSTAL = _words(
    """
    TX FL NY NJ NC SC NV AZ NM WV WI MN MI IL KS KY TN VT NH CT RI ND WY AK DC CA GA
    """
)

# English names people write that the table lacks: country aliases beyond
# rules.regions.COUNTRY_ALIASES, and well-known exonyms of cities.
EXTRA_ALIASES = {
    "the philippines": "PH", "philippines": "PH", "the us": "US", "the u s": "US",
    "the united states": "US", "the uk": "GB", "the united kingdom": "GB", "u s a": "US",
    "u s": "US", "u k": "GB", "the netherlands": "NL", "netherlands": "NL",
    "the gambia": "GM", "the bahamas": "BS", "bahamas": "BS", "turkiye": "TR",
    "czech republic": "CZ", "bosnia": "BA", "herzegovina": "BA", "the congo": "CG",
    "republic of congo": "CG", "congo brazzaville": "CG", "congo kinshasa": "CD",
    "east timor": "TL", "timor leste": "TL", "cote d ivoire": "CI", "macau": "MO",
    "hong kong": "HK", "the uae": "AE", "emirates": "AE", "saudi": "SA",
    "the maldives": "MV", "the solomon islands": "SB", "kosovo": "", "st lucia": "LC",
    "saint lucia": "LC", "st kitts": "KN", "sao tome": "ST", "trinidad": "TT",
    "new zealand": "NZ", "aotearoa": "NZ", "russian federation": "RU", "persia": "IR",
    "ceylon": "LK", "zaire": "CD", "swaziland": "SZ", "eswatini": "SZ",
    "north macedonia": "MK", "britain": "GB", "great britain": "GB",
    "usvi": "US-VI", "us virgin islands": "US-VI", "virgin islands": "US-VI",
    "puerto rico": "US-PR", "guam": "US-GU",
}  # fmt: skip
EXONYMS = {
    "kiev": "Kyiv", "bombay": "Mumbai", "calcutta": "Kolkata", "madras": "Chennai",
    "peking": "Beijing", "canton": "Guangzhou", "saigon": "Ho Chi Minh City",
    "rangoon": "Yangon", "dacca": "Dhaka", "bangalore": "Bengaluru", "poona": "Pune",
    "nyc": "New York City", "la": "Los Angeles", "constantinople": "Istanbul",
    "antioch": "Antakya", "maras": "Kahramanmaraş", "marash": "Kahramanmaraş",
    "urfa": "Şanl\u0131urfa", "aleppo": "Aleppo", "kharkov": "Kharkiv", "odessa": "Odesa",
    "lvov": "Lviv", "munich": "Munich", "cologne": "Cologne", "florence": "Florence",
    "venice": "Venice", "naples": "Naples", "turin": "Turin", "milan": "Milan",
    "lisbon": "Lisbon", "the hague": "The Hague", "gothenburg": "Gothenburg",
    "copenhagen": "Copenhagen", "bucharest": "Bucharest", "belgrade": "Belgrade",
    "christchurch": "Christchurch", "mexico city": "Mexico City", "d f": "Mexico City",
    "kathmandu": "Kathmandu", "katmandu": "Kathmandu", "port au prince": "Port-au-Prince",
}  # fmt: skip
# Demonyms: weak evidence ("Turkish police", "a Texan town").
DEMONYMS = {
    "american": "US", "americans": "US", "british": "GB", "briton": "GB", "britons": "GB",
    "english": "GB-ENG", "scottish": "GB-SCT", "welsh": "GB-WLS", "irish": "IE",
    "french": "FR", "german": "DE", "germans": "DE", "italian": "IT", "italians": "IT",
    "spanish": "ES", "portuguese": "PT", "dutch": "NL", "belgian": "BE", "swiss": "CH",
    "austrian": "AT", "greek": "GR", "turkish": "TR", "turks": "TR", "syrian": "SY",
    "syrians": "SY", "iraqi": "IQ", "iraqis": "IQ", "iranian": "IR", "iranians": "IR",
    "israeli": "IL", "israelis": "IL", "palestinian": "PS", "palestinians": "PS",
    "lebanese": "LB", "jordanian": "JO", "egyptian": "EG", "egyptians": "EG",
    "libyan": "LY", "tunisian": "TN", "algerian": "DZ", "moroccan": "MA", "saudi": "SA",
    "yemeni": "YE", "afghan": "AF", "afghans": "AF", "pakistani": "PK", "pakistanis": "PK",
    "indian": "IN", "indians": "IN", "bangladeshi": "BD", "nepali": "NP", "nepalese": "NP",
    "sri lankan": "LK", "chinese": "CN", "japanese": "JP", "korean": "KR",
    "south korean": "KR", "north korean": "KP", "taiwanese": "TW", "vietnamese": "VN",
    "thai": "TH", "cambodian": "KH", "burmese": "MM", "malaysian": "MY",
    "indonesian": "ID", "indonesians": "ID", "filipino": "PH", "filipinos": "PH",
    "philippine": "PH", "australian": "AU", "australians": "AU", "new zealander": "NZ",
    "canadian": "CA", "canadians": "CA", "mexican": "MX", "mexicans": "MX",
    "brazilian": "BR", "argentine": "AR", "argentinian": "AR", "chilean": "CL",
    "peruvian": "PE", "colombian": "CO", "venezuelan": "VE", "venezuelans": "VE",
    "ecuadorian": "EC", "ecuadorean": "EC", "bolivian": "BO", "cuban": "CU",
    "cubans": "CU", "haitian": "HT", "haitians": "HT", "jamaican": "JM",
    "dominican": "DO", "guatemalan": "GT", "honduran": "HN", "salvadoran": "SV",
    "nicaraguan": "NI", "russian": "RU", "russians": "RU", "ukrainian": "UA",
    "ukrainians": "UA", "polish": "PL", "czech": "CZ", "slovak": "SK", "hungarian": "HU",
    "romanian": "RO", "bulgarian": "BG", "serbian": "RS", "croatian": "HR",
    "bosnian": "BA", "albanian": "AL", "swedish": "SE", "norwegian": "NO",
    "danish": "DK", "finnish": "FI", "icelandic": "IS", "nigerian": "NG",
    "nigerians": "NG", "kenyan": "KE", "ethiopian": "ET", "somali": "SO",
    "sudanese": "SD", "south african": "ZA", "ghanaian": "GH", "congolese": "CD",
    "ugandan": "UG", "tanzanian": "TZ", "rwandan": "RW", "zimbabwean": "ZW",
    "mozambican": "MZ", "malawian": "MW", "zambian": "ZM", "angolan": "AO",
    "cameroonian": "CM", "senegalese": "SN", "malian": "ML", "nigerien": "NE",
    "texan": "US-TX", "texans": "US-TX", "californian": "US-CA", "californians": "US-CA",
    "floridian": "US-FL", "floridians": "US-FL", "new yorker": "US-NY",
    "new yorkers": "US-NY", "oklahoman": "US-OK", "oklahomans": "US-OK",
    "puerto rican": "US-PR", "puerto ricans": "US-PR", "hawaiian": "US-HI",
    "alaskan": "US-AK", "louisianan": "US-LA", "georgian": "GE", "keralite": "IN-KL",
    "quebecois": "CA-QC", "albertan": "CA-AB", "albertans": "CA-AB",
}  # fmt: skip

# Spans that contain a place name but are not that place ("Gulf of Mexico",
# "South America"): matched so that the inner name does not match.
BLOCKERS = frozenset(
    """
    south america|north america|latin america|central america|middle east|far east
    gulf of mexico|gulf coast|east coast|west coast|new england|indian ocean|pacific ocean
    atlantic ocean|arctic ocean|southern ocean|mediterranean sea|caribbean sea|red sea
    black sea|dead sea|south china sea|sea of japan|persian gulf|gulf of aden
    bay of bengal|arabian sea|english channel|north sea|baltic sea|caspian sea
    panama canal|suez canal|rio grande|great lakes|rocky mountains|new mexico state
    washington post|new york times|los angeles times|chicago tribune|boston globe
    manchester united|manchester city|real madrid|paris saint germain|paris hilton
    jersey shore|paris agreement|paris accord|geneva convention|wall street|white house
    buckingham palace|downing street|capitol hill|silicon valley
    """.replace("\n", "|").split("|")
)
BLOCKERS = frozenset(b.strip() for b in BLOCKERS if b.strip()) - {""}

# Words before a storm's name: that name is not a place anywhere in the text.
STORM_WORDS = _words("hurricane typhoon cyclone storm tropical")
# Words right after a name, or right before it, that make it the scene of an event:
# "Buffalo shooting", "tornado hits Moore".
EVENT_NOUNS = _words(
    """
    shooting shootings shooter gunman attack attacks bombing bombings blast explosion
    earthquake quake fire fires wildfire wildfires blaze flood floods flooding tornado
    crash massacre stampede riot riots siege collapse landslide tsunami eruption
    evacuation evacuations victims
    """
)
EVENT_VERBS_BEFORE = _words(
    """
    hit hits struck strikes rocks rocked devastates devastated slams slammed pounds
    lashes
    """
)
# Words that make the capitalised word after them a name other than a place.
NOT_PLACE_BEFORE = _words(
    """
    hurricane typhoon cyclone storm tropical lake mount mt river cape president king queen
    prince princess sir lord lady dr mr mrs ms miss judge senator sen rep coach pope
    """
)
# Words that make the capitalised word before them a feature, not the place.
NOT_PLACE_AFTER = _words(
    """
    river lake sea ocean bay gulf strait mountains mountain mount valley creek canal
    island islands peninsula basin desert airport university college stadium street
    avenue road boulevard hospital school fc inc corp ltd plc llc co times post herald
    tribune journal gazette chronicle airlines airways football united rangers
    """
)
WATER_AFTER = _words("river lake sea ocean bay gulf strait creek canal")
# Words after a W/P name showing it is a person or company speaking, not a place.
SPEAKER_AFTER = frozenset(
    ["said", "says", "told", "announced", "reported", "wrote", "tweeted", "shares", "stock"]
)
# Roles before a name: "Gov. Abbott", "Mayor Moore" -- the next word is a person.
ROLE_BEFORE = _words(
    """
    gov governor mayor sheriff chief officer sen senator rep president minister
    """
)
# Words before a name that support reading it as a place.
LOCATIVES = _words(
    """
    in at near outside across around throughout from to into toward towards off northern
    southern eastern western central north south east west northeast northwest southeast
    southwest downtown greater rural coastal suburban
    """
)
# Capitalised words that may precede a place inside a capitalised run.
PLACE_PREFIXES = _words(
    """
    north south east west northern southern eastern western central northeast northwest
    southeast southwest greater metro downtown upstate coastal rural inner outer upper
    lower mid
    """
)
EVENT_WORDS = _words(
    """
    shooting shootings shooter gunman gunmen gunfire earthquake earthquakes quake quakes
    tremor aftershock flood floods flooding flash wildfire wildfires fire fires blaze
    explosion explosions blast blasts bomb bombing bombings attack attacks attacked
    tornado tornadoes twister hurricane typhoon cyclone storm storms landslide
    landslides mudslide avalanche tsunami eruption volcano crash crashes derailment
    collapse collapsed stampede massacre killed kills kill dead deaths death died dies
    victims injured wounded casualties toll missing evacuated evacuation evacuations
    emergency disaster disasters outbreak riot riots unrest struck strikes hit hits
    devastated destroyed damage damaged rescue rescuers survivors mourning vigil tragedy
    """
)
# US context: a name shared by a US state and something else leans to the state.
US_CONTEXT = _words(
    """
    us u.s. usa u.s.a. america american americans gov governor sheriff county counties
    fema nws state trooper troopers interstate mph congressman congresswoman senator fbi
    atf
    """
)
# Month and weekday names and words that are places only with a qualifier.
NEVER_ALONE = _words(
    """
    january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday police university
    college mercury union post times sun star energy
    """
)
# Names whose everyday sense (or a person) is at least as common as the place: they need
# support whatever the table says about them.
CONTEXT_NEEDED = _words(
    """
    sale deal mobile orange jersey victoria chad jordan nice reading bath split cork derby
    """
)
# Capitalised words that may follow a city in a capitalised run ("Houston Police").
PLACE_FOLLOWERS = _words(
    """
    police fire county city metro area mayor officials residents sheriff department
    authorities council region province state
    """
)
# Countries and states whose names are also everyday words: never matched in lower case.
LOWER_STOP = _words(
    """
    turkey china chile chad jordan georgia guinea jersey niger panama morocco iceland
    japan canada brazil victoria washington virginia carolina indiana
    """
)
# Small words that join the words of a name ("Rio de Janeiro", "Bay of Plenty").
CONNECTORS = _words(
    """
    of de del la le les du des da do dos das di upon on en am im an der den bei y and
    the au aux sur
    """
)
# Names of subdivisions that are only directions or generic words ("Central", "Nord").
GENERIC_NAMES = _words(
    """
    central centre center centro north south east west northern southern eastern western
    nord sud est ouest norte sur oeste leste oriental occidental capital coast coastal
    littoral islands island lakes upper lower middle interior highlands plateau eastern
    province western province northern province southern province north east north west
    south east south west far north far west national mountain
    """
)

# ---------------------------------------------------------------------------- data


class Place(NamedTuple):
    """One gazetteer entry."""

    name: str
    kind: str  # "city" | "county" | "subdivision" | "country"
    regions: tuple[str, ...]  # most specific first: ("US-TX", "US")
    population: int
    lat: float | None = None
    lon: float | None = None
    flags: str = ""  # c: capital, w: common English word, p: personal name


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place mentioned in a text."""

    name: str  # the gazetteer name ("Paris")
    span: tuple[int, int]  # character offsets in the text, end exclusive
    kind: str  # "city" | "county" | "subdivision" | "country"
    regions: tuple[str, ...]  # most specific first: ("US-TX", "US")
    population: int
    score: float  # 0..1, how sure the match and its reading are
    text: str = ""  # the matched text ("Paris, Texas")
    via: str = "name"  # name | alias | qualified | code | demonym
    dateline: bool = False  # the dateline at the start of a story
    near_event: bool = False  # an event word ("earthquake", "killed") is close by
    locative: bool = False  # right after "in", "at", "near", "outside" ...
    # The name has readings in more than one subdivision (Santa Fe, Springfield).
    ambiguous: bool = False


class _Entry(NamedTuple):
    place: Place
    via: str  # name | alt | alias | demonym | code | blocker


@dataclass
class _TextIndex:
    names: dict[str, list[_Entry]]  # countries, subdivisions, counties, aliases
    first_words: frozenset[str]
    by_code: dict[str, Place]  # country and subdivision places by region code
    city_rows: list[list[str]]  # sorted by key (column 2)
    city_keys: list[str]
    alt_keys: list[str]  # sorted
    alt_rows: list[int]
    cities: dict[int, Place] = field(default_factory=dict)
    cache: dict[str, list[_Entry]] = field(default_factory=dict)
    starts: dict[str, bool] = field(default_factory=dict)

    def lookup(self, key: str) -> list[_Entry] | None:
        """Every reading of a name key, or None."""
        found = self.cache.get(key)
        if found is not None:
            return found or None
        out = list(self.names.get(key, ()))
        keys = self.city_keys
        i = bisect_left(keys, key) if len(key) > 2 else len(keys)  # no towns called "Pa"
        while i < len(keys) and keys[i] == key:
            out.append(_Entry(self.city(i), "name"))
            i += 1
        i = bisect_left(self.alt_keys, key)
        while i < len(self.alt_keys) and self.alt_keys[i] == key:
            out.append(_Entry(self.city(self.alt_rows[i]), "alt"))
            i += 1
        if len(self.cache) > 50_000:
            self.cache.clear()
        self.cache[key] = out
        return out or None

    def starts_name(self, word: str) -> bool:
        """Whether some name's first word is ``word`` (remembered: text repeats words)."""
        found = self.starts.get(word)
        if found is None:
            if len(self.starts) > 50_000:
                self.starts.clear()
            found = self.starts[word] = self._starts_name(word)
        return found

    def _starts_name(self, word: str) -> bool:
        if word in self.first_words:
            return True
        for keys in (self.city_keys, self.alt_keys):
            i = bisect_left(keys, word)
            if i < len(keys) and (keys[i] == word or keys[i].startswith(word + " ")):
                return True
        return False

    def city(self, row: int) -> Place:
        place = self.cities.get(row)
        if place is None:
            _, name, _key, _, cc, sub, _lat, _lon, pop, flags = self.city_rows[row]
            regions = tuple(c for c in _region_tuple(cc, sub) if _known(c))
            place = self.cities[row] = Place(name, "city", regions, int(pop), None, None, flags)
        return place


@dataclass
class _PointIndex:
    cell: float
    raw: dict[tuple[int, int], str]
    cells: dict[tuple[int, int], list[tuple[float, float, int]]] = field(default_factory=dict)
    regions: list[tuple[str, ...]] = field(default_factory=list)
    region_ids: dict[str, int] = field(default_factory=dict)
    summaries: dict[tuple[int, int], list[tuple[float, float, int]]] = field(default_factory=dict)

    def bucket(self, key: tuple[int, int]) -> list[tuple[float, float, int]]:
        found = self.cells.get(key)
        if found is None:
            found = []
            for item in self.raw.get(key, "").split():
                lat, lon, region = item.split(",")
                rid = self.region_ids.get(region)
                if rid is None:
                    country = region.split("-")[0]
                    sub = region if "-" in region else ""
                    rid = self.region_ids[region] = len(self.regions)
                    self.regions.append(tuple(c for c in _region_tuple(country, sub) if _known(c)))
                found.append((float(lat), float(lon), rid))
            self.cells[key] = found
        return found

    def summary(self, key: tuple[int, int]) -> list[tuple[float, float, int]]:
        """One place per region in a cell (for cells wholly inside a search radius)."""
        found = self.summaries.get(key)
        if found is None:
            first: dict[int, tuple[float, float, int]] = {}
            for item in self.bucket(key):
                first.setdefault(item[2], item)
            found = self.summaries[key] = list(first.values())
        return found


def _fold(text: str) -> str:
    text = text.lower().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LETTERS = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "\u0131": "i",
        "æ": "ae",
        "ß": "ss",
        "œ": "oe",
        "þ": "th",
        "\u2019": "'",
    }
)
_NONWORD = regex.compile(r"[^\p{L}\p{N}]+")
_ABBREV = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


def name_key(text: str) -> str:
    """The lookup form of a name: folded, punctuation as spaces, St./Ft./Mt. expanded."""
    low = text.lower()
    if low.isascii() and low.replace(" ", "").isalpha():
        words = low.split()
    else:
        words = _NONWORD.sub(" ", _fold(text)).split()
    if len(words) > 1 and words[0] in _ABBREV:
        words[0] = _ABBREV[words[0]]
    return " ".join(words)


def _region_tuple(country: str, sub: str) -> tuple[str, ...]:
    if sub:
        return (sub, country)
    if country in US_TERRITORIES:
        return (f"US-{country}", country)
    return (country,)


def _read(name: str) -> list[list[str]]:
    raw = resources.files("rules.data").joinpath(name).read_bytes()
    return [
        line.split("\t")
        for line in gzip.decompress(raw).decode("utf-8").splitlines()
        if line and line[0] != "#"
    ]


@cache
def _rows() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {"N": [], "S": [], "C": [], "A": [], "K": []}
    for row in _read("gazetteer.tsv.gz"):
        out[row[0]].append(row)
    return out


@cache
def _known(code: str) -> bool:
    return get_region(code) is not None


def _float(text: str) -> float | None:
    return float(text) if text else None


@cache
def _text_index() -> _TextIndex:
    rows = _rows()
    names: dict[str, list[_Entry]] = {}
    by_code: dict[str, Place] = {}

    def add(name: str, entry: _Entry) -> None:
        key = name_key(name)
        if key:
            names.setdefault(key, []).append(entry)

    for _, code, name, alts, pop, lat, lon, flags in rows["N"]:
        if not _known(code):
            continue
        regions: tuple[str, ...] = (code,)
        if code in US_TERRITORIES and _known(f"US-{code}"):
            regions = (f"US-{code}", code)
        place = Place(name, "country", regions, int(pop or 0), _float(lat), _float(lon), flags)
        by_code[code] = place
        add(name, _Entry(place, "name"))
        for alt in filter(None, alts.split("|")):
            add(alt, _Entry(place, "name"))
    for _, code, name, alts, pop, lat, lon, flags in rows["S"]:
        country = code.split("-")[0]
        if not _known(code):
            continue
        place = Place(
            name, "subdivision", (code, country), int(pop or 0), _float(lat), _float(lon), flags
        )
        by_code[code] = place
        for n, alt in enumerate([name, *filter(None, alts.split("|"))]):
            if name_key(alt) not in GENERIC_NAMES and len(name_key(alt)) > 2:
                add(alt, _Entry(place, "name" if n == 0 else "alt"))
    city_rows = rows["C"]
    city_keys = [r[2] for r in city_rows]
    alt_keys = [r[1] for r in rows["A"]]
    alt_rows = [int(r[2]) for r in rows["A"]]
    index = _TextIndex(names, frozenset(), by_code, city_rows, city_keys, alt_keys, alt_rows)
    for _, name, _fips, state, lat, lon, pop in rows["K"]:
        place = Place(name, "county", (state, "US"), int(pop or 0), _float(lat), _float(lon))
        add(name, _Entry(place, "name"))
        for suffix, short in ((" County", " Co"), (" Parish", " Par")):
            if name.endswith(suffix):
                add(name[: -len(suffix)] + short, _Entry(place, "name"))
    # Country aliases (ours and rules.regions'), exonyms, demonyms, blockers.
    for alias, code in {**COUNTRY_ALIASES, **EXTRA_ALIASES}.items():
        target = by_code.get(code) or _code_place(code, by_code)
        if target is not None:
            add(alias, _Entry(target, "alias"))
    for alias, city in EXONYMS.items():
        found = [e.place for e in index.lookup(name_key(city)) or () if e.place.kind == "city"]
        if found:
            add(alias, _Entry(max(found, key=lambda p: p.population), "alias"))
    for demonym, code in DEMONYMS.items():
        target = by_code.get(code) or _code_place(code, by_code)
        if target is not None:
            add(demonym, _Entry(target, "demonym"))
    blocker = Place("", "blocker", (), 0)
    for phrase in BLOCKERS:
        add(phrase, _Entry(blocker, "blocker"))
    index.first_words = frozenset(k.split()[0] for k in names)
    index.cache.clear()
    return index


def _code_place(code: str, by_code: dict[str, Place]) -> Place | None:
    region = get_region(code)
    if region is None or region.kind == "world":
        return None
    if region.kind == "country":
        place = Place(region.name, "country", (code,), 0)
    else:
        country = code.split("-")[0]
        regions = (
            (code, country)
            if country != "US" or code[3:] not in US_TERRITORIES
            else (code, code[3:])
        )
        place = Place(region.name, "subdivision", regions, 0)
    by_code[code] = place
    return place


def place_for_code(code: str) -> Place | None:
    """The country or subdivision place for a region code (with its centroid if known)."""
    index = _text_index()
    return index.by_code.get(code) or _code_place(code, index.by_code)


def centroid(code: str) -> tuple[float, float] | None:
    """The population-weighted centre of a country or subdivision, if the table has one."""
    place = place_for_code(code)
    if place is None or place.lat is None or place.lon is None:
        return None
    return place.lat, place.lon


# ---------------------------------------------------------------------------- text

_TOKEN = regex.compile(
    r"(?:\p{Lu}\.){2,}(?!\p{L})"  # U.S., D.C., N.Y.
    r"|[#@]?\p{L}[\p{L}\p{M}]*(?:['\u2019]\p{L}[\p{L}\p{M}]*)*"
)
_CAMEL = regex.compile(r"(?<=\p{Ll})(?=\p{Lu})")
_BREAK = regex.compile(r"[.!?:;|\"\u201c\u201d\n()\[\]]|\s[-\u2013\u2014]+\s|[\u2013\u2014]")
_DATELINE = regex.compile(
    r"^\s*(?P<place>\p{Lu}[\p{Lu}\p{M} .'\u2019\-]{2,}?)"
    r"(?:,\s*(?P<region>[\p{L}. ]{2,30}?))?"
    r"\s*(?:\((?P<agency>[^)]{1,40})\))?\s*(?:[-\u2013\u2014:]|--)\s"
)
_MAX_WORDS = 7


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    key: str  # name_key of the word
    cap: bool  # starts with a capital letter
    upper: bool  # all capitals (2+ letters)
    sentence_start: bool
    title: bool = False  # in a sentence written in Title Case or capitals
    storm: bool = False  # a storm's name ("Harvey" after "Hurricane Harvey")


@dataclass
class _Cand:
    first: int  # token indexes, inclusive
    last: int
    start: int
    end: int
    entries: list[_Entry]
    surface: str
    lower: bool = False  # matched in lower case
    choice: _Entry | None = None
    score: float = 0.0
    via: str = "name"
    qualified: bool = False
    title_or_start: bool = False  # capitals say little here
    after_comma: bool = False  # "..., Washington": where a state or country qualifies
    dateline: bool = False
    near_event: bool = False
    support: bool = False


def _split_camel(word: str) -> list[str]:
    """'PuertoRico' -> ['Puerto', 'Rico']; 'McMurray' and 'DeKalb' stay whole."""
    parts: list[str] = []
    for part in _CAMEL.split(word):
        if parts and len(parts[-1]) <= 2 and parts[-1][0].isupper():
            parts[-1] += part
        elif part:
            parts.append(part)
    return parts


@lru_cache(maxsize=65536)
def _word_parts(word: str) -> tuple[tuple[int, str, str, bool, bool], ...]:
    """The tokens one matched word makes, remembered (text repeats its words): for
    each, its offset in the match, its text, its name key, whether it is capitalised
    and whether it is in capitals (two letters or more). A hashtag's sign and a
    possessive are dropped, camel case split ("PuertoRico")."""
    start = 0
    if word[0] in "#@":
        word, start = word[1:], 1
    if word[-2:] in ("'s", "\u2019s") and len(word) > 3:
        word = word[:-2]  # possessive: "California's"
    parts = _split_camel(word) if _CAMEL.search(word, 1) else [word]
    out = []
    for part in parts:
        if part:
            letters = [c for c in part if c.isalpha()]
            upper = len(letters) >= 2 and all(c.isupper() for c in letters)
            out.append((start, part, name_key(part), part[0].isupper(), upper))
        start += len(part)
    return tuple(out)


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        at = m.start()
        for offset, part, key, cap, upper in _word_parts(m.group()):
            start = at + offset
            prev_end = toks[-1].end if toks else 0
            gap = text[prev_end:start]
            broken = not toks or (gap not in (" ", "") and _BREAK.search(gap) is not None)
            toks.append(_Tok(start, start + len(part), part, key, cap, upper, broken))
    # Title Case (or capitals) per sentence: capitals then say little about names.
    begin = 0
    for i in range(1, len(toks) + 1):
        if i == len(toks) or toks[i].sentence_start:
            words = [t for t in toks[begin:i] if len(t.text) >= 4]
            title = len(words) >= 4 and sum(t.cap for t in words) / len(words) >= 0.6
            for t in toks[begin:i]:
                t.title = title
            begin = i
    return toks


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """Whether two neighbouring tokens can be parts of one name."""
    gap = text[a.end : b.start]
    if gap in (" ", "", "-", "\u2019", "'"):
        return True
    return gap in (". ", ".") and a.key in ("st", "ste", "ft", "mt", "n", "s", "w", "e")


def _mostly_upper(text: str) -> bool:
    letters = list(filter(str.isalpha, text))
    return len(letters) >= 8 and sum(map(str.isupper, letters)) / len(letters) > 0.8


# Nouns after a place name that make it someone's origin rather than the scene.
ORIGIN_NOUNS = frozenset(
    {
        "man",
        "woman",
        "men",
        "women",
        "teen",
        "teenager",
        "boy",
        "girl",
        "resident",
        "residents",
        "native",
        "natives",
        "couple",
        "family",
        "student",
        "students",
    }
)


def resolve_text(text: str) -> list[PlaceMatch]:
    """Places mentioned in ``text``, in text order, each with its most likely reading."""
    if not text or not text.strip():
        return []
    index = _text_index()
    toks = _tokens(text)
    if not toks:
        return []
    upper_text = _mostly_upper(text)
    if upper_text:
        for t in toks:
            t.title = True
    lowered = [t.text.lower() for t in toks]
    storms = {
        toks[i + 1].key
        for i in range(len(toks) - 1)
        if toks[i].key in STORM_WORDS and toks[i + 1].cap
    }
    for t in toks:
        t.storm = t.key in storms
    cands = _find(text, toks, index, upper_text)
    cands = _add_state_codes(text, toks, cands, upper_text)
    _qualify(text, toks, cands)
    _drop_name_pairs(text, cands)
    dl = _DATELINE.match(text)
    dl_end = (dl.end("region") if dl.group("region") else dl.end("place")) if dl else -1
    for c in cands:
        if dl and c.start >= dl.start("place") and c.end <= dl_end:
            c.dateline = True
        c.near_event = _near_event(lowered, c.first, c.last)
        c.support = c.qualified or c.dateline or _supported(lowered, c)
        c.title_or_start = toks[c.first].title or toks[c.first].sentence_start
        prev = toks[c.first - 1] if c.first > 0 else None
        c.after_comma = prev is not None and prev.cap and text[prev.end : c.start] == ", "
    _choose(cands, toks, lowered)
    out = []
    for c in cands:
        if c.choice is None or c.choice.via == "blocker":
            continue
        following = lowered[c.last + 1] if c.last + 1 < len(lowered) else ""
        if following in ORIGIN_NOUNS:
            # "Florida man arrested": where someone is from, not where it happened.
            c.via = "demonym"
        place = c.choice.place
        out.append(
            PlaceMatch(
                name=place.name,
                span=(c.start, c.end),
                kind=place.kind,
                regions=place.regions,
                population=place.population,
                score=round(min(1.0, max(0.0, c.score)), 3),
                text=text[c.start : c.end],
                via=c.via,
                dateline=c.dateline,
                near_event=c.near_event,
                locative=c.first > 0 and lowered[c.first - 1] in LOCATIVES,
                ambiguous=len({e.place.regions[0] for e in c.entries}) > 1,
            )
        )
    return out


def _find(text: str, toks: list[_Tok], index: _TextIndex, upper_text: bool) -> list[_Cand]:
    """Longest gazetteer names starting at each token, left to right."""
    cands: list[_Cand] = []
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        first_key = _ABBREV.get(tok.key, tok.key) if i + 1 < n else tok.key
        head = tok.key.split(" ", 1)[0]
        if (tok.key in CONNECTORS and not tok.cap) or not (
            index.starts_name(head) or index.starts_name(first_key)
        ):
            i += 1
            continue
        j = i
        while j < n - 1 and j - i < _MAX_WORDS - 1 and _joined(text, toks[j], toks[j + 1]):
            j += 1
        found = None
        for k in range(j, i - 1, -1):
            if k > i and toks[k].key in CONNECTORS:
                continue
            parts = [t.key for t in toks[i : k + 1]]
            keys = [" ".join(parts)]
            if k > i:
                keys.append(" ".join([first_key, *parts[1:]]))
                if all(toks[x].end == toks[x + 1].start for x in range(i, k)):
                    keys.append("".join(parts))  # "McAllen" split as camel case
            entries = None
            for key in keys:
                entries = index.lookup(key)
                if entries:
                    break
            if entries:
                found = (k, entries)
                break
        if found is None:
            i += 1
            continue
        k, entries = found
        significant = [t for t in toks[i : k + 1] if t.key not in CONNECTORS]
        if not significant:
            i += 1
            continue
        cand = _Cand(i, k, tok.start, toks[k].end, list(entries), text[tok.start : toks[k].end])
        if not all(t.cap for t in significant):
            if upper_text or any(t.cap for t in significant) or not _lower_ok(cand):
                i += 1
                continue
            cand.lower = True
        cands.append(cand)
        i = k + 1
    return cands


def _lower_ok(cand: _Cand) -> bool:
    """A lower-case mention ("prayers for houston") counts for big names that are not
    English words: countries, subdivisions and cities of 100,000 or more."""
    key = name_key(cand.surface)
    if len(key) < 4 or key in NEVER_ALONE | CONTEXT_NEEDED | LOWER_STOP | GENERIC_NAMES:
        return False
    cand.entries = [
        e
        for e in cand.entries
        if e.via in ("name", "alias")
        and "w" not in e.place.flags
        and (
            e.place.kind in ("country", "subdivision")
            or e.place.population >= (1_000_000 if "p" in e.place.flags else 100_000)
        )
    ]
    return bool(cand.entries)


def _add_state_codes(
    text: str, toks: list[_Tok], cands: list[_Cand], upper_text: bool
) -> list[_Cand]:
    """US states written as postal codes or AP abbreviations: after "Town, " any of
    them ("Dayton, OH", "Springfield, Ill."); alone, the unambiguous upper-case ones."""
    covered = {i for c in cands for i in range(c.first, c.last + 1)}
    out = list(cands)
    for i, tok in enumerate(toks):
        if i in covered or len(tok.text) > 6:
            continue
        after_comma = (
            i > 0
            and text[toks[i - 1].end : tok.start] in (", ", ",")
            and toks[i - 1].cap
            and not upper_text
        )
        code = None
        end, last = tok.end, i
        alone = tok.upper and tok.text in STANDALONE_POSTAL and not upper_text
        if len(tok.text) == 2 and tok.text.upper() in US_STATES and tok.text[0].isupper():
            code = tok.text.upper() if after_comma or alone else None
        if code is None and after_comma:
            has_dot = text[tok.end : tok.end + 1] == "."
            if tok.key in AP_STATES and (has_dot or "." in tok.text):
                code, end = AP_STATES[tok.key], tok.end + (1 if has_dot else 0)
            elif i + 1 < len(toks) and has_dot:  # "W. Va."
                pair = f"{tok.key} {toks[i + 1].key}"
                if pair in AP_STATES and text[toks[i + 1].end : toks[i + 1].end + 1] == ".":
                    code, last, end = AP_STATES[pair], i + 1, toks[i + 1].end + 1
        if code is None:
            continue
        place = place_for_code(f"US-{code}")
        if place is None:
            continue
        entry = _Entry(place, "code")
        out.append(_Cand(i, last, tok.start, end, [entry], text[tok.start : end], via="code"))
    out.sort(key=lambda c: c.start)
    return out


def _qualify(text: str, toks: list[_Tok], cands: list[_Cand]) -> None:
    """'City, Region' pairs: the region picks the city's reading and joins the span.

    When the region names a town we do not know ("Santa Fe, Texas"), every other
    mention of that name in the text means the same namesake, not the better-known
    place: they are dropped and the region stands on its own."""
    by_first = {c.first: c for c in cands}
    namesakes: set[str] = set()
    for c in list(cands):
        if c.qualified or c not in cands:
            continue
        if not any(e.place.kind in ("city", "county") for e in c.entries):
            continue
        other = by_first.get(c.last + 1)
        if other is None or other not in cands:
            continue
        gap = text[c.end : other.start]
        if gap.strip() not in (",", "(") or "\n" in gap:
            continue
        regions = [e.place for e in other.entries if e.place.kind in ("subdivision", "country")]
        pairs = [
            (e, r)
            for e in c.entries
            if e.place.kind in ("city", "county")
            for r in regions
            if r.regions[0] in e.place.regions
        ]
        if not pairs:
            if regions and any(e.place.kind in ("city", "county") for e in c.entries):
                # "Santa Fe, TX": a namesake of every Santa Fe we know (the city in New
                # Mexico, the province in Argentina) too small for the gazetteer.
                c.entries = []
                namesakes.add(name_key(c.surface))
            continue
        entry, _ = max(pairs, key=lambda p: (p[0].via != "alt", p[0].place.population))
        c.choice, c.score, c.via, c.qualified = entry, 0.95, "qualified", True
        c.end, c.last = other.end, other.last
        c.surface = text[c.start : c.end]
        cands.remove(other)
    for c in cands:
        if not c.qualified and name_key(c.surface) in namesakes:
            c.entries = []


def _drop_name_pairs(text: str, cands: list[_Cand]) -> None:
    """Two one-word town names side by side are a person's name ("Whitney Houston")."""
    for a, b in pairwise(cands):
        if text[a.end : b.start] != " " or a.qualified or b.qualified:
            continue
        one_word = a.first == a.last and b.first == b.last
        if one_word and all(e.place.kind == "city" for e in a.entries + b.entries):
            a.entries, b.entries = [], []


def _near_event(lowered: list[str], first: int, last: int, window: int = 4) -> bool:
    lo, hi = max(0, first - window), min(len(lowered), last + 1 + window)
    return any(w in EVENT_WORDS for w in lowered[lo:first] + lowered[last + 1 : hi])


def _supported(lowered: list[str], c: _Cand) -> bool:
    """Evidence that an ambiguous word is used as a place name here: a locative or an
    event verb before it ("in Reading", "tornado hits Moore"), an event noun after it
    ("Buffalo shooting") or a word such as "-based" or "residents"."""
    before = lowered[c.first - 1] if c.first > 0 else ""
    after = lowered[c.last + 1] if c.last + 1 < len(lowered) else ""
    if before in LOCATIVES or before in EVENT_VERBS_BEFORE:
        return True
    return after in EVENT_NOUNS or after in ("based", "residents", "area")


def _evidence(c: _Cand) -> dict[str, float]:
    """The regions a mention vouches for whatever its reading: all of its readings' shared
    regions ("Springfield" -> US when every Springfield is American)."""
    readings = [c.choice] if c.choice else [e for e in c.entries if e.via != "blocker"]
    if not readings:
        return {}
    shared = set(readings[0].place.regions)
    for r in readings[1:]:
        shared &= set(r.place.regions)
    weight = 0.5 if all(r.via == "demonym" for r in readings) else 1.0
    if c.choice is None and not c.support and any(_needs_support(c, r) for r in readings):
        weight *= 0.5
    return dict.fromkeys(shared, weight)


def _choose(cands: list[_Cand], toks: list[_Tok], lowered: list[str]) -> None:
    """Pick each mention's reading: qualifiers, then context from the other mentions."""
    us_context = any(w in US_CONTEXT for w in lowered) or any(
        t.text in ("U.S.", "US", "USA", "U.S.A.") for t in toks
    )
    for c in cands:
        if c.choice is None:
            c.entries = [e for e in c.entries if _plausible(c, e, toks, lowered)]
            if c.entries and c.entries[0].place.kind == "county":
                us_context = True
    evidence = [_evidence(c) for c in cands]
    for n, c in enumerate(cands):
        if c.choice is not None:
            if c.via == "code":
                c.score = 0.8 if c.first > 0 and toks[c.first - 1].end + 2 >= c.start else 0.6
            continue
        if not c.entries:
            continue
        context: dict[str, float] = {}
        for m, ev in enumerate(evidence):
            if m != n:
                for code, w in ev.items():
                    context[code] = max(context.get(code, 0.0), w)
        scored = list(
            (
                (
                    _prior(e)
                    + _context_bonus(e, context, us_context)
                    + (0.2 if c.after_comma and e.place.kind in ("subdivision", "country") else 0)
                ),
                e,
            )
            for e in c.entries
        )
        scored.sort(key=lambda s: -s[0])
        best_score, best = scored[0]
        if best.via == "blocker":
            c.choice, c.score = best, 1.0
            continue
        need = _needs_support(c, best)
        if need == 2 or (need == 1 and not (c.support or _context_supports(best, context))):
            continue
        if _stray(c, best, context, evidence[n]):
            continue
        c.choice = best
        c.via = "name" if best.via == "alt" else best.via
        margin = best_score - scored[1][0] if len(scored) > 1 else 0.3
        score = best_score * (0.85 if c.lower else 1.0)
        if margin < 0.05:
            score -= 0.1
        if c.support and best.via != "demonym":
            score += 0.05
        c.score = min(1.0, score)


def _stray(c: _Cand, e: _Entry, context: Mapping[str, float], own: Mapping[str, float]) -> bool:
    """A small place abroad in a text that is otherwise about another country ("Heredia"
    in a story about Ecuador) is more likely a surname or a namesake."""
    place = e.place
    if c.support or c.qualified or place.kind == "country" or place.population >= 100_000:
        return False
    countries = {code for code, w in context.items() if w >= 1.0 and "-" not in code}
    return bool(countries) and place.regions[-1] not in countries


def _prior(e: _Entry) -> float:
    place = e.place
    if e.via == "blocker":
        return 2.0
    if e.via == "demonym":
        return 0.35
    size = 0.1 * math.log10(max(place.population, 1000) / 15000)
    if place.kind == "country":
        base = 0.9
    elif place.kind == "subdivision":
        base = min(0.88, 0.53 + size)
    elif place.kind == "county":
        base = 0.8
    else:
        base = min(0.82, 0.5 + size)
        if "c" in place.flags:
            base += 0.2
    if e.via == "alt":
        base -= 0.15
    return base


def _context_bonus(e: _Entry, context: Mapping[str, float], us_context: bool) -> float:
    """Other mentions in the same subdivision (or country) favour this reading."""
    regions = e.place.regions
    bonus = 0.0
    for i, code in enumerate(regions):
        weight = context.get(code, 0.0)
        if weight:
            subdivision = i == 0 and len(regions) > 1
            bonus = max(bonus, (0.5 if subdivision else 0.3) * weight)
    if us_context and "US" in regions:
        bonus += 0.15 if e.place.kind != "city" else 0.05
    return bonus


def _context_supports(e: _Entry, context: Mapping[str, float]) -> bool:
    """Another mention in the same subdivision (or country, for a country-level place)."""
    return context.get(e.place.regions[0], 0.0) >= 0.5


def _plausible(c: _Cand, e: _Entry, toks: list[_Tok], lowered: list[str]) -> bool:
    """Whether the words around the mention allow this reading."""
    if e.via == "blocker":
        return True
    prev_tok = toks[c.first - 1] if c.first > 0 else None
    nxt_tok = toks[c.last + 1] if c.last + 1 < len(toks) else None
    prev = prev_tok.key if prev_tok else ""
    nxt = nxt_tok.key if nxt_tok else ""
    title = toks[c.first].title
    plain_gap = prev_tok is not None and toks[c.first].start - prev_tok.end == 1
    if prev_tok is not None and prev_tok.cap and plain_gap:
        if prev in NOT_PLACE_BEFORE:
            return False  # Hurricane Harvey, Lake Victoria, President Jackson
        if prev in ROLE_BEFORE and c.first == c.last:
            return False  # Gov. Moore, Mayor Tyler
    if (
        nxt_tok is not None
        and nxt in NOT_PLACE_AFTER
        and not nxt_tok.sentence_start
        and (nxt_tok.cap or nxt in WATER_AFTER)
    ):
        return False  # Jordan River, Nice Airport, Washington Post (not "Uvalde school")
    if c.first == c.last and toks[c.first].storm and e.place.kind != "country":
        return False  # Hurricane Harvey ... "as Harvey slams Texas"
    key = name_key(c.surface)
    if e.via == "alias" and len(key.replace(" ", "")) <= 3 and not c.surface.isupper():
        return False  # "us", "Us" are not the United States
    if e.place.kind == "city" and len(key) <= 2:
        return False
    if e.via == "demonym":
        return True
    flagged = bool({"w", "p"} & set(e.place.flags)) or key in CONTEXT_NEEDED
    if c.first == c.last and e.place.kind == "city" and not title:
        # Inside a longer capitalised run: "Whitney Houston", "Paris Hilton".
        if (
            prev_tok is not None
            and prev_tok.cap
            and not toks[c.first].sentence_start
            and prev not in PLACE_PREFIXES
        ):
            return False
        if (
            nxt_tok is not None
            and nxt_tok.cap
            and not nxt_tok.sentence_start
            and (flagged or e.place.population < 250_000)
            and nxt not in PLACE_FOLLOWERS
        ):
            return False
    return not (flagged and nxt in SPEAKER_AFTER)


def _needs_support(c: _Cand, e: _Entry) -> int:
    """How much this reading needs: 0 nothing, 1 support (a locative, an event word,
    another mention in the same area), 2 a qualifier ("March" is a month)."""
    if c.qualified or e.via in ("code", "blocker"):
        return 0
    key = name_key(c.surface)
    place = e.place
    never = key in NEVER_ALONE or key in EVENT_WORDS or key in GENERIC_NAMES
    if never or (len(key) <= 3 and "w" in place.flags and e.via != "alias"):
        return 0 if c.dateline else 2
    if key in CONTEXT_NEEDED:
        return 1
    if place.kind == "subdivision" and "p" in place.flags and place.population < 1_000_000:
        return 1
    if place.kind != "city":
        return 0
    if "p" in place.flags and place.population < 250_000:
        return 1
    if "w" in place.flags and place.population < 1_000_000:
        # A capital in running text says "name"; at a sentence start or in a title it does not.
        return 1 if c.title_or_start else 0
    return 0


# ---------------------------------------------------------------------------- regions


def best_regions(matches: Iterable[PlaceMatch]) -> tuple[str, ...]:
    """The most likely affected area, most specific first: ``("US-TX", "US")``.

    Mentions are weighed by score, nearness to event words and locatives; a dateline place
    counts little when the body names another place (a Reuters story datelined LONDON
    about an earthquake in eastern Turkey is about TR). A second or third country with
    at least 80% of the best one's evidence ("Turkey and Syria") follows the first.
    """
    found = list(matches)
    if not found:
        return ()
    body = [m for m in found if not m.dateline]
    body_countries = {m.regions[-1] for m in body if m.via != "demonym"}
    weights: dict[str, float] = {}
    sub_weights: dict[str, float] = {}
    named_subs = {m.regions[0] for m in found if m.kind == "subdivision" and m.via != "demonym"}
    for m in found:
        w = m.score
        if (
            m.ambiguous
            and m.kind in ("city", "county")
            and m.via != "qualified"
            and any(_country_of(s) == m.regions[-1] for s in named_subs)
            and m.regions[0] not in named_subs
        ):
            # An ambiguous town name beside an explicitly named subdivision of the same
            # country elsewhere ("Santa Fe High School in Texas") is most likely a
            # namesake in that subdivision: the named one is the stronger evidence.
            w *= 0.3
        if m.near_event:
            w *= 1.5
        if m.locative:
            w *= 1.3
        if m.via == "demonym":
            w *= 0.5
        if m.dateline and body_countries - {m.regions[-1]}:
            w *= 0.25
        country = m.regions[-1]
        weights[country] = weights.get(country, 0.0) + w
        if len(m.regions) > 1:
            sub_weights[m.regions[0]] = sub_weights.get(m.regions[0], 0.0) + w
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])
    best = ranked[0][1]
    chosen = [c for c, w in ranked if w >= 0.8 * best][:3]
    subs: list[str] = []
    for country in chosen:
        inside = [
            (w, s) for s, w in sub_weights.items() if _country_of(s) == country and s != country
        ]
        if inside:
            subs.append(max(inside)[1])
    return tuple(dict.fromkeys(subs + chosen))


def _country_of(code: str) -> str:
    if "-" in code:
        country = code.split("-")[0]
        return code[3:] if country == "US" and code[3:] in US_TERRITORIES else country
    return code


def dateline(text: str) -> PlaceMatch | None:
    """The dateline place at the start of a story ("LONDON (Reuters) -"), if any."""
    return next((m for m in resolve_text(text) if m.dateline), None)


def event_regions(text: str) -> tuple[str, ...]:
    """``best_regions(resolve_text(text))``: where the text says something happened."""
    return best_regions(resolve_text(text))


# ---------------------------------------------------------------------------- points

_EARTH_KM = 6371.0
_KM_PER_DEG = math.pi * _EARTH_KM / 180.0
_CELL = 0.5  # degrees


@cache
def _point_index() -> _PointIndex:
    """Populated places (>= 1,000 people, one per region per ~11 km) on a grid; each
    cell's places are parsed on first use."""
    raw = resources.files("rules.data").joinpath("points.tsv.gz").read_bytes()
    cell = _CELL
    cells: dict[tuple[int, int], str] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line.startswith("# cell "):
            cell = float(line[7:])
        elif line and line[0] != "#":
            ci, cj, items = line.split("\t", 2)
            cells[(int(ci), int(cj))] = items
    return _PointIndex(cell, cells)


_EXACT_KM = 100.0  # within this distance every place is measured; beyond, one per region per cell


def _nearby(lat: float, lon: float, radius_km: float) -> list[tuple[float, int]]:
    """(distance km, region id) of the regions with places within ``radius_km``, nearest
    first. Distances are exact within 100 km; farther cells that lie wholly inside the
    radius are measured by one place per region, so a big radius stays cheap."""
    index = _point_index()
    cell = index.cell
    dlat = radius_km / _KM_PER_DEG
    coslat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(180.0, radius_km / (_KM_PER_DEG * coslat))
    r2 = dlat * dlat
    exact2 = (min(radius_km, _EXACT_KM) / _KM_PER_DEG) ** 2
    lat_lo, lat_hi = math.floor((lat - dlat) / cell), math.floor((lat + dlat) / cell)
    lon_lo, lon_hi = math.floor((lon - dlon) / cell), math.floor((lon + dlon) / cell)
    wrap = round(360 / cell)
    best: dict[int, float] = {}
    raw = index.raw
    for ci in range(lat_lo, lat_hi + 1):
        y0, y1 = ci * cell - lat, (ci + 1) * cell - lat
        near_y = 0.0 if y0 <= 0.0 <= y1 else min(abs(y0), abs(y1))
        far_y = max(abs(y0), abs(y1))
        for cj in range(lon_lo, lon_hi + 1):
            key = (ci, (cj + wrap // 2) % wrap - wrap // 2)
            if key not in raw:
                continue
            x0, x1 = (cj * cell - lon) * coslat, ((cj + 1) * cell - lon) * coslat
            near_x = 0.0 if x0 <= 0.0 <= x1 else min(abs(x0), abs(x1))
            near2 = near_x * near_x + near_y * near_y
            if near2 > r2:
                continue  # the cell lies outside the circle
            far_x = max(abs(x0), abs(x1))
            whole = far_x * far_x + far_y * far_y <= r2 and near2 > exact2
            for plat, plon, r in index.summary(key) if whole else index.bucket(key):
                dy = plat - lat
                dx = ((plon - lon + 180.0) % 360.0 - 180.0) * coslat
                d2 = dx * dx + dy * dy
                if d2 <= r2 and d2 < best.get(r, math.inf):
                    best[r] = d2
    return sorted((math.sqrt(d2) * _KM_PER_DEG, r) for r, d2 in best.items())


def resolve_point(lat: float, lon: float, radius_km: float) -> tuple[str, ...]:
    """Regions with populated places within ``radius_km`` of the point, nearest first:
    subdivisions (or countries without one), then their countries. Nothing near -> ()."""
    if not (-90.0 <= lat <= 90.0) or not math.isfinite(lon) or radius_km <= 0:
        return ()
    near = _nearby(lat, lon, radius_km)
    if not near:
        return ()
    regions = _point_index().regions
    specific: list[str] = []
    countries: list[str] = []
    for _, r in near:
        regs = regions[r]
        if not regs:
            continue
        specific.append(regs[0])
        countries.extend(regs[1:])
    return tuple(dict.fromkeys(specific + countries))


def radius_for(kind: str, magnitude: float | None = None) -> float:
    """How far (km) from a point an event of ``kind`` is felt or does harm.

    Earthquakes grow with magnitude: about 50 km at M4.5, 150 km at M6, 300 km at M7,
    600 km at M8 (doubling per magnitude above 6); other kinds have fixed defaults.
    """
    kind = (kind or "").lower()
    if kind in ("earthquake", "quake", "eq", "seismic") and magnitude is not None:
        if magnitude >= 6.0:
            return float(min(1000.0, 150.0 * 2.0 ** (magnitude - 6.0)))
        # 50 km at 4.5 to 150 km at 6: geometric in between
        return float(max(20.0, 50.0 * 3.0 ** ((magnitude - 4.5) / 1.5)))
    defaults = {
        "earthquake": 100.0, "quake": 100.0, "eq": 100.0, "tsunami": 200.0,
        "volcano": 50.0, "vo": 50.0, "eruption": 50.0, "cyclone": 250.0, "tc": 250.0,
        "hurricane": 250.0, "typhoon": 250.0, "storm": 100.0, "flood": 50.0, "fl": 50.0,
        "wildfire": 30.0, "wf": 30.0, "fire": 10.0, "drought": 300.0, "dr": 300.0,
        "tornado": 25.0, "explosion": 10.0, "shooting": 5.0, "attack": 5.0,
    }  # fmt: skip
    return defaults.get(kind, 25.0)


def _point_in_ring(lat: float, lon: float, ring: Sequence[tuple[float, float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def resolve_polygon(ring: Sequence[tuple[float, float]]) -> tuple[str, ...]:
    """Regions for a polygon of (lat, lon): those with populated places inside it (most
    places first), else the regions near its centre, within its size plus 25 km."""
    pts = [(float(a), float(b)) for a, b in ring]
    if len(pts) < 3:
        return resolve_point(pts[0][0], pts[0][1], radius_for("")) if pts else ()
    index = _point_index()
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    lat_lo, lat_hi, lon_lo, lon_hi = min(lats), max(lats), min(lons), max(lons)
    counts: dict[int, int] = {}
    cell = index.cell
    if lon_hi - lon_lo <= 180:
        for ci in range(math.floor(lat_lo / cell), math.floor(lat_hi / cell) + 1):
            for cj in range(math.floor(lon_lo / cell), math.floor(lon_hi / cell) + 1):
                if (ci, cj) not in index.raw:
                    continue
                for plat, plon, r in index.bucket((ci, cj)):
                    inside_box = lat_lo <= plat <= lat_hi and lon_lo <= plon <= lon_hi
                    if inside_box and _point_in_ring(plat, plon, pts):
                        counts[r] = counts.get(r, 0) + 1
    if counts:
        specific: list[str] = []
        countries: list[str] = []
        for r, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
            regs = index.regions[r]
            if not regs:
                continue
            specific.append(regs[0])
            countries.extend(regs[1:])
        return tuple(dict.fromkeys(specific + countries))
    clat = sum(lats) / len(lats)
    clon = sum(lons) / len(lons)
    coslat = math.cos(math.radians(clat))
    size = max(math.hypot(a - clat, (b - clon) * coslat) * _KM_PER_DEG for a, b in pts)
    return resolve_point(clat, clon, size + radius_for(""))


# ---------------------------------------------------------------------------- geocodes


def resolve_geocodes(geocodes: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """US state codes for CAP geocodes, then ``"US"``: FIPS6 ("048201" -> US-TX) and UGC
    ("TXZ213", "TXC201" -> US-TX). Marine zones ("GMZ...", "PZZ...") give nothing.

    Territories give their two codes ("US-PR", "PR"); ``"US"`` follows only states.
    """
    states: list[str] = []
    for name, values in geocodes.items():
        kind = name.strip().upper()
        for raw in values:
            value = raw.strip().upper()
            if kind in ("FIPS6", "SAME") and len(value) == 6 and value.isdigit():
                code = STATE_FIPS.get(value[1:3])
            elif kind == "UGC" and len(value) == 6 and value[2] in "CZ" and value[3:].isdigit():
                code = value[:2] if value[:2] in US_STATES else None
            else:
                code = None
            if code:
                states.append(code)
    out: list[str] = []
    for code in dict.fromkeys(states):
        out.append(f"US-{code}")
        if code in US_TERRITORIES:
            out.append(code)
    if any(code not in US_TERRITORIES for code in states):
        out.append("US")
    return tuple(c for c in dict.fromkeys(out) if get_region(c) is not None)

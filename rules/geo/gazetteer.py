"""The geoparser's gazetteer: countries, subdivisions, regions, counties and populated places.

The table is ``rules/data/geo.tsv.gz`` (built offline by ``python -m rules.data.build_geo``
from GeoNames-derived packages; see its docstring for the row format). It is read once,
through :data:`LOADER` -- the one place this package touches package data -- which tests
replace with a small table of their own (then call :func:`gazetteer.cache_clear`).

Entries are kept in flat arrays (about 190,000 rows) and materialised as
:class:`Entry` on lookup, which keeps the resident cost near 40 MB.
"""

from __future__ import annotations

import bisect
import gzip
import importlib.resources
import io
import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Generic, TypeVar

import regex

KINDS = {
    "C": "continent",
    "W": "water",  # an ocean, sea, gulf, strait or large lake: no country
    "A": "area",  # several countries ("Southeast Asia") or one country's subdivisions
    "N": "country",
    "S": "admin1",
    "R": "region",
    "K": "admin2",
    "P": "city",
    "D": "demonym",
}
DATA_FILE = "geo.tsv.gz"
WORDS_FILE = "geo_words.tsv"
NAMES_FILE = "geo_names.tsv"


def read_package_data(name: str) -> bytes:
    """Bytes of a file shipped in ``rules/data``."""
    return importlib.resources.files("rules.data").joinpath(name).read_bytes()


# The loader seam: every read of the geoparser's data goes through this name.
LOADER: Callable[[str], bytes] = read_package_data

_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ı": "i", "æ": "ae", "ß": "ss", "œ": "oe", "þ": "th", "ð": "d"}
)
_NONWORD = regex.compile(r"[^\p{L}\p{N}]+")
_NONWORD_ASCII = re.compile(r"[^a-z0-9]+")
_ABBREV = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


def fold(text: str) -> str:
    """Lower case, accents and special letters folded (``Şanlıurfa`` -> ``sanliurfa``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """The lookup key of a name: folded words, abbreviations spelt out."""
    if text.isascii():
        if text.isalnum():  # one plain word: the common case, fast
            word = text.lower()
            return _ABBREV.get(word, word)
        # ASCII folds to its lower case, and its letters and digits are a-z and 0-9.
        words = _NONWORD_ASCII.sub(" ", text.lower()).split()
    else:
        words = _NONWORD.sub(" ", fold(text)).split()
    return " ".join(_ABBREV.get(w, w) for w in words)


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """:func:`name_key` of one word, remembered (text repeats its words)."""
    return name_key(word)


# The clear functions of the per-word memories of text read against the gazetteer
# (this module's and the mention finder's): ``Gazetteer.forget_recent`` drops them
# with its own, so that a timing starts cold.
WORD_CACHES: list[Callable[[], None]] = [word_key.cache_clear]

K = TypeVar("K")
V = TypeVar("V")


class NameMemo(Generic[K, V]):
    """What was worked out about names from one gazetteer's entries, remembered (texts
    repeat names): forgotten when another gazetteer is read, with the gazetteer's own
    memories (``Gazetteer.forget_recent``) and, all at once, past ``limit`` names."""

    __slots__ = ("_limit", "_of", "_values")

    def __init__(self, limit: int = 16384) -> None:
        self._limit = limit
        self._of: object = None
        self._values: dict[K, V] = {}
        WORD_CACHES.append(self._values.clear)

    def of(self, gaz: Gazetteer) -> dict[K, V]:
        """The remembered values for ``gaz``: look up, and store what is missing."""
        values = self._values
        if self._of is not gaz:
            values.clear()
            self._of = gaz
        elif len(values) >= self._limit:
            values.clear()
        return values


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    kind: str  # continent | water | area | country | admin1 | region | admin2 | city | demonym
    name: str
    country: str
    admin1: str | None  # ISO 3166-2 code, None for countries
    lat: float | None
    lon: float | None
    population: int
    geonameid: int | None
    flags: str

    @property
    def region(self) -> str:
        """The most specific region code the entry lies in (``US-WA``, ``FR``)."""
        return self.admin1 or self.country

    @property
    def capital(self) -> bool:
        return "c" in self.flags

    @property
    def common_word(self) -> bool:
        return "w" in self.flags

    @property
    def personal_name(self) -> bool:
        return "p" in self.flags


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


_HASH_BITS = 44  # of a key's hash kept in the index; the low 19 bits hold the entry
_ENTRY_BITS = 19
_ENTRY_MASK = (1 << _ENTRY_BITS) - 1
_HASH_MASK = (1 << _HASH_BITS) - 1
FLAG_BITS = {"c": 1, "w": 2, "p": 4, "n": 8}
# An entry's flags string for each combination of flag bits, and its kind's name for
# each kind letter's byte: made once, not per entry.
_FLAGS_OF = tuple(
    "".join(c for c, b in FLAG_BITS.items() if bits & b) for bits in range(1 << len(FLAG_BITS))
)
_KIND_OF = {ord(letter): kind for letter, kind in KINDS.items()}
_START_BITS = 16  # of a key's hash that index ``Gazetteer.starts``


def _hash(key: str) -> int:
    """A key's hash within this process (Python's str hash), cut to the index width."""
    return hash(key) & _HASH_MASK


class Gazetteer:
    """Entries in flat arrays, and a sorted array of (key hash, entry) for lookups.

    Names live in one string (``names``, NUL-separated), the keys of primary names in
    another (for prefix search); a lookup bisects the packed hash array. False matches
    need two keys sharing 44 hash bits: about one in 10^7 lookups.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        names: list[str] = []  # the current chunk; joined into name_parts every 4,096 rows
        keys: list[str] = []
        name_parts: list[str] = []
        key_parts: list[str] = []
        self.name_at = array("I", [0])
        self.key_at = array("I", [1])
        self.kinds = bytearray()
        self.codes: list[str] = [""]
        code_ids: dict[str, int] = {"": 0}
        self.country_ids = array("H")
        self.admin1_ids = array("H")
        self.flag_bits = bytearray()
        self.lat = array("f")
        self.lon = array("f")
        self.population = array("q")
        self.geonameid = array("q")
        self.by_code: dict[str, int] = {}
        self.capitals: dict[str, int] = {}  # country code -> its capital's entry
        self.members: dict[int, tuple[str, ...]] = {}  # an area's entry -> its regions
        self._recent: dict[int, Entry] = {}
        self._recent_ids: dict[str, tuple[int, ...]] = {}
        self.longest = 1
        # Packed (hash, entry) pairs, bucketed by their top byte so that sorting never
        # holds them all as Python ints at once.
        buckets = [array("q") for _ in range(256)]
        shift = _HASH_BITS + _ENTRY_BITS - 8
        n = -1
        for line in lines:
            if not line or line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < 10 or f[0] not in KINDS:
                raise ValueError(f"gazetteer row has an unknown kind or too few fields: {line!r}")
            n += 1
            if n > _ENTRY_MASK:
                raise ValueError("gazetteer has too many rows for its index")
            names.append(f[2])
            self.name_at.append(self.name_at[-1] + len(f[2]) + 1)
            self.kinds.append(ord(f[0]))
            for code in (f[3], f[4]):
                if code not in code_ids:
                    code_ids[code] = len(self.codes)
                    self.codes.append(code)
            self.country_ids.append(code_ids[f[3]])
            self.admin1_ids.append(code_ids[f[4]])
            self.flag_bits.append(sum(FLAG_BITS.get(c, 0) for c in f[8]))
            self.lat.append(float(f[5]) if f[5] else math.nan)
            self.lon.append(float(f[6]) if f[6] else math.nan)
            self.population.append(int(f[7] or 0))
            self.geonameid.append(int(f[1]) if f[1] else -1)
            if f[0] == "N":
                self.by_code[f[3]] = n
            elif f[0] == "S":
                self.by_code[f[4]] = n
            elif f[0] == "A":
                self.members[n] = tuple(f[10].split()) if len(f) > 10 else ()
            elif f[0] == "P" and "c" in f[8]:
                # A country's capital: the most populous one where it has several.
                known = self.capitals.get(f[3])
                if known is None or self.population[known] < self.population[n]:
                    self.capitals[f[3]] = n
            row_keys = [k for k in f[9].split("|") if k] or [name_key(f[2])]
            keys.append(row_keys[0])
            self.key_at.append(self.key_at[-1] + len(row_keys[0]) + 1)
            for key in row_keys:
                self.longest = max(self.longest, key.count(" ") + 1)
                value = (_hash(key) << _ENTRY_BITS) | n
                buckets[value >> shift].append(value)
            if len(names) >= 4096:
                name_parts.append("\0".join(names) + "\0")
                key_parts.append("\n".join(keys) + "\n")
                names.clear()
                keys.clear()
        name_parts.append("".join(name + "\0" for name in names))
        key_parts.append("".join(key + "\n" for key in keys))
        self.names = "".join(name_parts)
        self.keys = "\n" + "".join(key_parts)
        self.packed = array("q")
        # Where each run of keys sharing their top _START_BITS hash bits starts in
        # ``packed``: a lookup bisects only its own run (a few entries, not 340,000).
        self.starts = array("I")
        step = 1 << (_HASH_BITS + _ENTRY_BITS - _START_BITS)
        per_bucket = 1 << (_START_BITS - 8)
        for top, bucket in enumerate(buckets):
            ordered = sorted(bucket)
            at = len(self.packed)
            first = top * per_bucket
            self.starts.extend(
                at + bisect.bisect_left(ordered, (first + sub) * step) for sub in range(per_bucket)
            )
            self.packed.extend(ordered)
        self.starts.append(len(self.packed))
        self.size = len(self.kinds)

    def __len__(self) -> int:
        return self.size

    def name(self, n: int) -> str:
        return self.names[self.name_at[n] : self.name_at[n + 1] - 1]

    def entry(self, n: int) -> Entry:
        """Entry ``n`` (recently used ones are kept: texts name the same places)."""
        found = self._recent.get(n)
        if found is None:
            if len(self._recent) >= 8192:
                self._recent.clear()
            found = self._recent[n] = self._build(n)
        return found

    def entries_of(self, numbers: Iterable[int]) -> list[Entry]:
        """``[self.entry(n) for n in numbers]``."""
        recent = self._recent
        out = []
        for n in numbers:
            found = recent.get(n)
            out.append(self.entry(n) if found is None else found)
        return out

    def forget_recent(self) -> None:
        """Drop the remembered entries and lookups (for timing cold lookups)."""
        self._recent.clear()
        self._recent_ids.clear()
        for clear in WORD_CACHES:
            clear()

    def _build(self, n: int) -> Entry:
        lat, lon = self.lat[n], self.lon[n]
        gid = self.geonameid[n]
        name_at = self.name_at
        return Entry(
            index=n,
            kind=_KIND_OF[self.kinds[n]],
            name=self.names[name_at[n] : name_at[n + 1] - 1],
            country=self.codes[self.country_ids[n]],
            admin1=self.codes[self.admin1_ids[n]] or None,
            lat=None if math.isnan(lat) else round(lat, 4),
            lon=None if math.isnan(lon) else round(lon, 4),
            population=self.population[n],
            geonameid=None if gid < 0 else gid,
            flags=_FLAGS_OF[self.flag_bits[n]],
        )

    def ids(self, key: str) -> tuple[int, ...]:
        """Entry numbers with this lookup key (see :func:`name_key`)."""
        found = self._recent_ids.get(key)
        if found is None:
            if len(self._recent_ids) >= 16384:
                self._recent_ids.clear()
            found = self._recent_ids[key] = self._ids(key)
        return found

    def _ids(self, key: str) -> tuple[int, ...]:
        if not key:
            return ()
        hashed = _hash(key)
        low = hashed << _ENTRY_BITS
        top = hashed >> (_HASH_BITS - _START_BITS)
        packed = self.packed
        end = self.starts[top + 1]
        i = bisect.bisect_left(packed, low, self.starts[top], end)
        if i == end or packed[i] >> _ENTRY_BITS != hashed:
            return ()
        out = []
        while i < end and packed[i] >> _ENTRY_BITS == hashed:
            out.append(packed[i] & _ENTRY_MASK)
            i += 1
        return tuple(out)

    def is_primary(self, n: int, key: str) -> bool:
        """Whether ``key`` is entry ``n``'s own name (not one of its alternate spellings)."""
        return self.keys.startswith(key + "\n", self.key_at[n])

    def primary_of(self, ids: Iterable[int], key: str) -> list[int]:
        """The entries of ``ids`` whose own name ``key`` is (see :meth:`is_primary`)."""
        needle, keys, key_at = key + "\n", self.keys, self.key_at
        return [n for n in ids if keys.startswith(needle, key_at[n])]

    def kind_of(self, n: int) -> str:
        return _KIND_OF[self.kinds[n]]

    def has_flag(self, n: int, flag: str) -> bool:
        return bool(self.flag_bits[n] & FLAG_BITS[flag])

    def lookup(self, name: str) -> list[Entry]:
        """Entries whose name or an alternate name has the same key as ``name``."""
        return [self.entry(n) for n in self.ids(name_key(name))]

    def region(self, code: str) -> Entry | None:
        """The country or subdivision entry of a region code."""
        n = self.by_code.get(code.upper())
        return None if n is None else self.entry(n)

    def search(self, query: str, limit: int = 20) -> list[Entry]:
        """Entries named ``query`` (any spelling), then those whose name starts with it;
        countries, then subdivisions, counties and places, most populous first."""
        key = name_key(query)
        if not key:
            return []
        found = list(self.ids(key))
        if len(key) >= 2:
            at = 0
            needle = "\n" + key
            while len(found) < 2000:
                at = self.keys.find(needle, at)
                if at < 0:
                    break
                found.append(bisect.bisect_right(self.key_at, at + 1) - 1)
                at += 1
        order = {
            "continent": 0,
            "water": 9,
            "area": 9,
            "country": 0,
            "admin1": 1,
            "region": 1,
            "admin2": 2,
            "city": 3,
            "demonym": 9,
        }
        entries = {n: self.entry(n) for n in dict.fromkeys(found)}
        ranked = sorted(
            (
                e
                for e in entries.values()
                if e.kind not in ("demonym", "continent", "water", "area")
            ),
            key=lambda e: (name_key(e.name) != key, order[e.kind], -e.population),
        )
        return ranked[:limit]

    def areas_named(self, query: str) -> list[tuple[str, tuple[str, ...]]]:
        """(name, members) of the areas whose name starts with ``query`` ("Mid" finds
        the Midwest, the Mid-Atlantic and the Middle East), in the table's order."""
        key = name_key(query)
        if not key:
            return []
        return [
            (self.name(n), members)
            for n, members in self.members.items()
            if name_key(self.name(n)).startswith(key)
        ]

    def entries(self) -> Iterator[Entry]:
        for n in range(self.size):
            yield self.entry(n)


@cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, read once through :data:`LOADER`."""
    with gzip.GzipFile(fileobj=io.BytesIO(LOADER(DATA_FILE))) as raw:
        return Gazetteer(line.decode("utf-8") for line in raw)


@cache
def word_classes() -> dict[str, frozenset[str]]:
    """The word classes of ``geo_words.tsv`` and ``geo_names.tsv``
    (``class<TAB>word|word|...`` lines), as name keys."""
    out: dict[str, set[str]] = {}
    text = LOADER(WORDS_FILE).decode("utf-8") + "\n" + LOADER(NAMES_FILE).decode("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, words = line.partition("\t")
        out.setdefault(name.strip(), set()).update(name_key(w) for w in words.split("|"))
    return {k: frozenset(w for w in v if w) for k, v in out.items()}


def reset() -> None:
    """Forget loaded data (after replacing :data:`LOADER`)."""
    gazetteer.cache_clear()
    word_classes.cache_clear()

"""Turn a fetched feed document into ``Entry`` values.

Two readers over the same bytes: feedparser for the feed itself (titles, links,
dates, the many dialects of RSS and Atom), and the raw XML through defusedxml for
what feedparser drops or mangles — CAP geocodes and parameters, every polygon,
GDACS elements with attributes, USGS depth and PAGER class, EMSC's own geo
namespace. Points come out as (latitude, longitude) whatever the source's order.

A document that declares XML entities is refused outright (entity-expansion bombs,
external entities): nothing in it is expanded or resolved. This module decides
nothing about the entries and does no I/O.

``Entry.fields`` are read by each kind's reader (``rules.kinds``), whose module
docstring lists the names.
"""

from __future__ import annotations

import calendar
import io
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from xml.sax import SAXParseException

import defusedxml
import defusedxml.ElementTree as SafeET
import feedparser

from rules.kinds import FEED_KINDS, KINDS, guess
from rules.kinds.xml import by_name as _by_name
from rules.kinds.xml import floats as _floats
from rules.kinds.xml import local as _local
from rules.kinds.xml import ns as _ns
from rules.kinds.xml import text as _text
from rules.regions import is_known_region
from rules.reports import Entry, LatLon
from scheduler.feeds import FeedError

# Longest plain-text summary kept; the rest of a long article is not needed to
# recognise a tragedy, and reports are stored.
MAX_SUMMARY = 4000
MAX_FIELD = 500
_ATOM = "http://www.w3.org/2005/Atom"
_RSS1 = "http://purl.org/rss/1.0/"
_GEORSS = "http://www.georss.org/georss"
_ITEM_NAMESPACES = ("", _ATOM, _RSS1, "http://backend.userland.com/rss2")
_XML_DECL = re.compile(
    r"""^(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([^"']*)\2""", re.IGNORECASE
)
_XML_DECL_BYTES = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""",
    re.IGNORECASE,
)
_SINGLE_BYTE = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "windows-1252", "cp1252"}


@dataclass(frozen=True)
class ParsedFeed:
    """A feed document read: its title, its entries in document order, and notes on
    problems that did not stop the reading (a wrong charset declaration)."""

    title: str | None
    entries: list[Entry]
    notes: tuple[str, ...] = ()


def parse(
    body: bytes,
    kind: str,
    source_url: str | None = None,
    *,
    charset: str | None = None,
    home_country: str | None = None,
    home_region: str | None = None,
) -> ParsedFeed:
    """Read ``body`` as a feed of ``kind`` (one of ``FEED_KINDS``).

    ``source_url`` resolves relative links; ``charset`` is the HTTP one, used only
    when the document does not declare its own. Raises ``FeedError`` naming the
    reason when the document is no feed at all (empty, HTML, broken XML with no
    entry readable) or declares XML entities. A valid feed with no entries is not an
    error. ``home_country``, the publisher's country when configured, is given to
    every entry; else the feed's own language tag names it ("en-us": US), else the
    country code ending the address of the feed or of its site ("bbc.co.uk": GB).
    ``home_region``, a local publisher's configured subdivision ("US-LA"), is given
    to every entry too (``home_of`` splits a configured area into the two).
    """
    if kind not in FEED_KINDS:
        raise FeedError(f"unknown feed kind {kind!r} (expected one of {', '.join(FEED_KINDS)})")
    if not body.strip():
        raise FeedError("the server sent an empty document, not a feed")
    notes: list[str] = []
    data = _as_utf8(body, charset, notes)
    root, raw_error = _raw_tree(data)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if source_url:
        headers["content-location"] = source_url
    # tactful keeps plain text only: feedparser's HTML sanitising and relative-link
    # rewriting would be work thrown away (about a third of its time on news feeds).
    parsed: Any = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    fp_entries: list[Any] = list(parsed.entries)
    if not fp_entries and (parsed.get("bozo") or not parsed.get("version")):
        raise FeedError(_not_a_feed(data, parsed.get("bozo_exception"), raw_error))
    if raw_error is not None and fp_entries:
        notes.append(f"not well-formed XML ({raw_error}); read leniently")
    raw_items = _match_items(root, fp_entries) if root is not None else [None] * len(fp_entries)
    feed_title = _plain(parsed.feed.get("title", "")) or None
    home = (
        home_country
        or language_country(parsed.feed.get("language"))
        or domain_country(source_url)
        or domain_country(parsed.feed.get("link"))
    )
    entries = []
    skipped = 0
    for fp_entry, raw in zip(fp_entries, raw_items, strict=True):
        entry = _entry(fp_entry, raw, kind, feed_title or "")
        if entry is None:
            skipped += 1
        else:
            if home or home_region:
                entry = replace(entry, home_country=home, home_region=home_region)
            entries.append(entry)
    if skipped:
        notes.append(f"{skipped} entries without id, link or title were skipped")
    return ParsedFeed(feed_title, entries, tuple(notes))


def language_country(tag: object) -> str | None:
    """The country of a language tag's region ("en-US", "en_gb", "fr-CA"), when it
    names a known one; a bare language ("en") names none."""
    if not isinstance(tag, str):
        return None
    parts = tag.strip().replace("_", "-").split("-")
    if len(parts) < 2:
        return None
    region = parts[-1] if len(parts[-1]) == 2 else (parts[1] if len(parts[1]) == 2 else "")
    code = region.upper()
    return code if code.isalpha() and is_known_region(code) else None


# Country-code domains that sites of anywhere take for their letters, not their
# country (".io", ".tv", ".co", ".me", ".fm", ".ai"): they name no publisher's country.
GENERIC_COUNTRY_DOMAINS = frozenset(
    {"ac", "ai", "am", "cc", "co", "fm", "gg", "io", "ly", "me", "nu", "sh", "so", "tk"}
    | {"to", "tv", "vc", "ws"}
)


def domain_country(url: object) -> str | None:
    """The country of the country-code domain an address ends in ("https://www.abc.net.au/
    news/feed": AU; ".uk": GB), when it names a known one; a generic domain (".com") or
    one sites everywhere use (``GENERIC_COUNTRY_DOMAINS``) names none."""
    if not isinstance(url, str):
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:  # a malformed address ("http://[::1") names no country
        return None
    label = host.rsplit(".", 1)[-1] if "." in host else ""
    if len(label) != 2 or not label.isalpha() or label in GENERIC_COUNTRY_DOMAINS:
        return None
    code = "GB" if label == "uk" else label.upper()
    return code if is_known_region(code) else None


def home_problem(value: object) -> str | None:
    """Why ``value`` is no publisher's area (a known ISO 3166-1 or 3166-2 code, "US",
    "US-LA"), or None when it is one."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code == "WORLD" or not is_known_region(code):
        return (
            f"{value!r} is no known region code: give a country (ISO 3166-1, such as US) "
            "or a subdivision (ISO 3166-2, such as US-LA)."
        )
    return None


def home_code(value: str | None) -> str | None:
    """A publisher's area as stored and compared: upper case, None for empty."""
    return (value or "").strip().upper() or None


def home_of(area: str | None) -> tuple[str | None, str | None]:
    """A configured publisher's area as (country, subdivision): "US-LA" gives ("US",
    "US-LA"), "US" gives ("US", None); nothing gives (None, None)."""
    code = home_code(area)
    if code is None:
        return None, None
    return (code.split("-", 1)[0], code) if "-" in code else (code, None)


# ------------------------------------------------------------------ documents
def _as_utf8(body: bytes, http_charset: str | None, notes: list[str]) -> bytes:
    """The document re-encoded as UTF-8 with its declaration saying so, so that both
    readers agree. A wrong declaration is worked around and noted."""
    match = _XML_DECL_BYTES.match(body[:1024])
    declared = match.group(1).decode("ascii").lower() if match else None
    if body.startswith(b"\xef\xbb\xbf"):
        declared = declared or "utf-8"
    elif body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        declared = "utf-16"
    claimed = declared or (http_charset or "").strip().lower() or "utf-8"
    if claimed in ("utf-8", "utf8") and _decodes(body, "utf-8"):
        return body
    text: str | None = None
    if _decodes(body, claimed):
        text = body.decode(claimed)
        if claimed in _SINGLE_BYTE and not body.isascii() and _decodes(body, "utf-8"):
            notes.append(f"charset: the document says {claimed} but is UTF-8; read as UTF-8")
            text = body.decode("utf-8")
    else:
        for fallback in ("utf-8", "windows-1252", "latin-1"):
            if fallback != claimed and _decodes(body, fallback):
                notes.append(f"charset: the document says {claimed} but is not; read as {fallback}")
                text = body.decode(fallback)
                break
    assert text is not None  # latin-1 decodes anything
    text = text.removeprefix("\ufeff")
    text = _XML_DECL.sub(lambda m: f"{m.group(1)}{m.group(2)}utf-8{m.group(2)}", text, count=1)
    return text.encode("utf-8")


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _raw_tree(data: bytes) -> tuple[ET.Element | None, str | None]:
    """The document as an element tree, via defusedxml. Returns ``(None, reason)``
    for XML that is not well-formed; raises ``FeedError`` for declared entities."""
    try:
        return SafeET.fromstring(data), None
    except defusedxml.DefusedXmlException as exc:
        # Never echo the entity itself: an external one names a local file or URL.
        raise FeedError(
            "refused: the document declares XML entities or an external reference "
            "(entity expansion and external entities are not allowed in feeds)"
        ) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        message = str(exc).split(":", 1)[0]
        return None, f"{message} at line {line}, column {column}"


def _not_a_feed(data: bytes, bozo: object, raw_error: str | None) -> str:
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
        return "not a feed: the server sent an HTML page (is this the feed's address?)"
    if raw_error:
        return f"not valid XML: {raw_error}"
    if isinstance(bozo, SAXParseException):
        return f"not valid XML: {bozo.getMessage()} at line {bozo.getLineNumber()}"
    return "not a feed: no RSS, Atom or RDF document found"


# --------------------------------------------------------------- raw elements
def _items(element: ET.Element) -> Iterator[ET.Element]:
    """RSS items and Atom entries, in document order, not descending into them."""
    for child in element:
        if _local(child.tag) in ("item", "entry") and _ns(child.tag) in _ITEM_NAMESPACES:
            yield child
        else:
            yield from _items(child)


def _id_of(item: ET.Element) -> str | None:
    for child in item:
        if _local(child.tag) in ("guid", "id") and child.text and child.text.strip():
            return child.text.strip()
    for child in item:
        if _local(child.tag) == "link":
            href = child.get("href") or (child.text or "").strip()
            if href:
                return href
    return None


def _match_items(root: ET.Element, fp_entries: list[Any]) -> list[ET.Element | None]:
    """The raw element behind each feedparser entry: by position when the counts
    agree, else by id or link."""
    items = list(_items(root))
    if len(items) == len(fp_entries):
        return list(items)
    by_id: dict[str, ET.Element] = {}
    for item in items:
        key = _id_of(item)
        if key:
            by_id.setdefault(key, item)
    return [by_id.get(e.get("id") or e.get("link") or "") for e in fp_entries]


# ------------------------------------------------------------------- entries
def _entry(fp: Any, raw: ET.Element | None, kind: str, source: str) -> Entry | None:
    title = _plain(fp.get("title", ""))
    link = fp.get("link") or None
    guid = (fp.get("id") or "").strip()
    if not guid:
        if not link and not title:
            return None
        # No id: an entry is known by its link and title together.
        guid = f"{link or ''} {title}".strip()
    fields: dict[str, str] = {}
    polygons: tuple[tuple[LatLon, ...], ...] = ()
    point = None
    if raw is not None:
        named = _by_name(raw)
        point = _raw_point(named)
        polygons = _polygons(named)
    if point is None:
        point = _fp_point(fp)
    read = KINDS[kind].read(fp, raw, title)
    fields.update(read.fields)
    geocodes = read.geocodes
    return Entry(
        feed_kind=kind,
        guid=guid,
        title=title,
        summary=_plain(fp.get("summary", ""))[:MAX_SUMMARY],
        link=link,
        published=_when(fp),
        source=source,
        categories=tuple(
            dict.fromkeys(
                t.get("term") or t.get("label") for t in fp.get("tags", []) if t.get("term")
            )
        ),
        point=point,
        polygons=polygons,
        fields={k: v[:MAX_FIELD] for k, v in fields.items() if v},
        geocodes=geocodes,
    )


def _when(fp: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get maps a missing updated_parsed to
        # published_parsed with a DeprecationWarning, even when that one is None.
        value = dict.get(fp, key)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _lat_lon(lat: float, lon: float) -> LatLon | None:
    if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
        return (lat, lon)
    return None


def _raw_point(named: Mapping[str, list[ET.Element]]) -> LatLon | None:
    """The item's point, from its elements by name (``xml.by_name``)."""
    # GeoRSS simple: "lat lon" (USGS, GDACS).
    point = next((e for e in named.get("point", ()) if _ns(e.tag) == _GEORSS), None)
    if point is not None:
        numbers = _floats(_text(point))
        if len(numbers) == 2:
            return _lat_lon(numbers[0], numbers[1])
    # W3C geo (GDACS) and EMSC's look-alike namespace: separate lat and long.
    lat = next((e for e in named.get("lat", ()) if "geo" in _ns(e.tag)), None)
    lon = next((e for e in named.get("long", ()) if "geo" in _ns(e.tag)), None)
    if lat is not None and lon is not None:
        numbers = _floats(f"{_text(lat)} {_text(lon)}")
        if len(numbers) == 2:
            return _lat_lon(numbers[0], numbers[1])
    return None


def _fp_point(fp: Any) -> LatLon | None:
    where = fp.get("where")
    if isinstance(where, Mapping) and where.get("type") == "Point":
        coordinates = where.get("coordinates")
        if isinstance(coordinates, tuple | list) and len(coordinates) >= 2:
            # feedparser gives GeoJSON order: (lon, lat).
            return _lat_lon(float(coordinates[1]), float(coordinates[0]))
    lat, lon = fp.get("geo_lat"), fp.get("geo_long")
    if lat and lon:
        numbers = _floats(f"{lat} {lon}")
        if len(numbers) == 2:
            return _lat_lon(numbers[0], numbers[1])
    return None


def _polygons(named: Mapping[str, list[ET.Element]]) -> tuple[tuple[LatLon, ...], ...]:
    """Every CAP and GeoRSS polygon of an item's elements by name. CAP writes
    "lat,lon lat,lon ...", GeoRSS "lat lon lat lon ..."; both are (lat, lon) pairs."""
    rings = []
    for element in named.get("polygon", ()):
        text = _text(element)
        if not text:
            continue
        if "," in text:
            pairs = [_floats(pair) for pair in text.split()]
        else:
            numbers = _floats(text)
            pairs = [numbers[i : i + 2] for i in range(0, len(numbers) - 1, 2)]
        ring = [_lat_lon(p[0], p[1]) for p in pairs if len(p) == 2]
        points = tuple(p for p in ring if p is not None)
        if len(points) >= 3 and len(points) == len(pairs):
            rings.append(points)
    return tuple(rings)


# ---------------------------------------------------------------- plain text
class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment; block elements become spaces."""

    BLOCKS = frozenset(
        [
            "p",
            "br",
            "div",
            "li",
            "dt",
            "dd",
            "tr",
            "td",
            "th",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "ul",
            "ol",
            "dl",
            "blockquote",
            "section",
        ]
    )
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _plain(html: str) -> str:
    """Text of an HTML fragment, entities decoded, whitespace collapsed."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def guess_kind(body: bytes) -> str:
    """The feed kind from markers in its first 64 KiB; ``news`` when none is found."""
    return guess(body)

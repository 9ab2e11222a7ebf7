"""The shapes that flow through the monitor: a feed entry as data, and what tactful
concludes about it.

``scheduler.feeds`` turns fetched bytes into ``Entry`` values (feedparser plus the raw
XML for what feedparser drops); ``rules.assess`` turns an ``Entry`` into an
``Assessment``; ``rules.correlate`` groups assessments into incidents. Nothing here
does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

LatLon = tuple[float, float]


@dataclass(frozen=True)
class Entry:
    """One feed entry, parsed, with nothing decided about it yet."""

    feed_kind: str
    guid: str
    title: str
    # Plain text: HTML removed, whitespace collapsed.
    summary: str = ""
    link: str | None = None
    published: datetime | None = None
    # The publisher as the feed names itself ("BBC News", "USGS Earthquakes").
    source: str = ""
    categories: tuple[str, ...] = ()
    # (latitude, longitude) — note feedparser's ``where`` is (lon, lat).
    point: LatLon | None = None
    # CAP/GeoRSS polygons as rings of (lat, lon).
    polygons: tuple[tuple[LatLon, ...], ...] = ()
    # Agency fields by stable names, e.g. cap_event, cap_severity, cap_urgency,
    # cap_certainty, cap_areadesc, gdacs_alertlevel, gdacs_eventtype, gdacs_iso3,
    # gdacs_country, gdacs_severity, magnitude, depth_km, pager_alert, tsunami.
    fields: Mapping[str, str] = field(default_factory=dict)
    # CAP geocodes by value name: {"FIPS6": ("048201", ...), "UGC": ("TXZ213", ...)}.
    geocodes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The publisher's country (ISO 3166-1 alpha-2), when the feed or its
    # configuration says: it settles namesakes, and places news that names none.
    home_country: str | None = None
    # A local publisher's subdivision (ISO 3166-2, "US-LA"), when configured: its
    # towns are read before their namesakes elsewhere.
    home_region: str | None = None


@dataclass(frozen=True)
class Assessment:
    """What tactful concludes about one entry (the ``tactful assess`` line)."""

    tragedy: bool
    kind: str | None
    # 0 when not a tragedy; else 1 minor, 2 serious, 3 major, 4 catastrophic.
    severity: int
    confidence: float
    # Region codes, most specific first: ("US-TX", "US").
    regions: tuple[str, ...]
    # Human-readable reasons: "'gunman kills 5' in title", "Uvalde -> US-TX".
    evidence: tuple[str, ...]
    # Not a tragedy alone, but told like news of one (an event's words, a vigil, a
    # suspect charged): it joins an open incident whose kind and place it shares.
    follow_up: bool = False

    def as_json(self, entry: Entry) -> dict[str, object]:
        return {
            "id": entry.guid,
            "title": entry.title,
            "tragedy": self.tragedy,
            "kind": self.kind,
            "severity": self.severity if self.tragedy else 0,
            "confidence": round(self.confidence, 3),
            "regions": list(self.regions),
            "evidence": list(self.evidence),
        }


NOT_A_TRAGEDY = Assessment(False, None, 0, 0.0, (), ())

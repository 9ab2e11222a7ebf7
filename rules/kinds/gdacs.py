"""GDACS alerts, read by their colour: the expected humanitarian impact.

Fields: every simple ``gdacs:x`` element as ``gdacs_x`` (``gdacs_alertlevel``,
``gdacs_eventtype``, ``gdacs_iso3``, ``gdacs_country``, ``gdacs_severity`` (its text),
``gdacs_episodeid``, ``gdacs_iscurrent``, ``gdacs_fromdate``, ``gdacs_todate``, ...)
and its attributes as ``gdacs_x_attr`` (``gdacs_severity_value``,
``gdacs_population_value``, ...). feedparser keeps an element's attributes and loses
its text, so the raw XML is read first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from rules import places
from rules.kinds import xml
from rules.kinds.base import (
    FeedKind,
    Read,
    country_of,
    field_of,
    iso3_to_iso2,
    last_number,
    result,
)
from rules.reports import Assessment, Entry

_GDACS = "http://www.gdacs.org"
# A sudden event stays a tragedy while GDACS keeps its episode current, however many
# days that is; without the flag, an episode whose end date is this far past is over.
EPISODE_OVER = timedelta(days=3)


def _when(text: str) -> datetime | None:
    """An RFC 822 or ISO 8601 date as GDACS writes them, or None."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read(fp: Mapping[str, Any], raw: ET.Element | None, title: str) -> Read:
    """Every simple ``gdacs:*`` element as ``gdacs_<name>``, and its attributes as
    ``gdacs_<name>_<attribute>`` (``gdacs_severity`` is the text feedparser loses,
    ``gdacs_severity_value``/``_unit`` the numbers)."""
    fields: dict[str, str] = {}
    if raw is None:
        for key, value in fp.items():
            if key.startswith("gdacs_") and isinstance(value, str) and value.strip():
                fields[key] = value.strip()
            elif key.startswith("gdacs_") and isinstance(value, Mapping):
                for attribute, text in value.items():
                    if isinstance(text, str) and text.strip():
                        fields[f"{key}_{attribute}"] = text.strip()
        return Read(fields)
    for child in raw:
        if xml.ns(child.tag) != _GDACS or len(child):
            continue
        name = f"gdacs_{xml.local(child.tag).lower()}"
        text = xml.text(child)
        if text:
            fields[name] = text
        for attribute, value in child.attrib.items():
            if value.strip():
                fields[f"{name}_{xml.local(attribute).lower()}"] = value.strip()
    return Read(fields)


_GDACS_KINDS = {
    "EQ": "earthquake",
    "TC": "cyclone",
    "FL": "flood",
    "VO": "volcano",
    "WF": "wildfire",
    "TS": "tsunami",
    "DR": "drought",
}


def _gdacs_regions(entry: Entry) -> tuple[list[str], list[str]]:
    countries: list[str] = []
    iso3 = field_of(entry, "gdacs_iso3")
    for code in re.split(r"[,;\s]+", iso3):
        alpha2 = iso3_to_iso2(code) if len(code) == 3 else None
        if alpha2 and alpha2 not in countries:
            countries.append(alpha2)
    evidence: list[str] = []
    named = field_of(entry, "gdacs_country")
    if named:
        for part in named.split(","):
            for code in places.best_regions(places.resolve_text(part.strip()))[-1:]:
                if code not in countries:
                    countries.append(code)
    if countries:
        evidence.append(f"GDACS countries {', '.join(countries)}")
    regions: list[str] = []
    if entry.point is not None:
        lat, lon = entry.point
        near = places.resolve_point(lat, lon, 50.0)
        inside = [code for code in near if country_of(code) in countries or not countries]
        if inside:
            regions.extend(code for code in inside if code not in regions)
            evidence.append(f"point {lat:.2f},{lon:.2f} -> {', '.join(inside)}")
    regions.extend(code for code in countries if code not in regions)
    return regions, evidence


def assess(entry: Entry, now: datetime) -> Assessment:
    level = field_of(entry, "gdacs_alertlevel", "gdacs_episodealertlevel").lower()
    event_type = field_of(entry, "gdacs_eventtype").upper()
    kind = _GDACS_KINDS.get(event_type, event_type.lower() or None)
    evidence = [f"GDACS {level or '?'} alert, event type {event_type or '?'}"]
    current = field_of(entry, "gdacs_iscurrent").lower()
    if current == "false":
        return result(None, 0, 0, (), [*evidence, "no longer current"])
    ended = _when(field_of(entry, "gdacs_todate"))
    if (
        current != "true"
        and ended is not None
        and now.tzinfo is not None
        and now - ended > EPISODE_OVER
    ):
        # No iscurrent flag, but the agency's episode ended long enough ago.
        return result(None, 0, 0, (), [*evidence, f"episode ended {ended:%Y-%m-%d}"])
    if event_type == "DR":
        return result(None, 0, 0, (), [*evidence, "a drought is not a sudden tragedy"])
    if level == "red":
        severity = 4 if event_type in ("EQ", "TC", "TS") else 3
    elif level == "orange":
        severity = 2
        people = last_number(field_of(entry, "gdacs_population_value", "gdacs_population"))
        if people is not None and people >= 1_000_000:
            severity = 3
            evidence.append(f"{people:,.0f} people affected")
    else:
        return result(None, 0, 0, (), [*evidence, "green: no significant impact expected"])
    regions, where = _gdacs_regions(entry)
    return result(kind, severity, 0.85, regions, [*evidence, *where])


KIND = FeedKind(
    name="gdacs",
    description="GDACS disaster alerts",
    markers=(b"gdacs.org", b"<gdacs:"),
    read=read,
    assess=assess,
    signature_fields=("gdacs_alertlevel",),
)

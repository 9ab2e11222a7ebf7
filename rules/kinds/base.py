"""The contract every feed kind keeps, and the small helpers their assessments share.

A feed kind (news, CAP, GDACS, USGS, EMSC) is one module in ``rules.kinds`` that
exports ``KIND``: its name, the markers that tell a document of that kind from its
first bytes, the reader of its structured fields (from feedparser's entry and the
raw XML item, both already parsed), and its assessment. The registry in
``rules.kinds`` lists them; the parser, the assessment, the CLI's and the web's
choices and the benchmarks all read that one registry.

Pure: readers take parsed values and return strings; assessments take ``now``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pycountry

from rules.regions import lineage
from rules.reports import Assessment, Entry


@dataclass(frozen=True, slots=True)
class Read:
    """What a kind's reader found in one entry: ``Entry.fields`` and geocodes."""

    fields: dict[str, str] = field(default_factory=dict)
    geocodes: dict[str, tuple[str, ...]] = field(default_factory=dict)


Reader = Callable[[Mapping[str, Any], ET.Element | None, str], Read]
Assessor = Callable[[Entry, datetime], Assessment]


def read_nothing(fp: Mapping[str, Any], raw: ET.Element | None, title: str) -> Read:
    return Read()


@dataclass(frozen=True, slots=True)
class FeedKind:
    name: str
    # Shown where a person picks a kind ("CAP alerts (NWS and other issuers)").
    description: str
    # Lower-case byte strings, any of which in a document's first 64 KiB marks it.
    markers: tuple[bytes, ...]
    read: Reader
    assess: Assessor
    # Field names that mark an entry of this kind whatever its feed says it is.
    signature_fields: tuple[str, ...] = ()


# ---------------------------------------------------------------- helpers

_FLOAT_RE = re.compile(r"-?\d+(?:\.\d+)?")


def number(value: str | None) -> float | None:
    if not value:
        return None
    found = _FLOAT_RE.search(value)
    return float(found.group()) if found else None


def last_number(value: str | None) -> float | None:
    found = _FLOAT_RE.findall(value.replace(",", "")) if value else []
    return float(found[-1]) if found else None


def field_of(entry: Entry, *names: str) -> str:
    """The first non-empty of ``entry.fields[name]``, stripped, or ''."""
    for name in names:
        value = entry.fields.get(name)
        if value:
            return str(value).strip()
    return ""


def age(entry: Entry, now: datetime) -> timedelta | None:
    if entry.published is None:
        return None
    published = entry.published
    if (published.tzinfo is None) != (now.tzinfo is None):
        return None
    return now - published


def result(
    kind: str | None,
    severity: int,
    confidence: float,
    regions: Sequence[str],
    evidence: Iterable[str],
    follow_up: bool = False,
) -> Assessment:
    """An assessment; severity 0 (or no kind) is "not a tragedy", regions kept."""
    if severity <= 0 or kind is None:
        return Assessment(False, kind, 0, 0.0, tuple(regions), tuple(evidence), follow_up)
    severity = min(severity, 4)
    confidence = round(confidence, 3)
    return Assessment(True, kind, severity, confidence, tuple(regions), tuple(evidence), follow_up)


@cache
def iso3_to_iso2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper())
    return str(country.alpha_2) if country is not None else None


def country_of(code: str) -> str | None:
    try:
        chain = lineage(code)
    except KeyError:
        return None
    return chain[-2] if len(chain) >= 2 else None


def short(regions: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(regions[:limit])
    return shown + (f" and {len(regions) - limit} more" if len(regions) > limit else "")

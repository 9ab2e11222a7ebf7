"""CAP alerts (NWS and any other CAP 1.x issuer), read by what the issuing agency
says about the hazard: severity, urgency, certainty and the event's name.

Fields (``Entry.fields``): ``cap_event``, ``cap_severity``, ``cap_urgency``,
``cap_certainty``, ``cap_areadesc``, ``cap_msgtype``, ``cap_status``,
``cap_category``, ``cap_sent``, ``cap_effective``, ``cap_onset``, ``cap_expires``,
``cap_headline``, ``cap_sendername``, and each ``cap:parameter`` as
``cap_param_<name>``. Geocodes go to ``Entry.geocodes`` ({"FIPS6": (...), "UGC":
(...)}); feedparser flattens them, so they are read from the raw XML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rules import places
from rules.kinds import xml
from rules.kinds.base import FeedKind, Read, field_of, result
from rules.reports import Assessment, Entry

_CAP_FIELDS = (
    "event",
    "severity",
    "urgency",
    "certainty",
    "areaDesc",
    "msgType",
    "status",
    "category",
    "sent",
    "effective",
    "onset",
    "expires",
    "headline",
    "senderName",
)


def _fields(fp: Mapping[str, Any], named: Mapping[str, list[ET.Element]]) -> dict[str, str]:
    """The CAP fields, from the raw item's elements by name (``xml.by_name``; empty
    without a raw item) or else from feedparser's entry."""
    fields: dict[str, str] = {}
    for name in _CAP_FIELDS:
        key = f"cap_{name.lower()}"
        element = next(
            (
                e
                for e in named.get(name, ())
                if "cap" in xml.ns(e.tag) or "emergency" in xml.ns(e.tag)
            ),
            None,
        )
        value = xml.text(element) if element is not None else str(fp.get(key) or "").strip()
        if value:
            fields[key] = value
    for parameter in named.get("parameter", ()):
        for name, value in xml.pairs(parameter):
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            if slug and value:
                fields.setdefault(f"cap_param_{slug}", value)
    return fields


def _geocodes(named: Mapping[str, list[ET.Element]]) -> dict[str, tuple[str, ...]]:
    codes: dict[str, dict[str, None]] = {}
    for geocode in named.get("geocode", ()):
        for name, value in xml.pairs(geocode):
            # The NWS index lists several codes in one value, space-separated.
            for code in value.split():
                codes.setdefault(name, {})[code] = None
    return {name: tuple(values) for name, values in codes.items()}


def read(fp: Mapping[str, Any], raw: ET.Element | None, title: str) -> Read:
    named = xml.by_name(raw) if raw is not None else {}
    return Read(_fields(fp, named), _geocodes(named))


# Event names that announce a forecast, an outlook or a low-impact nuisance, whatever
# severity the issuer attached: they never describe harm happening now.
_CAP_NOT_EVENT_RE = re.compile(
    r"\b(watch|advisory|outlook|statement|test|exercise|synopsis|forecast)\b", re.IGNORECASE
)
# Follow-up statements that carry a warning's severity but can end it.
_CAP_FOLLOW_UP_RE = re.compile(r"\bsevere weather statement|flash flood statement\b", re.I)
_CAP_ENDED_RE = re.compile(
    r"\b(is|has been|have been) (cancell?ed|expired)|will be allowed to expire|"
    r"(has|have) (expired|ended)|no longer (in effect|poses)",
    re.IGNORECASE,
)
_CAP_ESCALATION_RE = re.compile(
    r"\b(emergency|particularly dangerous situation|catastrophic|confirmed tornado|"
    r"tornado on the ground|mass casualt)",
    re.IGNORECASE,
)
_CAP_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("tornado", r"tornado"),
        ("tsunami", r"tsunami"),
        ("hurricane", r"hurricane|storm surge|extreme wind"),
        ("typhoon", r"typhoon"),
        ("cyclone", r"cyclone"),
        ("flood", r"flood"),
        ("wildfire", r"\bfire\b|red flag"),
        ("heatwave", r"heat"),
        ("earthquake", r"earthquake"),
        ("volcano", r"volcan|ash ?fall"),
        ("landslide", r"landslide|debris flow|mudslide|avalanche"),
        ("explosion", r"hazardous materials|nuclear|radiological|explosi"),
        ("attack", r"civil danger|law enforcement|shelter in place|evacuation|terror|shoot"),
        ("storm", r"storm|blizzard|wind|ice|snow|dust|thunder|cold|freeze|frost"),
    )
)


def _cap_kind(event: str) -> str:
    for kind, pattern in _CAP_KINDS:
        if pattern.search(event):
            return kind
    return "alert"


def _cap_regions(entry: Entry) -> tuple[tuple[str, ...], str]:
    if entry.geocodes:
        found = places.resolve_geocodes(entry.geocodes)
        if found:
            return found, f"geocodes -> {', '.join(found)}"
    for ring in entry.polygons:
        found = places.resolve_polygon(ring)
        if found:
            return found, f"polygon -> {', '.join(found)}"
    area = field_of(entry, "cap_areadesc")
    if area:
        found = places.best_regions(places.resolve_text(area))
        if found:
            return found, f"area '{area[:60]}' -> {', '.join(found)}"
    return (), ""


def assess(entry: Entry, now: datetime) -> Assessment:
    event = field_of(entry, "cap_event") or entry.title
    severity = field_of(entry, "cap_severity").lower()
    urgency = field_of(entry, "cap_urgency").lower()
    certainty = field_of(entry, "cap_certainty").lower()
    status = field_of(entry, "cap_status").lower()
    msg_type = field_of(entry, "cap_msgtype").lower()
    evidence = [f"CAP {event}: {severity or '?'}/{urgency or '?'}/{certainty or '?'}"]
    if status and status != "actual":
        return result(None, 0, 0, (), [*evidence, f"status {status}"])
    if msg_type == "cancel":
        return result(None, 0, 0, (), [*evidence, "cancelled"])
    expires = field_of(entry, "cap_expires")
    if expires:
        try:
            ends = datetime.fromisoformat(expires)
        except ValueError:
            ends = None
        if ends is not None and ends.tzinfo is not None and now.tzinfo is not None and ends < now:
            return result(None, 0, 0, (), [*evidence, f"expired {expires}"])
    if _CAP_NOT_EVENT_RE.search(event) and not _CAP_FOLLOW_UP_RE.search(event):
        return result(None, 0, 0, (), [*evidence, "a watch, advisory or statement"])
    text = f"{entry.title} {entry.summary}"
    if _CAP_ENDED_RE.search(text):
        return result(None, 0, 0, (), [*evidence, "the warning has ended"])
    if urgency not in ("immediate", "expected") or certainty not in ("observed", "likely"):
        return result(None, 0, 0, (), [*evidence, "not imminent or not likely"])
    if severity == "extreme":
        level, confidence = 2, 0.85
        if _CAP_ESCALATION_RE.search(event) or _CAP_ESCALATION_RE.search(text):
            level, confidence = 3, 0.9
            evidence.append("escalated: emergency / particularly dangerous situation")
    elif severity == "severe" and urgency == "immediate":
        # A routine warning (flash flood, severe thunderstorm): shown, never held.
        level, confidence = 1, 0.6
        if _CAP_ESCALATION_RE.search(event) or _CAP_ESCALATION_RE.search(text):
            level, confidence = 2, 0.8
            evidence.append("escalated: emergency / particularly dangerous situation")
    else:
        return result(None, 0, 0, (), [*evidence, "severity below the tragedy line"])
    regions, how = _cap_regions(entry)
    if how:
        evidence.append(how)
    return result(_cap_kind(event), level, confidence, regions, evidence)


KIND = FeedKind(
    name="cap",
    description="CAP alerts (NWS and other issuers)",
    markers=(b"urn:oasis:names:tc:emergency:cap",),
    read=read,
    assess=assess,
    signature_fields=("cap_event",),
)

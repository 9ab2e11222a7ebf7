"""Earthquake feeds (USGS, EMSC): by PAGER level when USGS gives one, else by
magnitude, depth and whether people live near the epicentre. An entry with no
magnitude is read as news."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from rules import places
from rules.kinds import news
from rules.kinds.base import age, field_of, number, result, short
from rules.reports import Assessment, Entry

RECENT_QUAKE = timedelta(days=3)  # an earthquake feed keeps a week; impact is early
_TITLE_MAG_RE = re.compile(r"^\s*(?:M|m[lLwWbBdD]?|M[lLwWbBsS]{0,2})\s*(\d+(?:\.\d+)?)")
_PAGER_RE = re.compile(r"\bPAGER\b\W{0,10}(green|yellow|orange|red)\b", re.IGNORECASE)
_PAGER_SEVERITY = {"yellow": 2, "orange": 3, "red": 4}


def _magnitude(entry: Entry) -> float | None:
    found = number(field_of(entry, "magnitude", "mag", "emsc_magnitude"))
    if found is not None:
        return found
    match = _TITLE_MAG_RE.match(entry.title)
    return float(match.group(1)) if match else None


def _depth_km(entry: Entry) -> float | None:
    depth = number(field_of(entry, "depth_km", "depth", "emsc_depth"))
    if depth is not None:
        return abs(depth)
    elev = number(field_of(entry, "georss_elev", "elev"))
    return abs(elev) / 1000 if elev is not None else None


_DAMAGE_SHARE = 0.5


def _pager(entry: Entry) -> str:
    """USGS PAGER alert level ("green" to "red"), from the field or the summary text."""
    level = field_of(entry, "pager_alert", "alert").lower()
    if not level:
        found = _PAGER_RE.search(entry.summary)
        level = found.group(1).lower() if found else ""
    return level


def _quake_base(magnitude: float) -> int:
    if magnitude >= 7.5:
        return 3
    if magnitude >= 6.5:
        return 2
    if magnitude >= 6.0:
        return 1
    return 0


def assess(entry: Entry, now: datetime) -> Assessment:
    magnitude = _magnitude(entry)
    if magnitude is None:
        return news.assess(entry, now)
    depth = _depth_km(entry)
    evidence = [f"M{magnitude:.1f}" + (f" at {depth:.0f} km depth" if depth is not None else "")]
    old = age(entry, now)
    if old is not None and old > RECENT_QUAKE:
        return result(None, 0, 0, (), [*evidence, f"{old.days} days old"])
    pager = _pager(entry)
    regions: tuple[str, ...] = ()
    near_people = False
    if entry.point is not None:
        lat, lon = entry.point
        felt = places.radius_for("earthquake", magnitude)
        # Damage reaches about half as far as shaking is felt: people within that
        # radius make it a possible tragedy; the felt area names the regions otherwise.
        regions = places.resolve_point(lat, lon, felt * _DAMAGE_SHARE)
        near_people = bool(regions)
        if near_people:
            evidence.append(f"people within {felt * _DAMAGE_SHARE:.0f} km: {short(regions)}")
        else:
            regions = places.resolve_point(lat, lon, felt)
            evidence.append(f"no populated place within {felt * _DAMAGE_SHARE:.0f} km")
    elif field_of(entry, "place", "region"):
        place = field_of(entry, "place", "region")
        found = places.best_regions(places.resolve_text(place.title()))
        regions, near_people = found, bool(found)
        evidence.append(f"'{place}' -> {short(found)}" if found else f"'{place}': unknown place")
    if pager:
        # PAGER estimates fatalities and losses: the best impact measure there is.
        evidence.append(f"PAGER {pager}")
        severity = _PAGER_SEVERITY.get(pager, 0)
        if severity == 0:
            return result(None, 0, 0, (), [*evidence, "PAGER green: no expected casualties"])
        return result("earthquake", severity, 0.9, regions, evidence)
    severity = _quake_base(magnitude)
    if severity and depth is not None and depth > 300:
        severity -= 2
        evidence.append("deep focus: weak shaking at the surface")
    elif severity and depth is not None and depth > 70:
        severity -= 1
        evidence.append("intermediate depth")
    if severity and not near_people:
        severity -= 1
        evidence.append("offshore or remote")
    if severity <= 0:
        return result(None, 0, 0, (), [*evidence, "below the damaging range"])
    return result("earthquake", severity, 0.6 + 0.05 * severity, regions, evidence)

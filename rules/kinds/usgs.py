"""USGS earthquake feeds (Atom and GeoRSS).

Fields: ``magnitude``, ``place``, ``depth_km`` (positive below sea level),
``pager_alert`` (green/yellow/orange/red, when given), ``tsunami`` ("1" when the
entry shows the tsunami flag).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from rules.kinds import quake, xml
from rules.kinds.base import FeedKind, Read, number

_GEORSS = "http://www.georss.org/georss"
_USGS_TITLE = re.compile(r"^\s*M\s*(-?\d+(?:\.\d+)?)\s*[-\u2013\u2014]\s*(.*?)\s*$")
_USGS_PAGER = re.compile(r"pager-(green|yellow|orange|red)", re.IGNORECASE)


def figure(text: str) -> str | None:
    """The first number in ``text``, written plainly ("5", "4.6"), or None."""
    found = number(text)
    return f"{found:g}" if found is not None else None


def read(fp: Mapping[str, Any], raw: ET.Element | None, title: str) -> Read:
    fields: dict[str, str] = {}
    match = _USGS_TITLE.match(title)
    if match:
        fields["magnitude"] = match.group(1)
        fields["place"] = match.group(2)
    else:
        # Newer titles may drop the "M"; the category says "Magnitude 5" at least.
        for tag in fp.get("tags", []):
            if (tag.get("label") or "").lower() == "magnitude":
                value = figure(tag.get("term") or "")
                if value:
                    fields["magnitude"] = value
    elevation = xml.text(xml.find(raw, "elev", _GEORSS)) if raw is not None else ""
    elevation = elevation or str(fp.get("georss_elev") or "")
    numbers = xml.floats(elevation)
    if len(numbers) == 1:
        # Metres above sea level: negative is below, so depth is its opposite.
        fields["depth_km"] = f"{round(-numbers[0] / 1000, 3):g}"
    summary = xml.text(xml.find(raw, "summary")) if raw is not None else ""
    html = summary or str(fp.get("summary") or "")
    pager = _USGS_PAGER.search(html)
    if pager:
        fields["pager_alert"] = pager.group(1).lower()
    if "tsunamilogo" in html or "tsunami.gov" in html:
        fields["tsunami"] = "1"
    return Read(fields)


KIND = FeedKind(
    name="usgs",
    description="USGS earthquakes",
    markers=(b"earthquake.usgs.gov",),
    read=read,
    assess=quake.assess,
    signature_fields=("magnitude",),
)

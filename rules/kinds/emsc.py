"""EMSC earthquake feeds: a geo namespace of their own, the region only in the
upper-case title.

Fields: ``magnitude``, ``magnitude_type`` (ML, mb, ...), ``region`` (upper case, as
in the title), ``depth_km``, ``emsc_status`` (automatic/reviewed...).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from rules.kinds import quake, xml
from rules.kinds.base import FeedKind, Read
from rules.kinds.usgs import figure

_EMSC_TITLE = re.compile(r"^\s*([A-Za-z]{1,4})\s+(-?\d+(?:\.\d+)?)\s+(.+?)\s*$")


def read(fp: Mapping[str, Any], raw: ET.Element | None, title: str) -> Read:
    fields: dict[str, str] = {}
    match = _EMSC_TITLE.match(title)
    if match:
        fields["magnitude_type"] = match.group(1)
        fields["magnitude"] = match.group(2)
        # The region is only in the upper-case title ("ML 2.2  CROATIA").
        fields["region"] = " ".join(match.group(3).split())
    magnitude = xml.text(xml.find(raw, "magnitude")) if raw is not None else ""
    magnitude = magnitude or str(fp.get("emsc_magnitude") or "")
    if magnitude and "magnitude" not in fields:
        value = figure(magnitude)
        if value:
            fields["magnitude"] = value
    depth = xml.text(xml.find(raw, "depth")) if raw is not None else ""
    depth = depth or str(fp.get("emsc_depth") or "")
    value = figure(depth)
    if value is not None:
        fields["depth_km"] = value
    status = xml.text(xml.find(raw, "status")) if raw is not None else str(fp.get("status") or "")
    if status:
        fields["emsc_status"] = status.lower()
    return Read(fields)


KIND = FeedKind(
    name="emsc",
    description="EMSC earthquakes",
    markers=(b"emsc-csem.org", b"emsc:"),
    read=read,
    assess=quake.assess,
)

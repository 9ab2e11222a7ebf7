"""The small map on an incident's page: a server-drawn SVG, so it needs no tiles, no
script and nothing from another site (the page's CSP allows none of them).

It is a graticule (lines of latitude and longitude, labelled) zoomed to the
incident's regions, with a marker at each region's centre and at each place its
reports named, taken from the offline gazetteer (``rules.geo``). There are no
coastlines: the region list beside the map names every marker. Coordinates are an
equirectangular projection, widened or heightened to the frame's proportions so
that nothing is stretched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules.geo.gazetteer import gazetteer
from rules.regions import get_region

WIDTH = 600.0
ASPECT = 1.6  # width / height of the frame
MIN_LON_SPAN = 24.0
MAX_LAT = 80.0
STEPS = (1, 2, 5, 10, 15, 30, 45)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    kind: str  # "region" (the incident's area) or "report" (a place a report named)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Map:
    width: float
    height: float
    lines: list[Line]
    markers: list[Marker]
    # The places with no point in the gazetteer (``WORLD``): named, not drawn.
    undrawn: list[Place]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def place(code: str) -> Place:
    region = get_region(code)
    entry = gazetteer().region(code)
    name = region.name if region is not None else code
    if entry is None or entry.lat is None or entry.lon is None:
        return Place(code, name, None, None)
    return Place(code, name, entry.lat, entry.lon)


def _step(span: float) -> int:
    """A graticule step giving three to eight lines across ``span`` degrees."""
    for step in STEPS:
        if span / step <= 8:
            return step
    return STEPS[-1]


def _frame(points: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    """West, east, south, north of the view: the points with a margin, at least
    ``MIN_LON_SPAN`` wide, in the frame's proportions, inside the world."""
    if not points:
        return -180.0, 180.0, -60.0, MAX_LAT
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    margin = max(4.0, 0.25 * max(north - south, east - west))
    south, north, west, east = south - margin, north + margin, west - margin, east + margin
    middle = math.radians((south + north) / 2)
    squeeze = max(math.cos(middle), 0.2)  # a degree of longitude is shorter away from the equator
    lon_span = max(east - west, MIN_LON_SPAN, (north - south) * ASPECT / squeeze)
    lat_span = lon_span * squeeze / ASPECT
    lon_mid, lat_mid = (west + east) / 2, (south + north) / 2
    lon_span = min(lon_span, 360.0)
    lat_span = min(lat_span, 2 * MAX_LAT)
    west = max(-180.0, min(lon_mid - lon_span / 2, 180.0 - lon_span))
    south = max(-MAX_LAT, min(lat_mid - lat_span / 2, MAX_LAT - lat_span))
    return west, west + lon_span, south, south + lat_span


def draw(regions: Iterable[str], report_regions: Iterable[str]) -> tuple[list[Place], Map]:
    """The incident's places (for the list) and the map of them and of the places its
    reports named."""
    shown = [place(code) for code in dict.fromkeys(regions)]
    seen = {p.code for p in shown}
    reported = [place(code) for code in dict.fromkeys(report_regions) if code not in seen]
    points = [
        (kind, p, p.lat, p.lon)
        for places, kind in ((shown, "region"), (reported, "report"))
        for p in places
        if p.lat is not None and p.lon is not None
    ]
    west, east, south, north = _frame([(lat, lon) for _, _, lat, lon in points])
    height = WIDTH / ASPECT
    scale_x = WIDTH / (east - west)
    scale_y = height / (north - south)

    def x_of(lon: float) -> float:
        return round((lon - west) * scale_x, 1)

    def y_of(lat: float) -> float:
        return round((north - lat) * scale_y, 1)

    lines: list[Line] = []
    step = _step(east - west)
    lon = math.ceil(west / step) * step
    while lon <= east:
        label = f"{abs(lon)}°{'E' if lon > 0 else 'W' if lon < 0 else ''}"
        lines.append(Line(x_of(lon), 0, x_of(lon), height, label, x_of(lon) + 3, height - 4))
        lon += step
    lat_step = _step((north - south) * ASPECT)
    lat = math.ceil(south / lat_step) * lat_step
    while lat <= north:
        label = f"{abs(lat)}°{'N' if lat > 0 else 'S' if lat < 0 else ''}"
        lines.append(Line(0, y_of(lat), WIDTH, y_of(lat), label, 3, y_of(lat) - 3))
        lat += lat_step
    markers = [
        Marker(x_of(lon), y_of(lat), f"{p.name} ({p.code})", kind) for kind, p, lat, lon in points
    ]
    undrawn = [p for p in shown if p.lat is None or p.lon is None]
    return shown, Map(WIDTH, round(height, 1), lines, markers, undrawn)

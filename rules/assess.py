"""Assess one feed entry: is it a tragedy, of what kind, how severe, and where.

Each feed kind reads its entries on its own scale (``rules.kinds``): a CAP alert by
what the issuing agency says about the hazard, a GDACS alert by its colour, a USGS
or EMSC earthquake by PAGER level or magnitude, depth and nearby population, news
by the learned model of ``rules.news``. The mapping of every scale onto tactful's
severity 1-4 is documented in ``docs/assessment.md``.

Pure: no I/O and no clock (``now`` is a parameter). Nothing here holds posts,
merges reports into incidents or decides what a brand should say.
"""

from __future__ import annotations

from datetime import datetime

from rules import kinds
from rules.reports import Assessment, Entry


def assess(entry: Entry, now: datetime) -> Assessment:
    """What tactful concludes about ``entry`` at time ``now``.

    Returns ``tragedy=False`` (severity 0) for anything that is not a harmful event
    happening now. Never raises on odd field values: a field it cannot read is
    treated as absent.
    """
    return kinds.for_entry(entry).assess(entry, now)

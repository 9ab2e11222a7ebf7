"""The monitor wired together: feeds are polled, each entry is assessed by
``rules.assess``, and new tragedy reports open or widen incidents (which hold posts
and prompt condolences). This module only connects the pieces."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from rules import kinds
from rules.assess import assess
from rules.correlate import named_kind
from rules.policy import DEFAULT_POLICY, IncidentFacts, hold_targets
from rules.reports import Entry
from scheduler import clock, incidents
from scheduler.context import Tactful
from scheduler.feeds.poll import NewReport, PollResult, monitor_job, poll_feeds


def record_reports(app: Tactful) -> Callable[[Session, Sequence[NewReport]], None]:
    def on_reports(session: Session, reports: Sequence[NewReport]) -> None:
        # One batch for the poll: the reports joined to incidents are written
        # together at the end.
        batch = incidents.ReportBatch()
        # Tragedies first, so that a follow-up in the same poll finds their incident.
        follow_ups = []
        for new in reports:
            incident = None
            if new.assessment.tragedy:
                home = new.entry.home_country
                incident = incidents.record_report(
                    session, app.settings, new.report, batch, home_country=home
                )
            if incident is None and new.assessment.follow_up:
                follow_ups.append(new)
        # The batch knows the open incidents, the ones its tragedies opened too.
        for new in follow_ups:
            kind = named_kind(new.assessment.kind)
            home = new.entry.home_country
            incidents.record_follow_up(session, app.settings, new.report, kind, home, batch)
        batch.write(session)

    return on_reports


def warm_up() -> None:
    """Load what assessing entries and holding posts need (the gazetteer, the news
    model, each feed kind's tables, the hold policy's regions: loaded on first use)
    by assessing one made-up entry of every feed kind and working out which posts a
    made-up incident would hold, then ``gc.freeze()``: everything alive now (about 100,000 objects after
    the loading, living as long as the process) is left out of the garbage
    collector's later passes. A full collection would otherwise walk all of them,
    and the more the process has made since (compiled SQL, pooled connections), in
    the middle of whichever poll set it off: about 200 ms in the monitor bench's
    process of ~230,000 objects, between a fetched tragedy and its holds. Frozen
    objects are never freed, which is what these are for anyway."""
    now = clock.now()
    for kind in sorted(kinds.KINDS):
        entry = Entry(
            feed_kind=kind,
            guid=f"warm-up-{kind}",
            title="Earthquake of magnitude 6.1 strikes near Springfield, Illinois",
            summary="Several people were killed and hundreds injured, officials said.",
            published=now,
            point=(39.8, -89.6),
        )
        assess(entry, now)
    # The region tables (pycountry's subdivisions): otherwise loaded, about 115 ms,
    # by the first poll of a feed that names its language, or the first fan-out.
    hold_targets(IncidentFacts(0, 3, ("US-IL",)), DEFAULT_POLICY)
    gc.collect()
    gc.freeze()


def poll_job(app: Tactful, worker_id: str) -> Callable[[], None]:
    """The worker's ``poll_due_feeds`` job."""
    return monitor_job(app, worker_id, assess=assess, on_reports=record_reports(app))


def poll_now(app: Tactful, feed_ids: Sequence[int]) -> list[PollResult]:
    """Poll these feeds at once (``tactful feed poll``)."""
    return list(poll_feeds(app, list(feed_ids), assess=assess, on_reports=record_reports(app)))

"""The monitor's pipeline: claim due feeds, fetch, parse, store new reports.

For one feed: **fetch** (conditional GET) → **parse** → for each entry not seen
before, **assess** it (the callable passed in: ``rules.assess.assess``) and store a
``Report`` → hand the new tragedy reports to **on_reports** (incident correlation),
in the same transaction → update the feed's own schedule: next poll, ETag,
Last-Modified, error count.

It decides nothing itself: whether an entry is a tragedy is the assessor's answer,
what becomes of a tragedy is the ``on_reports`` callback's. No transaction is open
while the network is used.

Like miniflux, the schedule is data: each feed stores its next poll time, and the
ticker only asks for the feeds whose time has passed. A failure is stored on the
feed (``last_error``, ``error_count``), its next poll pushed back exponentially (up
to a cap), and the round goes on with the next feed: one broken feed never stops the
monitor. Entries are deduplicated per feed by a hash stored under a unique
constraint, so a restart never stores an entry twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import String, any_, func, literal, literal_column, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import flag_modified

from rules.reports import Assessment, Entry
from scheduler import clock
from scheduler.context import Tactful
from scheduler.db import UTCDateTime
from scheduler.errors import NotFound
from scheduler.feeds import FeedError
from scheduler.feeds.fetch import FetchResult, fetch, new_client
from scheduler.feeds.parse import ParsedFeed, home_of, parse
from scheduler.models import Feed, Report

log = logging.getLogger(__name__)

Assess = Callable[[Entry, datetime], Assessment]
# Called inside the poll's transaction with the new tragedy and follow-up reports (already
# flushed, so they have ids); raising rolls the poll back and records the error.
OnReports = Callable[[Session, Sequence["NewReport"]], None]

# Longest error message kept on a feed.
MAX_ERROR = 2000


@dataclass(frozen=True)
class NewReport:
    """A report stored by this poll, with the entry and assessment behind it."""

    report: Report
    entry: Entry
    assessment: Assessment


@dataclass(frozen=True)
class Found:
    """A new report, as the CLI and logs show it."""

    report_id: int
    title: str
    tragedy: bool
    kind: str | None
    severity: int
    regions: tuple[str, ...]


@dataclass
class PollResult:
    feed_id: int
    url: str
    # ok | not_modified | error | gone (the feed was deleted meanwhile)
    status: str
    entries: int = 0
    new: list[Found] = field(default_factory=list)
    error: str | None = None
    next_poll_at: datetime | None = None

    @property
    def tragedies(self) -> list[Found]:
        return [f for f in self.new if f.tragedy]


def dedupe_key(entry: Entry) -> str:
    """What makes an entry "already seen" within its feed: its guid (parse builds
    one from link and title when the feed gives none). For USGS the magnitude and
    for GDACS the episode and alert level are part of it, since those agencies keep
    an event's id while revising it: a quake upgraded from 5.1 to 6.4, or an alert
    raised from Green to Red, is news."""
    revision = ""
    if entry.feed_kind == "usgs":
        revision = entry.fields.get("magnitude", "")
    elif entry.feed_kind == "gdacs":
        revision = "/".join(
            entry.fields.get(name, "") for name in ("gdacs_episodeid", "gdacs_alertlevel")
        ).strip("/")
    return f"{entry.guid}\x1f{revision}" if revision else entry.guid


def guid_hash(entry: Entry) -> str:
    return hashlib.sha256(dedupe_key(entry).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ claiming
def claim_due_feeds(app: Tactful, worker_id: str, limit: int | None = None) -> list[int]:
    """Lease up to ``limit`` enabled feeds whose next poll time has passed and that
    no other worker holds, the most overdue first.

    One ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING``:
    on PostgreSQL concurrent workers skip each other's rows; on SQLite the statement
    runs in a ``BEGIN IMMEDIATE`` transaction. A lease that lapses (a crashed
    worker) makes the feed claimable again. ``worker_id`` is only logged. Ids come
    back in ascending order.
    """
    monitor = app.settings.monitor
    limit = limit or monitor.batch_size
    with app.db.session() as session:
        now = clock.now()
        early = timedelta(seconds=monitor.poll_interval / 2)
        free = or_(Feed.lease_until.is_(None), Feed.lease_until < now)
        due = (
            select(Feed.id)
            # Half a tick early: a feed due just after this tick is polled now rather
            # than a whole tick late.
            .where(Feed.enabled.is_(True), Feed.next_poll_at <= now + early, free)
            .order_by(Feed.next_poll_at, Feed.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(
            session.scalars(
                update(Feed)
                # The lease test again: PostgreSQL re-checks it on a row another
                # worker has just leased and committed.
                .where(Feed.id.in_(due.scalar_subquery()), free)
                .values(lease_until=now + timedelta(seconds=monitor.lease_seconds))
                .returning(Feed.id)
                .execution_options(synchronize_session=False)
            )
        )
    if ids:
        log.debug("worker %s claimed feeds %s", worker_id, ids)
    return sorted(ids)


# ------------------------------------------------------------------- polling
def poll_due_feeds(
    app: Tactful,
    worker_id: str,
    *,
    assess: Assess,
    on_reports: OnReports | None = None,
    limit: int | None = None,
) -> list[PollResult]:
    """Claim the due feeds and poll each (a few at once, ``worker.concurrency``),
    batch after batch while a claim comes back full, so more feeds than a batch are
    still polled on time. Never raises for one feed's failure; every feed's outcome
    is in the results."""
    size = limit or app.settings.monitor.batch_size
    results: list[PollResult] = []
    while True:
        ids = claim_due_feeds(app, worker_id, size)
        results += poll_feeds(app, ids, assess=assess, on_reports=on_reports)
        if len(ids) < size:
            return results


def poll_feeds(
    app: Tactful,
    feed_ids: Sequence[int],
    *,
    assess: Assess,
    on_reports: OnReports | None = None,
) -> list[PollResult]:
    """Poll the given feeds now, sharing one HTTP client; results in the same order."""
    if not feed_ids:
        return []
    workers = max(1, min(app.settings.concurrency, len(feed_ids)))
    with new_client(app.settings) as client:

        def one(feed_id: int) -> PollResult:
            try:
                return poll_feed(app, feed_id, assess=assess, on_reports=on_reports, client=client)
            except Exception as exc:  # the database itself failed: the lease lapses
                log.exception("polling feed %s failed", feed_id)
                return PollResult(feed_id, "", "error", error=_describe(exc))

        if workers == 1:
            return [one(feed_id) for feed_id in feed_ids]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feeds") as pool:
            return list(pool.map(one, feed_ids))


def poll_feed(
    app: Tactful,
    feed_id: int,
    *,
    assess: Assess,
    on_reports: OnReports | None = None,
    client: httpx.Client | None = None,
) -> PollResult:
    """Fetch, parse and store one feed now, whatever its schedule.

    Returns the outcome; a fetch, parse, assess or ``on_reports`` failure is stored
    on the feed and returned as ``status="error"``, never raised. Raises
    ``NotFound`` for an unknown feed id (and lets a database failure through).
    """
    with app.db.reading() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise NotFound("feed", feed_id)
        url, kind, home = feed.url, feed.kind, home_of(feed.home)
        etag, last_modified = feed.etag, feed.last_modified
    started = clock.now()  # the next poll is due an interval after this one began
    try:
        result = fetch(
            url,
            etag=etag,
            last_modified=last_modified,
            settings=app.settings,
            client=client,
            token=_token(app, url),
        )
        if result.status == 304:
            return _store_not_modified(app, feed_id, url, result, started)
        assert result.body is not None
        parsed = parse(
            result.body,
            kind,
            result.final_url,
            charset=_charset(result.content_type),
            home_country=home[0],
            home_region=home[1],
        )
        return _store(app, feed_id, url, parsed, result, assess, on_reports, started)
    except Exception as exc:
        if isinstance(exc, FeedError):
            log.warning("feed %s (%s): %s", feed_id, url, exc)
        else:
            log.exception("feed %s (%s): unexpected failure", feed_id, url)
        retry_after = exc.retry_after if isinstance(exc, FeedError) else None
        return _store_failure(app, feed_id, url, _describe(exc), retry_after)


def monitor_job(
    app: Tactful, worker_id: str, *, assess: Assess, on_reports: OnReports | None = None
) -> Callable[[], None]:
    """A no-argument job for ``Worker.add_job("poll_due_feeds", job,
    settings.monitor.poll_interval)``: one round, logged, never raising."""

    def poll_due() -> None:
        try:
            results = poll_due_feeds(app, worker_id, assess=assess, on_reports=on_reports)
        except Exception:
            log.exception("feed round failed; the next tick tries again")
            return
        for result in results:
            if result.status == "ok" and result.new:
                log.info(
                    "feed %s: %d new reports, %d tragedies",
                    result.feed_id,
                    len(result.new),
                    len(result.tragedies),
                )

    return poll_due


def _token(app: Tactful, url: str) -> str | None:
    """The bearer token of a configured feed with ``token_env``; raises ``FeedError``
    when the variable it names is not set."""
    for cfg in app.settings.feeds:
        if cfg.url == url and cfg.token_env:
            token = app.settings.secret(cfg.token_env)
            if not token:
                raise FeedError(
                    f"the environment variable {cfg.token_env} (the feed's token_env) is not set"
                )
            return token
    return None


# ------------------------------------------------------------------- storing
def _describe(exc: BaseException) -> str:
    if isinstance(exc, FeedError):
        text = str(exc)
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    return text[:MAX_ERROR]


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip('"'):
            return value.strip('"')
    return None


def _next_poll(feed: Feed, now: datetime, result: FetchResult) -> datetime:
    delay = max(
        float(feed.interval_seconds), result.cache_max_age or 0.0, result.retry_after or 0.0
    )
    return now + timedelta(seconds=delay)


def _locked_feed(session: Session, feed_id: int) -> Feed | None:
    return session.get(Feed, feed_id, with_for_update=True, populate_existing=True)


def _succeeded(
    feed: Feed, now: datetime, result: FetchResult, notes: Sequence[str], started: datetime
) -> None:
    feed.etag = result.etag[:500] if result.etag else None
    feed.last_modified = result.last_modified[:100] if result.last_modified else None
    feed.error_count = 0
    feed.last_error = ("warning: " + "; ".join(notes))[:MAX_ERROR] if notes else None
    feed.last_polled_at = now
    feed.next_poll_at = _next_poll(feed, started, result)
    feed.lease_until = None
    # Written even when unchanged (a frozen clock, the same poll time): a poll that
    # stores reports always writes its feed's row, which ``_lock_feed_and_known``
    # relies on to see them.
    flag_modified(feed, "last_polled_at")


def _store_not_modified(
    app: Tactful, feed_id: int, url: str, result: FetchResult, started: datetime
) -> PollResult:
    with app.db.session() as session:
        feed = _locked_feed(session, feed_id)
        if feed is None:
            return PollResult(feed_id, url, "gone")
        _succeeded(feed, clock.now(), result, (), started)
        return PollResult(feed_id, url, "not_modified", next_poll_at=feed.next_poll_at)


def _store_failure(
    app: Tactful, feed_id: int, url: str, message: str, retry_after: float | None
) -> PollResult:
    monitor = app.settings.monitor
    with app.db.session() as session:
        feed = _locked_feed(session, feed_id)
        if feed is None:
            return PollResult(feed_id, url, "gone", error=message)
        now = clock.now()
        feed.error_count += 1
        # interval x 2^errors, capped; a server's Retry-After is honoured on top.
        backoff = min(
            monitor.error_backoff_max,
            feed.interval_seconds * 2.0 ** min(feed.error_count, 30),
        )
        feed.next_poll_at = now + timedelta(seconds=max(backoff, retry_after or 0.0))
        feed.last_error = message
        feed.last_polled_at = now
        feed.lease_until = None
        return PollResult(feed_id, url, "error", error=message, next_poll_at=feed.next_poll_at)


class _BatchRefused(Exception):
    """The database refused the poll's batch of reports; the transaction is lost."""


def _store(
    app: Tactful,
    feed_id: int,
    url: str,
    parsed: ParsedFeed,
    result: FetchResult,
    assess: Assess,
    on_reports: OnReports | None,
    started: datetime,
) -> PollResult:
    """Store the poll in one transaction: the feed locked, its new entries assessed
    and inserted together, incidents, the feed's schedule.

    The batch goes in without a savepoint, which would cost every poll two round
    trips on PostgreSQL for the rare one with a row the database refuses. Should
    the batch be refused, the whole transaction is rolled back and the poll stored
    again in a fresh one, row by row, a refused row kept as a placeholder: one bad
    entry never costs the others. The entries are assessed once either way."""
    by_hash: dict[str, Entry] = {}
    for entry in parsed.entries:
        by_hash.setdefault(guid_hash(entry), entry)
    notes = list(parsed.notes)
    verdicts: dict[str, tuple[Entry, Assessment]] = {}
    store = _Store(feed_id, url, parsed, result, assess, on_reports, started, by_hash, notes)
    try:
        with app.db.session() as session:
            return store.into(session, verdicts, one_by_one=False)
    except _BatchRefused:
        log.warning("feed %s: a report was refused; storing them one by one", feed_id)
    with app.db.session() as session:
        return store.into(session, verdicts, one_by_one=True)


@dataclass
class _Store:
    """One poll's outcome, to be stored by ``into`` (once, or again after a refusal)."""

    feed_id: int
    url: str
    parsed: ParsedFeed
    result: FetchResult
    assess: Assess
    on_reports: OnReports | None
    started: datetime
    by_hash: dict[str, Entry]
    notes: list[str]

    def into(
        self, session: Session, verdicts: dict[str, tuple[Entry, Assessment]], *, one_by_one: bool
    ) -> PollResult:
        feed_id, notes = self.feed_id, self.notes
        feed, seen = _lock_feed_and_known(session, feed_id, list(self.by_hash))
        if feed is None:
            return PollResult(feed_id, self.url, "gone")
        now = clock.now()
        for h, e in self.by_hash.items():
            if h not in seen and h not in verdicts:
                fresh = storable(e)
                verdicts[h] = (fresh, _assess_one(self.assess, fresh, now, notes))
        assessed = [(h, *verdicts[h]) for h in self.by_hash if h not in seen]
        rows = _report_rows(feed_id, assessed, now)
        if one_by_one:
            stored, as_sent = (
                _insert_each(session, feed_id, rows, _dialect_insert(session), notes),
                False,
            )
        else:
            try:
                stored, as_sent = _insert_batch(session, rows), True
            except DBAPIError as exc:
                raise _BatchRefused from exc
        kept = [(h, e, a) for h, e, a in assessed if h in stored]
        # Only tragedies and follow-ups go on to correlation, so only they become
        # objects: built from the rows just written when every row went in as sent
        # (nothing to read back), else loaded (some are placeholders).
        tragic = {h: (e, a) for h, e, a in kept if a.tragedy or a.follow_up}
        tragedies: list[NewReport] = []
        if tragic and as_sent:
            by_key = {row["guid_hash"]: row for row in rows}
            built = sorted((stored[h], h) for h in tragic)
            tragedies = [
                NewReport(_attached(session, report_id, by_key[h]), *tragic[h])
                for report_id, h in built
            ]
        elif tragic:
            reports = session.scalars(
                select(Report).where(Report.id.in_([stored[h] for h in tragic]))
            )
            tragedies = [NewReport(r, *tragic[r.guid_hash]) for r in reports]
        if tragedies and self.on_reports is not None:
            self.on_reports(session, tragedies)
        if not feed.title and self.parsed.title:
            feed.title = self.parsed.title[:500]
        _succeeded(feed, now, self.result, notes, self.started)
        found = [
            Found(
                stored[h],
                e.title,
                a.tragedy,
                a.kind[:32] if a.kind else None,
                a.severity if a.tragedy else 0,
                tuple(a.regions),
            )
            for h, e, a in kept
        ]
        return PollResult(
            feed_id,
            self.url,
            "ok",
            entries=len(self.parsed.entries),
            new=found,
            next_poll_at=feed.next_poll_at,
        )


def _clean(text: str) -> str:
    """Text every database stores: no NUL (PostgreSQL refuses it), no lone surrogate."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def storable(entry: Entry) -> Entry:
    """``entry`` with its text made storable (NUL bytes dropped): one bad character
    must not cost the entry, let alone the whole poll."""
    return dataclasses.replace(
        entry,
        guid=_clean(entry.guid),
        title=_clean(entry.title),
        summary=_clean(entry.summary),
        link=_clean(entry.link) if entry.link else entry.link,
        source=_clean(entry.source),
        categories=tuple(_clean(c) for c in entry.categories),
        fields={_clean(k): _clean(v) for k, v in entry.fields.items()},
        geocodes={_clean(k): tuple(_clean(v) for v in vs) for k, vs in entry.geocodes.items()},
    )


def _failed_assessment(reason: str) -> Assessment:
    return Assessment(False, None, 0, 0.0, (), (f"not assessed: {reason}",))


def _assess_one(assess: Assess, entry: Entry, now: datetime, notes: list[str]) -> Assessment:
    """The assessor's answer for one entry; an entry it fails on is stored with the
    error as its evidence (and a note on the feed), and the others go on."""
    try:
        return assess(entry, now)
    except Exception as exc:
        log.exception("assessing entry %r failed", entry.guid[:200])
        reason = f"{type(exc).__name__}: {exc}"[:300]
        notes.append(f"entry {entry.guid[:100]!r} could not be assessed ({reason})")
        return _failed_assessment(reason)


def _lock_feed_and_known(
    session: Session, feed_id: int, hashes: list[str]
) -> tuple[Feed | None, set[str]]:
    """The feed, locked (``SELECT … FOR UPDATE``), and which of ``hashes`` it has
    stored already; on PostgreSQL in one statement.

    One statement reads the reports with the snapshot it began with, so when it had
    to wait for another poll's lock on the feed, the reports that poll committed are
    not in its answer. It therefore also says whether the feed row it locked is the
    version its snapshot sees (its ``xmin``, the transaction that last wrote it,
    against the snapshot's): every poll that stores reports writes the feed row in
    the same transaction (``_succeeded``), so a newer version means reports may be
    missing, and they are then read again, by a statement that now sees them."""
    if session.get_bind().dialect.name != "postgresql":
        feed = _locked_feed(session, feed_id)
        return feed, _known_hashes(session, feed_id, hashes) if feed is not None else set()
    snapshot = Feed.__table__.alias("snapshot")
    known = (
        select(func.array_agg(Report.guid_hash))
        .where(Report.feed_id == Feed.id, Report.guid_hash == any_(literal(hashes, ARRAY(String))))
        .scalar_subquery()
    )
    current = literal_column("feeds.xmin") == (
        select(literal_column("snapshot.xmin")).where(snapshot.c.id == Feed.id).scalar_subquery()
    )
    row = session.execute(
        select(Feed, known, current)
        .where(Feed.id == feed_id)
        .with_for_update(of=Feed)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None, set()
    feed, found, is_current = row
    if is_current is not True:
        return feed, _known_hashes(session, feed_id, hashes)
    return feed, set(found or ())


def _known_hashes(session: Session, feed_id: int, hashes: list[str]) -> set[str]:
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: the same statement text for any number of entries.
        return set(
            session.scalars(
                select(Report.guid_hash).where(
                    Report.feed_id == feed_id,
                    Report.guid_hash == any_(literal(hashes, ARRAY(String))),
                )
            )
        )
    known: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        known.update(
            session.scalars(
                select(Report.guid_hash).where(
                    Report.feed_id == feed_id, Report.guid_hash.in_(chunk)
                )
            )
        )
    return known


def _insert_reports(
    session: Session,
    feed_id: int,
    assessed: list[tuple[str, Entry, Assessment]],
    now: datetime,
    notes: list[str] | None = None,
) -> dict[str, int]:
    """INSERT … ON CONFLICT DO NOTHING: a row another poll stored meanwhile is
    skipped, not an error. Returns {guid_hash: id} of the rows stored.

    The rows go in together, under a savepoint; should the database refuse one, they
    go in one by one, and a refused one is stored as a placeholder carrying the
    error (so it is not fetched and refused again), noted in ``notes``."""
    return _insert_rows(session, feed_id, _report_rows(feed_id, assessed, now), notes)[0]


def _report_rows(
    feed_id: int, assessed: list[tuple[str, Entry, Assessment]], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "feed_id": feed_id,
            "guid_hash": key,
            "guid": entry.guid,
            "title": entry.title,
            "link": entry.link,
            "published_at": entry.published,
            "seen_at": now,
            "tragedy": assessment.tragedy,
            "kind": assessment.kind[:32] if assessment.kind else None,
            "severity": assessment.severity if assessment.tragedy else 0,
            "confidence": float(assessment.confidence),
            "evidence": list(assessment.evidence),
            "regions": list(assessment.regions),
        }
        for key, entry, assessment in assessed
    ]


def _dialect_insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _insert_batch(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Every row in one statement, no savepoint: should the database refuse one, the
    ``DBAPIError`` is raised and, on PostgreSQL, the transaction is lost."""
    if not rows:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return _insert_json(session, rows)
    # One cacheable statement run over all rows (executemany with RETURNING), rather
    # than a VALUES list compiled afresh for every poll.
    insert: Any = sqlite.insert
    statement = (
        insert(Report.__table__)
        .on_conflict_do_nothing(index_elements=["feed_id", "guid_hash"])
        .returning(Report.id, Report.guid_hash)
    )
    return {key: report_id for report_id, key in session.execute(statement, rows)}


def _insert_rows(
    session: Session, feed_id: int, rows: list[dict[str, Any]], notes: list[str] | None
) -> tuple[dict[str, int], bool]:
    """The rows together under a savepoint, else one by one, within the caller's
    transaction: (``{guid_hash: id}`` of the rows stored, whether every one went in
    as sent)."""
    if not rows:
        return {}, True
    try:
        with session.begin_nested():
            return _insert_batch(session, rows), True
    except DBAPIError:
        log.warning("feed %s: a report was refused; storing them one by one", feed_id)
    return _insert_each(session, feed_id, rows, _dialect_insert(session), notes), False


def _attached(session: Session, report_id: int, row: dict[str, Any]) -> Report:
    """The ``Report`` of a row this transaction has just inserted, in the session as
    if loaded: the values it was sent with, times in UTC as the database gives them
    back."""
    values = dict(row)
    for name in ("published_at", "seen_at"):
        if values[name] is not None:
            values[name] = values[name].astimezone(UTC)
    report = Report(id=report_id, incident_id=None, **values)
    make_transient_to_detached(report)
    session.add(report)
    return report


def _insert_each(
    session: Session,
    feed_id: int,
    rows: list[dict[str, Any]],
    insert: Any,
    notes: list[str] | None,
) -> dict[str, int]:
    """The rows one by one, each under its own savepoint; a refused one as a
    placeholder."""
    statement = (
        insert(Report.__table__)
        .on_conflict_do_nothing(index_elements=["feed_id", "guid_hash"])
        .returning(Report.id, Report.guid_hash)
    )
    stored: dict[str, int] = {}
    for row in rows:
        for attempt in (row, _placeholder(row)):
            try:
                with session.begin_nested():
                    stored.update({key: rid for rid, key in session.execute(statement, [attempt])})
            except DBAPIError as exc:
                reason = type(exc.orig).__name__ if exc.orig is not None else "refused"
                if notes is not None and attempt is row:
                    notes.append(
                        f"entry {str(row['guid'])[:100]!r} stored without its text ({reason})"
                    )
                continue
            break
    return stored


# PostgreSQL: every row in one statement whose text never changes, instead of a
# VALUES list with a placeholder per value that the driver and the server parse afresh
# for each number of rows. The rows travel as one JSON document (one parameter, which
# the json module writes in C and the server reads in C), rather than an array per
# column that the driver adapts element by element in Python: a third less time for
# the 309 rows of a USGS week feed. Rows go in (and take their ids) in the order given.
_JSON_INSERT = text(
    """
    INSERT INTO reports (feed_id, guid_hash, guid, title, link, published_at, seen_at,
                         tragedy, kind, severity, confidence, evidence, regions)
    SELECT :feed_id, r.guid_hash, r.guid, r.title, r.link, r.published_at, :seen_at,
           r.tragedy, r.kind, r.severity, r.confidence,
           CAST(r.evidence AS json), CAST(r.regions AS json)
    FROM ROWS FROM (json_to_recordset(CAST(:rows AS json)) AS (
        guid_hash varchar, guid text, title text, link text, published_at timestamp,
        tragedy boolean, kind varchar, severity integer, confidence float8,
        evidence text, regions text
    )) WITH ORDINALITY AS r(guid_hash, guid, title, link, published_at, tragedy, kind,
                            severity, confidence, evidence, regions, n)
    ORDER BY r.n
    ON CONFLICT (feed_id, guid_hash) DO NOTHING
    RETURNING id, guid_hash
    """
)
_UTC = UTCDateTime()
_JSON_COLUMNS = ("guid_hash", "guid", "title", "link", "tragedy", "kind", "severity", "confidence")


def _insert_json(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    dialect = session.get_bind().dialect

    def published(row: dict[str, Any]) -> str | None:
        stamp = _UTC.process_bind_param(row["published_at"], dialect)
        return stamp.isoformat() if stamp is not None else None

    document = [
        {name: row[name] for name in _JSON_COLUMNS}
        | {
            "published_at": published(row),
            # The text the JSON columns' own serialiser writes, stored as it is.
            "evidence": json.dumps(row["evidence"]),
            "regions": json.dumps(row["regions"]),
        }
        for row in rows
    ]
    params = {
        "feed_id": rows[0]["feed_id"],
        "seen_at": _UTC.process_bind_param(rows[0]["seen_at"], dialect),
        # Text as it is (not \u escapes, which the server decodes only in UTF-8
        # databases); control characters are escaped, a NUL refused as before.
        "rows": json.dumps(document, ensure_ascii=False),
    }
    return {key: report_id for report_id, key in session.execute(_JSON_INSERT, params)}


def _placeholder(row: dict[str, Any]) -> dict[str, Any]:
    """A report row kept for an entry the database refused: its key, no text."""
    return row | {
        "guid": row["guid_hash"],
        "title": "(entry the database refused; see evidence)",
        "link": None,
        "tragedy": False,
        "kind": None,
        "severity": 0,
        "confidence": 0.0,
        "evidence": ["not stored as sent: the database refused its text"],
        "regions": [],
    }

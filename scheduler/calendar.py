"""The calendar: the posts of a month, a week or a day, by the day they go out on in
the viewer's time zone.

Days are cut at local midnight in the viewer's zone, computed here for each day (a
day across a daylight-saving change is 23 or 25 hours long), and read as ranges of
``posts.publish_at`` (``ix_posts_publish_at``). Whatever the number of posts, a page
costs the same few statements: the first posts of every day in one ``UNION ALL`` of
per-day ``LIMIT`` reads, each day's count in another (capped by ``COUNT_CAP``, so a
day with a million posts is not counted to the last), the posts themselves, their
regions and their open holds. Nothing here writes.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import fields, validate
from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from scheduler import holds
from scheduler.db import UTCDateTime, id_among
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES, ChannelAccount, Hold, Post
from scheduler.schemas import StrictSchema, load

VIEWS = ("month", "week", "day")
# Posts listed in one day's slot; the rest are counted ("+K more") and linked.
PER_DAY = {"month": 4, "week": 12, "day": 100}
# A day is counted up to this many posts ("250+" in a month's cell): the count stays
# an index range of bounded length however busy the day. The day view counts at
# least one past the page it shows, so its "next" link is always right.
COUNT_CAP = {"month": 250, "week": 1000, "day": 1000}
# The first and last days a calendar may show (the years posts may be written for).
FIRST_DAY = date(1970, 1, 2)
LAST_DAY = date(2999, 12, 30)


class CalendarQuerySchema(StrictSchema):
    """The calendar's query string, shared by the page and the API."""

    view = fields.String(load_default="month", validate=validate.OneOf(VIEWS))
    date = fields.Date(
        load_default=None,
        metadata={
            "openapi": {
                "type": "string",
                "format": "date",
                "description": "a day in the period shown (YYYY-MM-DD); default today "
                "in the viewer's time zone",
            }
        },
    )
    channel = fields.String(validate=validate.Length(min=1, max=80))
    status = fields.String(validate=validate.OneOf(POST_STATUSES))
    category = fields.String(validate=validate.OneOf(POST_CATEGORIES))
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=100_000),
        metadata={
            "openapi": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100_000,
                "default": 0,
                "description": "the day view only: posts of the day to skip (paging)",
            }
        },
    )


@dataclass(frozen=True)
class Day:
    day: date
    # The day's bounds as instants (UTC): local midnight to the next local midnight.
    start: datetime
    end: datetime
    posts: list[Post]
    # Posts on the day matching the filters, counted up to ``cap``.
    total: int
    # Posts listed before these ones (the day view's paging).
    offset: int = 0
    cap: int = 1000

    @property
    def capped(self) -> bool:
        return self.total >= self.cap

    @property
    def more(self) -> int:
        """Posts of the day after the ones listed (a lower bound when capped)."""
        return max(0, self.total - self.offset - len(self.posts))

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Calendar:
    view: str
    anchor: date
    zone: str
    days: list[Day]
    holds: Mapping[int, list[Hold]]
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> date:
        return self.days[0].day

    @property
    def last(self) -> date:
        return self.days[-1].day

    @property
    def previous(self) -> date | None:
        return _clamp(_step(self.view, self.anchor, -1))

    @property
    def next(self) -> date | None:
        return _clamp(_step(self.view, self.anchor, 1))

    @property
    def per_day(self) -> int:
        return PER_DAY[self.view]

    @property
    def lead(self) -> int:
        """Empty cells before the first day in a Monday-first month grid."""
        return self.first.weekday() if self.view == "month" else 0

    def status_of(self, post: Post) -> str:
        return holds.shown_status(post, bool(self.holds.get(post.id)))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone))


def _clamp(day: date | None) -> date | None:
    if day is None or day < FIRST_DAY or day > LAST_DAY:
        return None
    return day


def _step(view: str, anchor: date, direction: int) -> date | None:
    try:
        if view == "day":
            return anchor + timedelta(days=direction)
        if view == "week":
            return anchor + timedelta(days=7 * direction)
        month = anchor.month + direction
        year = anchor.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return date(year, month, 1)
    except (OverflowError, ValueError):
        return None


def period(view: str, anchor: date) -> list[date]:
    """The days shown: the month of ``anchor``, its Monday-to-Sunday week, or the day."""
    if view == "day":
        return [anchor]
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return [monday + timedelta(days=i) for i in range(7)]
    length = _cal.monthrange(anchor.year, anchor.month)[1]
    return [date(anchor.year, anchor.month, d) for d in range(1, length + 1)]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the day starts in ``zone``. Where a zone skips midnight (a
    change at 00:00), that wall time reads with the offset before the change, which
    is the instant of the change: the day starts at its first wall time."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _status_term(status: str | None) -> ColumnElement[bool]:
    if status is None:
        # A cancelled post goes out at no time: shown only when asked for.
        return Post.status != "cancelled"
    # Shown statuses that depend on the holds. A correlated probe of the open holds
    # per post of the day (``ix_holds_post_open``), not ``IN (open holds)``: that
    # would hash every open hold once per day of the page.
    under_hold = exists().where(Hold.post_id == Post.id, Hold.released_at.is_(None))
    if status == "held":
        return (Post.status == "held") | ((Post.status == "queued") & under_hold)
    if status == "queued":
        return (Post.status == "queued") & ~under_hold
    return Post.status == bindparam("status")


@lru_cache(maxsize=128)
def _statements(days: int, status: str | None, category: bool, channel: bool) -> tuple[Any, Any]:
    """The two statements of a calendar of ``days`` days with these filters: each
    day's first posts (ids, with the day's index) and each day's capped count. Built
    once per shape, with every value a bound parameter, so a page neither rebuilds
    nor recompiles them."""
    terms = [_status_term(status if status in ("held", "queued") or not status else "other")]
    if category:
        terms.append(Post.category == bindparam("category"))
    if channel:
        terms.append(Post.channel_id == bindparam("channel_id"))
    if status == "held":
        return _one_pass(days, terms)
    firsts = []
    counts = []
    for index in range(days):
        in_day = (Post.publish_at >= bindparam(f"s{index}", type_=UTCDateTime())) & (
            Post.publish_at < bindparam(f"e{index}", type_=UTCDateTime())
        )
        day = literal_column(str(index), Integer)
        listed = (
            select(Post.id.label("id"), day.label("day"))
            .where(in_day, *terms)
            .order_by(Post.publish_at, Post.id)
            .limit(bindparam("per_day", type_=Integer))
            .offset(bindparam("skip", type_=Integer))
            .subquery()
        )
        firsts.append(select(listed.c.id, listed.c.day))
        counted = (
            select(Post.id).where(in_day, *terms).limit(bindparam("cap", type_=Integer)).subquery()
        )
        counts.append(select(day.label("day"), func.count().label("n")).select_from(counted))
    if days == 1:
        return firsts[0], counts[0]
    return union_all(*firsts), union_all(*counts)


def _one_pass(days: int, terms: list[ColumnElement[bool]]) -> tuple[Any, Any]:
    """The same read in one statement and one pass over the period, each post given
    its day by a ``CASE`` on the day bounds, ranked and counted within it. For the held filter:
    its test of the open holds sits inside an ``OR``, which PostgreSQL evaluates by
    hashing the open holds, once per statement here instead of once per day; the
    posts it matches are few, so ranking them is cheap."""
    day = case(
        *[
            (Post.publish_at < bindparam(f"e{i}", type_=UTCDateTime()), literal_column(str(i)))
            for i in range(days)
        ],
        else_=literal_column(str(days - 1)),
    )
    in_period = (Post.publish_at >= bindparam("s0", type_=UTCDateTime())) & (
        Post.publish_at < bindparam(f"e{days - 1}", type_=UTCDateTime())
    )
    ranked = (
        select(
            Post.id.label("id"),
            day.label("day"),
            func.row_number()
            .over(partition_by=day, order_by=(Post.publish_at, Post.id))
            .label("rank"),
            func.count().over(partition_by=day).label("n"),
        )
        .where(in_period, *terms)
        .subquery()
    )
    # One statement: the listed posts, each with its day's count; a day's first post
    # comes along even when the page skips it, so that every day keeps its count.
    firsts = select(ranked.c.id, ranked.c.day, ranked.c.rank, ranked.c.n).where(
        ranked.c.rank <= bindparam("upto", type_=Integer),
        (ranked.c.rank > bindparam("skip", type_=Integer)) | (ranked.c.rank == 1),
    )
    return firsts, None


def _channel_id(session: Session, name: str) -> int:
    found = session.scalar(select(ChannelAccount.id).where(ChannelAccount.name == name))
    if found is None:
        raise ValidationError.single("channel", f"No channel account {name!r}.")
    return found


def count_cap(view: str, offset: int = 0) -> int:
    return max(COUNT_CAP[view], offset + PER_DAY[view] + 1)


def today_in(zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(zone).date()


def build(session: Session, query: Any, zone_name: str, now: datetime) -> Calendar:
    """The calendar for ``query`` (``CalendarQuerySchema``) in the zone ``zone_name``.
    Raises ``ValidationError`` naming the bad parameter."""
    params = load(CalendarQuerySchema(), dict(query or {}))
    zone = ZoneInfo(zone_name)
    anchor: date = params["date"] or today_in(zone, now)
    if not FIRST_DAY <= anchor <= LAST_DAY:
        raise ValidationError.single(
            "date", f"Give a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."
        )
    view = params["view"]
    offset = params["offset"] if view == "day" else 0
    days = period(view, anchor)
    edges = [local_midnight(d, zone) for d in [*days, days[-1] + timedelta(days=1)]]
    bounds = list(pairwise(edges))
    status = params.get("status")
    values: dict[str, Any] = {
        "per_day": PER_DAY[view],
        "skip": offset,
        "upto": offset + PER_DAY[view],
        "cap": count_cap(view, offset),
        "status": status,
        "category": params.get("category"),
    }
    if params.get("channel"):
        values["channel_id"] = _channel_id(session, params["channel"])
    for index, (start, end) in enumerate(bounds):
        values[f"s{index}"] = start
        values[f"e{index}"] = end
    listed, counted = _statements(
        len(bounds),
        status if status in ("held", "queued") or status is None else "other",
        "category" in params,
        "channel_id" in values,
    )
    if counted is not None:
        counts = {day: n for day, n in session.execute(counted, values)}
        picked = list(session.execute(listed, values))
    else:  # one pass: the counts come with the rows
        rows = list(session.execute(listed, values))
        counts = {row.day: min(row.n, values["cap"]) for row in rows}
        picked = [row for row in rows if row.rank > offset]
    ids = [row.id for row in picked]
    loaded = (
        {p.id: p for p in session.scalars(select(Post).where(id_among(session, Post.id, ids)))}
        if ids
        else {}
    )
    per_day: dict[int, list[Post]] = {}
    for row in picked:
        if row.id in loaded:
            per_day.setdefault(row.day, []).append(loaded[row.id])
    for day_posts in per_day.values():
        day_posts.sort(key=lambda p: (p.publish_at, p.id))
    built = [
        Day(day, start, end, per_day.get(i, []), counts.get(i, 0), offset, values["cap"])
        for i, (day, (start, end)) in enumerate(zip(days, bounds, strict=True))
    ]
    filters = {k: params[k] for k in ("channel", "status", "category") if params.get(k)}
    return Calendar(
        view=view,
        anchor=anchor,
        zone=zone_name,
        days=built,
        holds=holds.open_hold_reasons(session, ids),
        filters=filters,
    )

"""The dashboard, the calendar and the per-user time zone, on both databases: what
each shows, in which zone (across a daylight-saving change), that held posts say
why, that bad input is refused naming the field, and that a page costs the same
number of SQL statements however many posts there are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from scheduler import clock, posts, preferences
from scheduler.config import load_settings
from scheduler.errors import ConfigError
from scheduler.models import Feed, Report, User
from tests.helpers import at, declare, queue

PARIS_FALL_BACK = "2026-10-25"  # Europe/Paris leaves summer time that night


def _set_zone(app, user: User, zone: str | None) -> None:
    with app.db.session() as session:
        preferences.set_timezone(session, user.id, {"timezone": zone})


def _day(page: str, day: str) -> str:
    """The HTML of one day's slot in a calendar page."""
    start = page.index(f'id="day-{day}"')
    end = page.find('<li class="cal-day', start + 1)
    return page[start : end if end != -1 else len(page)]


@contextmanager
def _statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", note)


# ------------------------------------------------------------------ time zone
def test_a_user_follows_the_configured_default_zone_until_choosing_one(app, alice, alice_api):
    assert alice.timezone is None
    shown = alice_api.get("/account").json
    assert shown["timezone"] == "UTC" and shown["timezone_is_default"] is True

    changed = alice_api.patch("/account", {"timezone": "Europe/Paris"})
    assert changed.status_code == 200, changed.json
    assert changed.json["timezone"] == "Europe/Paris"
    assert changed.json["timezone_is_default"] is False

    back = alice_api.patch("/account", {"timezone": None})
    assert back.json["timezone"] == "UTC" and back.json["timezone_is_default"] is True


def test_an_unknown_zone_is_refused_naming_the_field_and_keeps_the_old_one(
    app, alice, alice_api, as_alice
):
    _set_zone(app, alice, "Asia/Tokyo")
    for bad in ("Mars/Olympus_Mons", "localtime", "europe/paris", 5):
        response = alice_api.patch("/account", {"timezone": bad})
        assert response.status_code == 400
        assert "timezone" in response.json["errors"], response.json
    assert alice_api.patch("/account", {"zone": "UTC"}).status_code == 400

    page = as_alice.submit("/account/timezone", {"timezone": "Mars/Olympus_Mons"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="error-timezone"' in text and "Mars/Olympus_Mons" in text
    assert alice_api.get("/account").json["timezone"] == "Asia/Tokyo"


def test_the_account_page_sets_the_zone_with_a_labelled_field(app, alice, as_alice):
    page = as_alice.page("/account")
    assert '<label for="timezone">' in page and 'id="timezone" name="timezone"' in page
    saved = as_alice.submit("/account/timezone", {"timezone": "America/New_York"})
    assert saved.status_code == 303
    assert "America/New_York" in as_alice.page("/account")
    with app.db.session() as session:
        assert session.get(User, alice.id).timezone == "America/New_York"
    as_alice.submit("/account/timezone", {"timezone": ""})
    with app.db.session() as session:
        assert session.get(User, alice.id).timezone is None


def test_the_default_zone_is_a_setting_checked_at_start(tmp_path):
    settings = load_settings(
        None,
        environ={},
        overrides={
            "paths": {"data_dir": str(tmp_path)},
            "web": {"default_timezone": "Asia/Kolkata"},
        },
    )
    assert settings.default_timezone == "Asia/Kolkata"
    with pytest.raises(ConfigError, match=r"web\.default_timezone"):
        load_settings(
            None,
            environ={},
            overrides={
                "paths": {"data_dir": str(tmp_path)},
                "web": {"default_timezone": "Nowhere"},
            },
        )


# ------------------------------------------------------------------- calendar
def _paris_post(app, wall: str, text: str = "Autumn collection") -> int:
    return queue(app, publish_at=wall, timezone="Europe/Paris", text=text, regions=["FR"]).id


def test_a_week_across_a_dst_change_shows_the_right_wall_times(app, alice, as_alice, alice_api):
    saturday = _paris_post(app, "2026-10-24T09:00", "Saturday post")
    sunday = _paris_post(app, "2026-10-25T09:00", "Sunday post")
    late = _paris_post(app, "2026-10-25T23:30", "Late Sunday post")
    monday = _paris_post(app, "2026-10-26T00:30", "Monday post")
    _set_zone(app, alice, "Europe/Paris")

    page = as_alice.page(f"/calendar?view=week&date={PARIS_FALL_BACK}")
    sat, sun = _day(page, "2026-10-24"), _day(page, PARIS_FALL_BACK)
    assert f'id="slot-post-{saturday}"' in sat and ">09:00</time>" in sat
    assert f'id="slot-post-{sunday}"' in sun and ">09:00</time>" in sun
    assert f'id="slot-post-{late}"' in sun and ">23:30</time>" in sun
    assert "25-hour day" in sun and "hour day" not in sat
    assert f'id="slot-post-{monday}"' not in page  # the next week's Monday

    days = {
        d["date"]: d
        for d in alice_api.get(f"/calendar?view=week&date={PARIS_FALL_BACK}").json["days"]
    }
    assert days[PARIS_FALL_BACK]["start"] == "2026-10-24T22:00:00+00:00"
    assert days[PARIS_FALL_BACK]["end"] == "2026-10-25T23:00:00+00:00"
    assert [p["id"] for p in days[PARIS_FALL_BACK]["posts"]] == [sunday, late]
    assert [p["id"] for p in days["2026-10-24"]["posts"]] == [saturday]

    # The same posts for a viewer in UTC: other wall times, and the late post is Sunday.
    _set_zone(app, alice, "UTC")
    utc = as_alice.page(f"/calendar?view=week&date={PARIS_FALL_BACK}")
    assert ">08:00</time>" in _day(utc, PARIS_FALL_BACK)
    assert ">07:00</time>" in _day(utc, "2026-10-24")
    assert f'id="slot-post-{monday}"' in _day(utc, PARIS_FALL_BACK)  # 23:30 UTC


def test_a_held_post_is_marked_held_with_its_incident_linked(app, alice, as_alice):
    held = queue(app, publish_at=at(minutes=60)).id
    free = queue(app, publish_at=at(minutes=90), category="service").id
    incident = declare(app).incident
    page = as_alice.page("/calendar?view=day&date=2026-06-01")
    slot = page[page.index(f'id="slot-post-{held}"') :]
    slot = slot[: slot.index("</li>")]
    assert "status-held" in slot and "held by" in slot
    assert f'href="/incidents#incident-{incident.id}"' in slot and incident.title in slot
    assert f'href="/posts/{held}/edit"' in slot
    other = page[page.index(f'id="slot-post-{free}"') :]
    assert "held by" not in other[: other.index("</li>")]


def test_a_busy_day_lists_its_first_posts_and_links_the_rest(app, alice, as_alice, alice_api):
    for minute in range(30):
        queue(app, publish_at=f"2026-06-10T09:{minute:02d}", text=f"Post number {minute}")
    month = as_alice.page("/calendar?view=month&date=2026-06-15")
    busy = _day(month, "2026-06-10")
    assert busy.count('id="slot-post-') == 4
    assert "+26 more" in busy and 'href="/calendar?view=day&amp;date=2026-06-10"' in _day(
        as_alice.get("/calendar?view=month&date=2026-06-15").get_data(as_text=True), "2026-06-10"
    )
    day = as_alice.page("/calendar?view=day&date=2026-06-10")
    assert day.count('id="slot-post-') == 30
    second = alice_api.get("/calendar?view=day&date=2026-06-10&offset=25").json["days"][0]
    assert second["total"] == 30 and len(second["posts"]) == 5 and second["more"] == 0
    assert [p["text"] for p in second["posts"]] == [f"Post number {n}" for n in range(25, 30)]


def test_the_calendar_pages_across_months_and_filters(app, alice, as_alice, alice_api):
    july = queue(app, publish_at="2026-07-03T10:00", channels=["us"], regions=["US"]).id
    queue(app, publish_at="2026-07-04T10:00", channels=["outbox"])
    cancelled = queue(app, publish_at="2026-07-05T10:00").id
    with app.db.session() as session:
        posts.cancel_post(session, cancelled, alice, "test")
    june = as_alice.page("/calendar")  # today, in June
    assert "June 2026" in june
    assert 'href="/calendar?view=month&amp;date=2026-07-01"' in as_alice.get("/calendar").get_data(
        as_text=True
    )
    body = alice_api.get("/calendar?view=month&date=2026-07-20").json
    assert body["previous"] == "2026-06-01" and body["next"] == "2026-08-01"
    assert body["first"] == "2026-07-01" and body["last"] == "2026-07-31"
    listed = [p["id"] for d in body["days"] for p in d["posts"]]
    assert july in listed and cancelled not in listed and len(listed) == 2
    only_us = alice_api.get("/calendar?date=2026-07-20&channel=us").json
    assert [p["id"] for d in only_us["days"] for p in d["posts"]] == [july]
    gone = alice_api.get("/calendar?date=2026-07-20&status=cancelled").json
    assert [p["id"] for d in gone["days"] for p in d["posts"]] == [cancelled]
    page = as_alice.page("/calendar?view=month&date=2026-07-20&channel=us")
    assert f'id="slot-post-{july}"' in page and page.count('id="slot-post-') == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("view=year", "view"),
        ("date=2026-13-01", "date"),
        ("date=0001-01-01", "date"),
        ("channel=nobody", "channel"),
        ("status=lost", "status"),
        ("offset=-1", "offset"),
        ("colour=red", "colour"),
    ],
)
def test_a_bad_calendar_query_is_refused_naming_the_field(
    app, alice, alice_api, as_alice, query, field
):
    response = alice_api.get(f"/calendar?{query}")
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    page = as_alice.get(f"/calendar?{query}")
    assert page.status_code == 400 and field in page.get_data(as_text=True)


def test_calendar_filters_are_labelled_and_work_without_script(app, alice, as_alice):
    page = as_alice.page("/calendar")
    for name in ("channel", "status", "category"):
        assert f'<label for="c-{name}">' in page and f'id="c-{name}" name="{name}"' in page
    assert '<form method="get" action="/calendar"' in page
    assert "<script" not in page.split("</head>")[1]


# ------------------------------------------------------------------ dashboard
def test_the_dashboard_shows_next_held_incidents_prompts_and_feeds(
    app, alice, bob, as_bob, bob_api
):
    held = queue(app, publish_at=at(minutes=30), text="Flash sale in Texas")
    service = queue(app, publish_at=at(minutes=20), category="service", text="Store hours update")
    later = queue(app, publish_at=at(minutes=200), regions=["FR"], text="Paris launch")
    incident = declare(app).incident
    with app.db.session() as session:
        report = session.scalars(select(Report)).first()
        assert report is None  # declared by hand: no evidence but who declared it
        session.add(
            Feed(
                url="https://alerts.example/feed.xml",
                kind="news",
                title="Example alerts",
                interval_seconds=300,
                enabled=True,
                next_poll_at=clock.now(),
                last_polled_at=clock.now(),
                error_count=3,
                last_error="connection refused",
                created_at=clock.now(),
            )
        )

    page = as_bob.page("/dashboard")
    nxt = page[page.index('id="dash-next"') :]
    assert nxt.index(f'id="dash-next-{service.id}"') < nxt.index(f'id="dash-next-{later.id}"')
    assert f'id="dash-next-{held.id}"' not in page
    why = page[page.index(f'id="dash-held-{held.id}"') :]
    why = why[: why.index("</li>")]
    assert incident.title in why and "promotional/inside/severity>=2" in why
    assert "Declared by" in why
    box = page[page.index(f'id="dash-incident-{incident.id}"') :]
    box = box[: box.index("</li>")]
    assert "US-TX" in box and "1 post held" in box
    assert "Example alerts" in page and "1 failing" in page and "connection refused" in page

    body = bob_api.get("/dashboard").json
    assert [p["id"] for p in body["next_out"]] == [service.id, later.id]
    assert [p["id"] for p in body["held"]] == [held.id]
    assert body["held"][0]["holds"][0]["rule"] == "promotional/inside/severity>=2"
    assert body["incidents"][0]["held"] == 1 and body["incidents"][0]["regions"] == ["US-TX"]
    assert body["feeds"]["failing"] == 1 and body["timezone"] == "UTC"
    prompts = body["prompts"]
    assert prompts and prompts[0]["incident_id"] == incident.id
    assert prompts[0]["yours"] is True  # a prompt awaiting a draft: anyone may write it


def test_the_dashboard_is_home_after_login_and_in_the_navigation(app, alice, browser):
    person = browser()
    response = person.login("alice")
    assert response.headers["Location"] == "/dashboard"
    page = person.page("/dashboard")
    assert '<a class="brand" href="/dashboard">' in page
    assert (
        '<a href="/dashboard">Dashboard</a>' in page and '<a href="/calendar">Calendar</a>' in page
    )


def test_the_dashboard_shows_times_in_the_viewers_zone(app, alice, as_alice):
    post = queue(app, publish_at="2026-06-01T18:00", text="Evening post")
    _set_zone(app, alice, "Asia/Tokyo")
    line = as_alice.page("/dashboard")
    line = line[line.index(f'id="dash-next-{post.id}"') :]
    assert "Tue 02 Jun 03:00" in line[: line.index("</li>")]


# ---------------------------------------------------------------- boundedness
def _fill(app, days: int, per_day: int) -> None:
    for day in range(days):
        for hour in range(per_day):
            queue(
                app,
                channels=["outbox", "masto"],
                publish_at=f"2026-06-{day + 2:02d}T{hour % 24:02d}:{day % 60:02d}",
            )


PAGES = (
    "/dashboard",
    "/calendar?view=month&date=2026-06-01",
    "/calendar?view=week&date=2026-06-03",
    "/calendar?view=day&date=2026-06-02",
)


def _costs(app, as_alice, alice_api) -> dict[str, tuple[int, int]]:
    out = {}
    # A token's first use is recorded once (a write the later calls do not repeat).
    assert alice_api.get("/account").status_code == 200
    for url in PAGES:
        with _statements(app) as seen:
            page = as_alice.get(url)
        assert page.status_code == 200
        out[url] = (len(seen), len(page.get_data()))
        with _statements(app) as seen:
            assert alice_api.get(url).status_code == 200
        out["api" + url] = (len(seen), 0)
    return out


def test_each_page_costs_the_same_statements_however_many_posts(app, alice, as_alice, alice_api):
    declare(app)  # holds reasons to load: one incident per post
    _fill(app, days=2, per_day=2)
    small = _costs(app, as_alice, alice_api)
    _fill(app, days=6, per_day=12)
    declare(app, regions=["US"], severity=4, title="Nationwide mourning")
    with app.db.session() as session:
        assert posts.list_posts(session, {"limit": 1}).total > 100
    large = _costs(app, as_alice, alice_api)
    for url, (statements, _size) in small.items():
        assert large[url][0] == statements, (url, small[url], large[url])
    # The month page grows with what it lists (4 a day at most), not with the posts.
    assert large[PAGES[1]][1] < 4 * small[PAGES[1]][1]


def test_a_days_count_stops_at_the_cap(app, alice, alice_api, monkeypatch):
    from scheduler import calendar

    monkeypatch.setattr(calendar, "COUNT_CAP", {"month": 5, "week": 5, "day": 5})
    for minute in range(8):
        queue(app, publish_at=f"2026-06-09T10:{minute:02d}")
    day = alice_api.get("/calendar?view=month&date=2026-06-09").json["days"][8]
    assert day["date"] == "2026-06-09"
    assert day["total"] == 5 and day["capped"] is True and len(day["posts"]) == 4


def test_no_times_are_shown_in_the_servers_zone(app, alice, as_alice):
    """Every <time> on the calendar carries its exact instant in UTC."""
    queue(app, publish_at="2026-06-05T08:00")
    page = as_alice.page("/calendar?date=2026-06-05")
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps and all(
        datetime.fromisoformat(s).utcoffset().total_seconds() == 0 for s in stamps
    )
    assert datetime.fromisoformat(stamps[0]) == datetime(2026, 6, 5, 8, 0, tzinfo=UTC)


def test_both_ways_of_finding_held_posts_agree(app, alice, monkeypatch):
    """Few open holds are read from the holds; many, by walking the queue in due
    order (parked posts and queued ones under a hold). Same answer either way."""
    from scheduler import dashboard

    before = [queue(app, publish_at=at(minutes=m)).id for m in (50, 10, 30)]
    declare(app)
    parked = [queue(app, publish_at=at(minutes=m)).id for m in (40, 20)]  # held on queuing
    queue(app, publish_at=at(minutes=5), category="service")  # never held
    expected = [before[1], parked[1], before[2], parked[0], before[0]]
    with app.db.session() as session:
        assert {p.status for p in posts.list_posts(session, {}).posts} >= {"held", "queued"}
        few = [p.id for p in dashboard.held_soonest(session)]
        monkeypatch.setattr(dashboard, "FEW_HOLDS", 1)
        many = [p.id for p in dashboard.held_soonest(session)]
        short = [p.id for p in dashboard.held_soonest(session, limit=2)]
    assert few == expected and many == expected
    assert short == expected[:2]


def test_the_day_view_pages_past_the_count_cap(app, alice, alice_api, monkeypatch):
    from scheduler import calendar

    monkeypatch.setattr(calendar, "COUNT_CAP", {"month": 2, "week": 2, "day": 2})
    monkeypatch.setattr(calendar, "PER_DAY", {"month": 1, "week": 1, "day": 3})
    ids = [queue(app, publish_at=f"2026-06-09T10:{minute:02d}").id for minute in range(8)]
    seen = []
    offset = 0
    while True:
        day = alice_api.get(f"/calendar?view=day&date=2026-06-09&offset={offset}").json["days"][0]
        seen += [p["id"] for p in day["posts"]]
        if not day["more"]:
            break
        offset += len(day["posts"])
    assert seen == ids
    month = alice_api.get("/calendar?date=2026-06-09").json["days"][8]
    assert month["total"] == 2 and month["capped"] is True and month["more"] == 1


def test_the_held_and_queued_filters_follow_the_holds(app, alice, alice_api):
    under_hold = queue(app, publish_at="2026-06-03T09:00").id
    declare(app)
    parked = queue(app, publish_at="2026-06-03T10:00").id  # held as it is queued
    free = queue(app, publish_at="2026-06-03T11:00", category="service").id

    def listed(status: str) -> list[int]:
        body = alice_api.get(f"/calendar?view=day&date=2026-06-03&status={status}").json
        return [p["id"] for p in body["days"][0]["posts"]]

    assert listed("held") == [under_hold, parked]
    assert listed("queued") == [free]
    later = queue(app, publish_at="2026-06-20T08:00").id  # held too, another day
    month = alice_api.get("/calendar?view=month&date=2026-06-03&status=held").json["days"]
    shown = {d["date"]: ([p["id"] for p in d["posts"]], d["total"]) for d in month if d["total"]}
    assert shown == {"2026-06-03": ([under_hold, parked], 2), "2026-06-20": ([later], 1)}
    for offset, expected in ((1, [parked]), (5, [])):
        url = f"/calendar?view=day&date=2026-06-03&status=held&offset={offset}"
        day = alice_api.get(url).json["days"][0]
        assert [p["id"] for p in day["posts"]] == expected
        assert day["total"] == 2 and day["more"] == 0


def test_a_prompt_says_whose_turn_it_is(app, alice, bob, alice_api, bob_api, client):
    from scheduler.models import CondolenceDraft
    from tests.conftest import make_user
    from tests.web import Api, token_for

    declare(app)
    with app.db.session() as session:
        draft = session.scalars(select(CondolenceDraft)).one()
        draft_id, accounts = draft.id, list(draft.texts)

    def step(api) -> tuple[str, bool]:
        prompt = api.get("/dashboard").json["prompts"][0]
        assert prompt["id"] == draft_id
        return prompt["step"], prompt["yours"]

    assert step(alice_api) == ("write a message for an approver", True)
    assert step(bob_api) == ("write a message, or decide to say nothing", True)
    texts = {name: "Our thoughts are with everyone in Uvalde." for name in accounts}
    assert bob_api.patch(f"/condolences/{draft_id}", {"texts": texts}).status_code == 200
    assert step(bob_api) == ("waiting for another approver (you edited it last)", False)
    assert step(alice_api) == ("waiting for an approver", False)
    dana = Api(client, token_for(app, make_user(app, "dana", "approver")))
    assert step(dana) == ("approve or decline", True)


def test_a_day_whose_midnight_a_zone_skips_starts_at_its_first_wall_time():
    from datetime import date
    from zoneinfo import ZoneInfo

    from scheduler.calendar import local_midnight

    santiago = ZoneInfo("America/Santiago")  # 2026-09-06 00:00 jumps to 01:00
    start, end = (
        local_midnight(date(2026, 9, 6), santiago),
        local_midnight(date(2026, 9, 7), santiago),
    )
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert start.astimezone(santiago).hour == 1
    assert (end - start).total_seconds() == 23 * 3600

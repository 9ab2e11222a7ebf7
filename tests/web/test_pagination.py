"""Keyset pagination of the queue page and ``GET /api/v1/posts``: cursors walk every
matching post exactly once in (due time, id) order, with every filter, forwards and
back; a post inserted or changed between pages neither repeats nor hides another;
a bad cursor is a 400 naming ``cursor``; and a page deep in the list reads as few
rows as the first one (measured on the statement's plan, not by timing)."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from scheduler import clock, pagination, posts
from scheduler.models import Post, PostRegion
from tests.helpers import declare, queue
from tests.web import Api

CHANNELS = ("outbox", "us", "masto")
CATEGORIES = ("promotional", "service", "informational")


def seed(app: Any, count: int, *, start: int = 0) -> list[int]:
    """``count`` posts over the channels and categories, in due-time groups of
    three sharing one instant (so the id must break ties), US-TX or FR audiences."""
    now = clock.now()
    with app.db.session() as session:
        ids = {c.name: c.id for c in posts.list_channels(session)}
        rows = [
            {
                "group_key": f"g{i}",
                "channel_id": ids[CHANNELS[i % 3]],
                "text": f"Post {i}",
                "category": CATEGORIES[(i // 2) % 3],
                "status": "cancelled" if i % 7 == 0 else "queued",
                # Inserted out of due order: ids do not follow due times.
                "publish_at": now + timedelta(minutes=10 + (i * 37 % count) // 3),
                "timezone": "UTC",
                "local_time": "x",
                "due_at": now + timedelta(minutes=10 + (i * 37 % count) // 3),
                "attempts": 0,
                "idempotency_key": f"page-{start + i}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        new = list(session.scalars(insert(Post).returning(Post.id), rows).all())
        session.execute(
            insert(PostRegion),
            [{"post_id": p, "region": "US-TX" if i % 4 else "FR"} for i, p in enumerate(new)],
        )
    return new


def expected(app: Any, query: dict[str, Any]) -> list[int]:
    """Every matching id in (due time, id) order, read in one page."""
    with app.db.session() as session:
        page = posts.list_posts(session, {**query, "limit": 1000})
        assert page.next_cursor is None
        return [p.id for p in page.posts]


def get(api: Api, url: str) -> dict[str, Any]:
    response = api.client.get(url, headers=api.headers())
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def walk(api: Api, query: dict[str, Any]) -> tuple[list[list[int]], dict[str, Any]]:
    """Follow the ``next`` links from the first page; the ids of each page, and the
    last page."""
    page = api.get("/posts", query_string=query).json
    pages = [[p["id"] for p in page["posts"]]]
    while page["links"]["next"]:
        page = get(api, page["links"]["next"])
        pages.append([p["id"] for p in page["posts"]])
    return pages, page


FILTERS = [
    pytest.param({}, id="no-filter"),
    pytest.param({"status": "queued"}, id="queued"),
    pytest.param({"status": "held"}, id="held"),
    pytest.param({"channel": "us"}, id="channel"),
    pytest.param({"category": "service", "channel": "masto"}, id="category-and-channel"),
    pytest.param({"status": "queued", "category": "promotional"}, id="status-and-category"),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_cursors_walk_every_matching_post_once_in_order_and_back(app, alice_api, filters):
    seed(app, 90)
    declare(app)  # holds the queued US-TX promotions: some "held", the rest "queued"
    everything = expected(app, filters)
    assert len(everything) >= 5
    pages, last = walk(alice_api, {**filters, "limit": 3})
    assert [i for page in pages for i in page] == everything
    assert all(len(page) == 3 for page in pages[:-1])
    assert last["next_cursor"] is None
    # And back again through the previous links, page by page.
    backwards = [[p["id"] for p in last["posts"]]]
    page = last
    while page["links"]["previous"]:
        page = get(alice_api, page["links"]["previous"])
        backwards.append([p["id"] for p in page["posts"]])
    assert backwards[::-1] == pages
    assert page["previous_cursor"] is None
    assert get(alice_api, page["links"]["first"])["posts"] == page["posts"]


def test_every_listed_post_matches_its_filter(app, alice_api):
    seed(app, 60)
    declare(app)
    pages, _ = walk(alice_api, {"status": "held", "channel": "us", "limit": 4})
    ids = {i for page in pages for i in page}
    assert ids
    for post_id in ids:
        body = alice_api.get(f"/posts/{post_id}").json
        assert (body["status"], body["channel"]) == ("held", "us")


def test_a_post_inserted_or_changed_between_pages_repeats_and_hides_nothing(app, alice_api):
    seed(app, 40)
    before = expected(app, {"status": "queued"})
    first = alice_api.get("/posts", query_string={"status": "queued", "limit": 10}).json
    seen = [p["id"] for p in first["posts"]]
    # Between two pages: a post due before the cursor (the old offset would now show
    # the page's last post again), a post due after it, an edit to a post already
    # seen and a cancelled post not yet reached.
    early = queue(app, publish_at=(clock.now() + timedelta(minutes=2)).isoformat())
    late = queue(app, publish_at=(clock.now() + timedelta(days=3)).isoformat())
    assert alice_api.patch(f"/posts/{seen[3]}", {"text": "Edited"}).status_code == 200
    gone = before[15]
    assert alice_api.delete(f"/posts/{gone}").status_code == 200
    rest = []
    page = first
    while page["links"]["next"]:
        page = get(alice_api, page["links"]["next"])
        rest.extend(p["id"] for p in page["posts"])
    assert rest == [i for i in before[10:] if i != gone] + [late.id]
    assert early.id not in rest
    # The offset way, for contrast, shows the first page's last post a second time.
    second = alice_api.get("/posts", query_string={"status": "queued", "limit": 10, "offset": 10})
    assert second.json["posts"][0]["id"] == seen[-1]


def test_the_queue_page_links_next_previous_and_first(app, as_alice):
    seed(app, 250)
    everything = expected(app, {"channel": "outbox"})
    html = as_alice.page("/?channel=outbox")
    assert "Showing the first 84 of 84 posts matching these filters" in html
    # A full page is 100 posts; the channel filter leaves 84: no next page.
    assert 'rel="next"' not in html
    html = as_alice.page("/")
    shown = [int(i) for i in re.findall(r'<tr id="post-(\d+)">', html)]
    assert len(shown) == 100
    assert "First page" not in html and 'rel="prev"' not in html
    link = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert link
    second = as_alice.page(link.group(1).replace("&amp;", "&"))
    more = [int(i) for i in re.findall(r'<tr id="post-(\d+)">', second)]
    assert len(more) == 100 and not set(more) & set(shown)
    assert "First page" in second and 'rel="prev"' in second
    back = re.search(r'<a href="([^"]+)" rel="prev">', second)
    assert back
    again = as_alice.page(back.group(1).replace("&amp;", "&"))
    assert [int(i) for i in re.findall(r'<tr id="post-(\d+)">', again)] == shown
    filtered = as_alice.page("/?channel=outbox")
    assert [int(i) for i in re.findall(r'<tr id="post-(\d+)">', filtered)] == everything


def _forged(filters: dict[str, Any]) -> str:
    """A well-formed cursor signed with the default key, not the web app's."""
    return pagination.encode(pagination.Cursor(clock.now(), 5), filters)


def _edited(token: str) -> str:
    """``token`` with its position changed but its digest kept."""
    encoded, _, digest = token.rpartition(".")
    body = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    body[3] += 1
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"{payload}.{digest}"


BAD_CURSORS = [
    pytest.param(lambda good: "garbage", id="garbage"),
    pytest.param(lambda good: "!!!.0123456789abcdef", id="not-base64"),
    pytest.param(lambda good: good[:-3], id="cut-short"),
    pytest.param(_edited, id="edited"),
    pytest.param(lambda good: _forged({}), id="other-key"),
    pytest.param(lambda good: "x" * 5000, id="too-long"),
    pytest.param(lambda good: "", id="empty"),
    pytest.param(lambda good: "e30.", id="no-digest"),
]


@pytest.mark.parametrize("make", BAD_CURSORS)
def test_a_bad_cursor_is_a_400_naming_the_field(app, alice_api, as_alice, make):
    seed(app, 12)
    good = alice_api.get("/posts", query_string={"limit": 5}).json["next_cursor"]
    assert get(alice_api, f"/api/v1/posts?limit=5&cursor={good}")["posts"]
    bad = make(good)
    response = alice_api.get("/posts", query_string={"limit": 5, "cursor": bad})
    assert response.status_code == 400, response.json
    assert list(response.json["errors"]) == ["cursor"]
    page = as_alice.get("/", query_string={"cursor": bad})
    if bad:  # an empty cursor field in the form means "the first page"
        assert page.status_code == 400
        html = page.get_data(as_text=True)
        assert "The filters above are not valid." in html
        assert f'id="error-cursor">{response.json["errors"]["cursor"][0]}' in html


def test_a_cursor_for_other_filters_or_with_an_offset_is_refused(app, alice_api, as_alice):
    seed(app, 30)
    queued = alice_api.get("/posts", query_string={"status": "queued", "limit": 5}).json
    cursor = queued["next_cursor"]
    for query in ({"status": "cancelled"}, {}, {"status": "queued", "channel": "us"}):
        response = alice_api.get("/posts", query_string={**query, "cursor": cursor})
        assert response.status_code == 400
        assert "other filters" in response.json["errors"]["cursor"][0]
    both = alice_api.get("/posts", query_string={"status": "queued", "cursor": cursor, "offset": 5})
    assert both.status_code == 400
    assert list(both.json["errors"]) == ["cursor"]
    # A different page size is fine: the cursor is a position, not a page number.
    wider = alice_api.get("/posts", query_string={"status": "queued", "cursor": cursor, "limit": 9})
    assert wider.status_code == 200
    ui = as_alice.get("/", query_string={"status": "cancelled", "cursor": cursor})
    assert ui.status_code == 400
    assert "other filters" in ui.get_data(as_text=True)


def test_the_count_is_bounded(app, monkeypatch):
    seed(app, 30)
    monkeypatch.setattr(posts, "COUNT_CAP", 20)
    with app.db.session() as session:
        capped = posts.list_posts(session, {"limit": 5})
        exact = posts.list_posts(session, {"limit": 5, "channel": "us"})
    assert (capped.total, capped.total_exact) == (20, False)
    assert (exact.total, exact.total_exact) == (10, True)


# ----------------------------------------------------- cost of a deep page
def _page_statement(app: Any, query: dict[str, Any]) -> tuple[str, Any]:
    """The SQL (and parameters) that reads a page's posts for ``query``."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if "FROM posts" in statement and "ORDER BY" in statement and "count(" not in statement:
            seen.append((statement, parameters))

    event.listen(app.db.engine, "before_cursor_execute", capture)
    try:
        with app.db.session() as session:
            posts.list_posts(session, query)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", capture)
    # The page itself is the first ordered read (then the probe for a previous page).
    return seen[0]


def _work(app: Any, statement: str, parameters: Any) -> tuple[int, str]:
    """How much reading ``statement`` costs, and its plan. PostgreSQL: the rows its
    plan nodes read (EXPLAIN ANALYZE). SQLite: virtual machine steps, in hundreds."""
    with app.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            raw = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
            ).scalar()
            plan = raw[0]["Plan"] if isinstance(raw, list) else json.loads(raw)[0]["Plan"]

            def rows(node: dict[str, Any]) -> int:
                own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node[
                    "Actual Loops"
                ]
                return int(own) + sum(rows(child) for child in node.get("Plans", []))

            def summary(node: dict[str, Any]) -> list[str]:
                line = " ".join(
                    str(node.get(k, ""))
                    for k in ("Node Type", "Relation Name", "Index Name", "Index Cond", "Filter")
                )
                line += f" rows={node['Actual Rows']} loops={node['Actual Loops']}"
                return [line] + [
                    f"  {c}" for child in node.get("Plans", []) for c in summary(child)
                ]

            return rows(plan), "\n".join(summary(plan))
        dbapi = conn.connection.dbapi_connection
        steps = [0]

        def tick() -> int:
            steps[0] += 1
            return 0

        plan = " | ".join(
            str(row[-1])
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
        dbapi.set_progress_handler(tick, 100)
        try:
            conn.exec_driver_sql(statement, parameters).all()
        finally:
            dbapi.set_progress_handler(None, 100)
        return steps[0], plan


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param({}, id="no-filter"),
        pytest.param({"status": "queued"}, id="status"),
        pytest.param({"channel": "us"}, id="channel"),
    ],
)
def test_a_deep_page_reads_no_more_than_the_first(app, filters):
    seed(app, 6000)
    with app.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    with app.db.session() as session:
        head = posts.list_posts(session, {**filters, "limit": 1000})
        assert head.next_cursor is not None and head.total >= 1900
    # The cursor after the 1,000th post (hundreds more follow), as the pages before
    # would give it.
    cursor = pagination.encode(pagination.Cursor(head.posts[-1].due_at, head.posts[-1].id), filters)
    first_work, first_plan = _work(app, *_page_statement(app, {**filters, "limit": 50}))
    deep_work, deep_plan = _work(
        app, *_page_statement(app, {**filters, "limit": 50, "cursor": cursor})
    )
    offset_work, _ = _work(app, *_page_statement(app, {**filters, "limit": 50, "offset": 1000}))
    assert deep_work <= first_work * 1.5 + 5, f"{first_work} {deep_work}\n{first_plan}\n{deep_plan}"
    # The measure sees depth: skipping 1,000 rows costs many times more.
    assert offset_work > first_work * 3, (first_work, offset_work)
    # Read in index order from the cursor on: no sort, no scan of the table.
    if app.db.engine.dialect.name == "postgresql":
        assert "Sort" not in deep_plan and "Seq Scan posts" not in deep_plan, deep_plan
        assert "Index Scan posts ix_posts_" in deep_plan, deep_plan
    else:
        assert "TEMP B-TREE" not in deep_plan, deep_plan
        assert "USING INDEX ix_posts_" in deep_plan, deep_plan


def test_the_region_filter_pages_too_and_a_country_finds_its_subdivisions(app, alice_api, as_alice):
    seed(app, 40)
    texas = expected(app, {"region": "US-TX"})
    france = expected(app, {"region": "FR"})
    assert texas and france and not set(texas) & set(france)
    assert len(texas) + len(france) == 40
    pages, _ = walk(alice_api, {"region": "Texas", "limit": 4})
    assert [i for page in pages for i in page] == texas
    assert expected(app, {"region": "US"}) == texas
    for post_id in pages[0]:
        assert alice_api.get(f"/posts/{post_id}").json["regions"] == ["US-TX"]
    first = alice_api.get("/posts", query_string={"region": "FR", "limit": 4}).json
    other = alice_api.get("/posts", query_string={"region": "US", "cursor": first["next_cursor"]})
    assert other.status_code == 400
    assert list(other.json["errors"]) == ["cursor"]
    unknown = alice_api.get("/posts", query_string={"region": "Atlantis"})
    assert unknown.status_code == 400
    assert list(unknown.json["errors"]) == ["region"]
    html = as_alice.page("/?region=FR")
    assert [int(i) for i in re.findall(r'<tr id="post-(\d+)">', html)] == france
    assert as_alice.get("/?region=Atlantis").status_code == 400

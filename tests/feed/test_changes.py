"""The public change feed: paging, cursors, 422/410, and a consumer that follows it ends with
exactly the public catalogue, for the whole catalogue and for a portal."""

import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlmodel import col, select

from app import config, db
from app.migrations import downgrade, upgrade
from app.models.changes import PublicChange
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from app.models.types import utcnow
from app.services import changes, outbox
from tests.conftest import SearchIndex, offer_payload
from tests.interop.test_openqcat import document, run_import, service_xml

Feed = dict[int, dict[str, Any]]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "partners.md"


def follow(client: TestClient, path: str, state: Feed, since: str | None = None) -> str | None:
    """Apply every change after `since` to `state` (offer id → document); the last cursor."""
    while True:
        params: dict[str, Any] = {"limit": 3}
        if since is not None:
            params["since"] = since
        r = client.get(path, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        for item in page["items"]:
            if item["kind"] == "upsert":
                state[item["offer_id"]] = item["offer"]
            else:
                assert item["offer"] is None
                assert item["reason"]
                state.pop(item["offer_id"], None)
        since = page["next_cursor"]
        if not page["has_more"]:
            return since


def public_catalogue(client: TestClient, prefix: str = "/api/v1") -> Feed:
    """Every offer anyone can read, as the offer route shows it."""
    with db.session_scope() as session:
        ids = list(session.exec(select(Offer.id)))
    found = {}
    for offer_id in ids:
        r = client.get(f"{prefix}/offers/{offer_id}")
        if r.status_code == 200:
            found[int(offer_id or 0)] = r.json()
    return found


def requeue_all() -> None:
    with db.session_scope() as session:
        ids = [i for i in session.exec(select(Offer.id)) if i is not None]
        outbox.enqueue(session=session, offer_ids=ids)


def change_count() -> int:
    with db.session_scope() as session:
        return len(list(session.exec(select(PublicChange.id))))


def test_pages_in_order_with_documents_and_no_change_for_a_reindex(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    h = trusted_provider["headers"]
    ids = [
        client.post("/api/v1/offers", json=offer_payload(title=f"Kurs {n}"), headers=h).json()["id"]
        for n in range(5)
    ]
    assert client.get("/api/v1/changes").json()["items"] == []  # nothing searchable yet
    search_index.drain()
    first = client.get("/api/v1/changes", params={"limit": 2}).json()
    assert [i["offer_id"] for i in first["items"]] == ids[:2]
    assert first["has_more"] is True
    assert {i["event"] for i in first["items"]} == {"offer.published"}
    assert first["items"][0]["offer"] == client.get(f"/api/v1/offers/{ids[0]}").json()
    rest = client.get("/api/v1/changes", params={"since": first["next_cursor"]}).json()
    assert [i["offer_id"] for i in rest["items"]] == ids[2:]
    assert rest["has_more"] is False
    # Caught up: the same cursor again, nothing new.
    idle = client.get("/api/v1/changes", params={"since": rest["next_cursor"]}).json()
    assert idle == {"items": [], "next_cursor": rest["next_cursor"], "has_more": False}
    # Indexed again without a change: partners hear nothing.
    requeue_all()
    search_index.drain()
    assert change_count() == 5
    client.patch(f"/api/v1/offers/{ids[1]}", json={"price": "99.00"}, headers=h)
    search_index.drain()
    news = client.get("/api/v1/changes", params={"since": rest["next_cursor"]}).json()["items"]
    assert [(i["offer_id"], i["event"], i["offer"]["price"]) for i in news] == [
        (ids[1], "offer.updated", "99.00")
    ]


@pytest.mark.parametrize(
    "since",
    ["x", "AAAAAAAAAAAA", "abc def", "A" * 99, "AQAAAAAAAAAB==", "////////////", "%00"],
)
def test_garbage_cursor_is_422_at_since(client: TestClient, since: str) -> None:
    r = client.get("/api/v1/changes", params={"since": since})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == ["query", "since"]


def test_cursor_older_than_the_retained_history_is_410_and_starting_over_works(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    h = trusted_provider["headers"]
    kept = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    gone = client.post("/api/v1/offers", json=offer_payload(title="Weg"), headers=h).json()["id"]
    search_index.drain()
    old_cursor = client.get("/api/v1/changes", params={"limit": 1}).json()["next_cursor"]
    client.patch(f"/api/v1/offers/{kept}", json={"price": "10.00"}, headers=h)
    client.post(f"/api/v1/offers/{gone}/withdraw", headers=h)
    search_index.drain()
    fresh_cursor = client.get("/api/v1/changes", params={"limit": 10}).json()["next_cursor"]
    with db.session_scope() as session:
        session.execute(update(PublicChange).values(created_at=utcnow() - timedelta(days=40)))
        pruned = changes.prune_changes(session=session, older_than=utcnow() - timedelta(days=30))
    # The first version of `kept` and both changes of `gone` were pruned; kept's last stays.
    assert pruned == 3
    r = client.get("/api/v1/changes", params={"since": old_cursor})
    assert r.status_code == 410
    assert "Start over" in r.json()["error"]["message"]
    assert client.get("/api/v1/changes", params={"since": fresh_cursor}).status_code == 200
    state: Feed = {}
    follow(client, "/api/v1/changes", state)
    assert state == public_catalogue(client)
    assert list(state) == [kept]


def test_a_consumer_following_the_feed_holds_exactly_the_public_catalogue(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    h = trusted_provider["headers"]
    org = trusted_provider["org_id"]

    def create(**extra: Any) -> int:
        r = client.post("/api/v1/offers", json=offer_payload(**extra), headers=h)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    updated, withdrawn, expires, archived = (create(title=f"Kurs {n}") for n in "ABCD")
    waiting = client.post("/api/v1/offers", json=offer_payload(), headers=provider["headers"])
    run_import(org, document(service_xml("Q1") + service_xml("Q2", title="Word")))
    search_index.drain()
    state: Feed = {}
    cursor = follow(client, "/api/v1/changes", state)
    assert state == public_catalogue(client)
    assert len(state) == 6  # the submitted offer waits for review

    client.patch(f"/api/v1/offers/{updated}", json={"title": "Kurs A neu"}, headers=h)
    client.post(f"/api/v1/offers/{withdrawn}/withdraw", headers=h)
    client.delete(f"/api/v1/offers/{archived}", headers=h)
    client.post(f"/api/v1/offers/{waiting.json()['id']}/publish", headers=admin)
    # A full delivery without Q2 archives it.
    run_import(org, document(service_xml("Q1"), full=True))
    # Every date of one offer has passed (what the daily sweep then queues).
    with db.session_scope() as session:
        past = date.today() - timedelta(days=3)
        session.execute(
            text(
                "UPDATE offer_date SET start_date = :d, end_date = :d, "
                "registration_deadline = :d WHERE offer_id = :o"
            ),
            {"d": past, "o": expires},
        )
        outbox.enqueue(session=session, offer_ids=[expires])
    search_index.drain()
    reasons: dict[int, str] = {}
    r = client.get("/api/v1/changes", params={"since": cursor, "limit": 1000}).json()
    for item in r["items"]:
        if item["kind"] == "removed":
            reasons[item["offer_id"]] = item["reason"]
    assert reasons == {
        withdrawn: "withdrawn",
        archived: "archived",
        expires: "expired",
        next(i for i, d in state.items() if d["external_id"] == "Q2"): "archived",
    }
    follow(client, "/api/v1/changes", state, since=cursor)
    catalogue = public_catalogue(client)
    assert state == catalogue
    assert state[updated]["title"] == "Kurs A neu"
    searched = client.get("/api/v1/search", params={"per_page": 100}).json()
    assert {hit["id"] for hit in searched["hits"]} == set(catalogue)
    # A fresh consumer from the beginning gets the same.
    assert follow_fresh(client, "/api/v1/changes") == catalogue


def follow_fresh(client: TestClient, path: str) -> Feed:
    state: Feed = {}
    follow(client, path, state)
    return state


def test_portal_feed_shows_its_offers_and_a_tombstone_when_one_leaves(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    h = trusted_provider["headers"]
    r = client.post(
        "/api/v1/admin/portals",
        json={"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447", "448"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    inside = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    koeln = offer_payload(postcode="50667", city="Köln", lat=50.9375, lon=6.9603)
    outside = client.post("/api/v1/offers", json=koeln, headers=h).json()["id"]
    search_index.drain()
    path = "/api/v1/portals/bochum/changes"
    state: Feed = {}
    cursor = follow(client, path, state)
    assert list(state) == [inside]
    assert state == public_catalogue(client, "/api/v1/portals/bochum")

    # The Bochum offer moves to Köln, the Köln one to Bochum.
    client.patch(f"/api/v1/offers/{inside}", json={"dates": koeln["dates"]}, headers=h)
    client.patch(f"/api/v1/offers/{outside}", json={"dates": offer_payload()["dates"]}, headers=h)
    search_index.drain()
    items = client.get(path, params={"since": cursor}).json()["items"]
    assert [(i["offer_id"], i["kind"], i["event"], i["reason"]) for i in items] == [
        (inside, "removed", "offer.removed", "left_portal"),
        (outside, "upsert", "offer.published", None),
    ]
    follow(client, path, state, since=cursor)
    assert state == public_catalogue(client, "/api/v1/portals/bochum")
    assert list(state) == [outside]
    # Changes of offers the portal never showed are not in its feed.
    client.patch(f"/api/v1/offers/{inside}", json={"price": "5.00"}, headers=h)
    search_index.drain()
    last = client.get(path, params={"since": cursor, "limit": 100}).json()
    assert [i["offer_id"] for i in last["items"]] == [inside, outside]
    assert client.get("/api/v1/portals/nirgendwo/changes").status_code == 404
    assert client.get(path, params={"since": "kaputt"}).status_code == 422


def test_portal_feed_pages_are_bounded_by_what_they_read(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    """A portal that sees few of many changes still answers quickly: short pages that move
    the cursor on, until the end."""
    from app.models.portal import Portal

    h = trusted_provider["headers"]
    koeln = offer_payload(postcode="50667", city="Köln", lat=50.9375, lon=6.9603)
    for _ in range(4):
        client.post("/api/v1/offers", json=koeln, headers=h)
    mine = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    search_index.drain()
    portal = Portal(slug="b", name="B", postcode_prefixes=["447"])
    with db.session_scope() as session:
        page = changes.read_portal_changes(
            session=session, portal=portal, after=0, limit=10, scan=2
        )
        assert (page.items, page.has_more) == ([], True)
        seen = []
        while page.has_more:
            page = changes.read_portal_changes(
                session=session, portal=portal, after=page.next_after, limit=10, scan=2
            )
            seen += [i["offer_id"] for i in page.items]
    assert seen == [mine]


def test_migration_queues_published_offers_for_the_feed(
    database_url: str, make_offer: Callable[..., dict[str, Any]], trusted_provider: dict[str, Any]
) -> None:
    published = make_offer(trusted_provider["headers"])["id"]
    downgrade(database_url, "0005")
    with db.get_engine().begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
    upgrade(database_url)
    with db.session_scope() as session:
        assert list(session.exec(select(OutboxEntry.offer_id))) == [published]


class _Caught(Exception):
    pass


def test_the_consumer_in_docs_partners_md_ends_with_the_catalogue(
    client: TestClient,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ten lines of Python in docs/partners.md, run against the app."""
    import httpx

    h = trusted_provider["headers"]
    for n in range(4):
        client.post("/api/v1/offers", json=offer_payload(title=f"Kurs {n}"), headers=h)
    search_index.drain()
    code = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)[0]

    def get(url: str, params: dict[str, Any]) -> httpx.Response:
        r = client.get(url.removeprefix("https://bildungsraum.example"), params=params)
        return httpx.Response(r.status_code, content=r.content, request=httpx.Request("GET", url))

    def sleep(seconds: float) -> None:
        if seconds:
            raise _Caught  # caught up: the consumer would wait for news now

    monkeypatch.setattr(httpx, "get", get)
    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    with pytest.raises(_Caught):
        exec(code, scope)  # noqa: S102 (our own documentation's example)
    assert scope["offers"] == public_catalogue(client)
    assert len(scope["offers"]) == 4
    assert (tmp_path / "cursor.txt").read_text() == scope["cursor"]


def test_portal_feed_follows_the_portals_quality_rules(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    """A portal that holds back thin offers and hides stale ones shows neither in its feed,
    and an offer that goes stale leaves it with a tombstone."""
    h = trusted_provider["headers"]
    body = {
        "slug": "streng",
        "name": "Streng",
        "postcode_prefixes": ["447"],
        "min_completeness": 60,
        "hide_stale": True,
    }
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    full_body = offer_payload(description="Ausführlich. " * 30, contact={"phone": "0234 1"})
    full = client.post("/api/v1/offers", json=full_body, headers=h).json()
    thin = client.post("/api/v1/offers", json=offer_payload(price=None), headers=h).json()
    assert full["completeness"]["score"] >= 60 > thin["completeness"]["score"], (full, thin)
    search_index.drain()
    path = "/api/v1/portals/streng/changes"
    state: Feed = {}
    cursor = follow(client, path, state)
    assert list(state) == [full["id"]]
    assert state == public_catalogue(client, "/api/v1/portals/streng")
    # Unchanged for more than a year: the daily sweep queues it, and the portal drops it.
    with db.session_scope() as session:
        session.execute(
            update(Offer)
            .where(col(Offer.id) == full["id"])
            .values(updated_at=utcnow() - timedelta(days=400))
        )
        outbox.enqueue(session=session, offer_ids=[full["id"]])
    search_index.drain()
    items = client.get(path, params={"since": cursor}).json()["items"]
    assert [(i["offer_id"], i["reason"]) for i in items] == [(full["id"], "left_portal")]


def test_a_cursor_beyond_the_newest_change_is_422_in_every_feed_and_replay(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cursor we never handed out would silently skip every change up to it."""
    monkeypatch.setenv("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
    config.get_settings.cache_clear()
    r = client.post(
        "/api/v1/admin/portals",
        json={"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    h = trusted_provider["headers"]
    for n in range(3):
        client.post("/api/v1/offers", json=offer_payload(title=f"Kurs {n}"), headers=h)
    search_index.drain()
    last = client.get("/api/v1/changes").json()["next_cursor"]
    ahead = changes.encode_cursor(changes.decode_cursor(last) + 1)
    for path in ("/api/v1/changes", "/api/v1/portals/bochum/changes"):
        assert client.get(path, params={"since": last}).status_code == 200
        r = client.get(path, params={"since": ahead})
        assert r.status_code == 422, (path, r.text)
        [detail] = r.json()["error"]["details"]
        assert detail["loc"] == ["query", "since"]
        assert "beyond the newest change" in detail["message"]
    hook = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=admin
    ).json()
    replay = f"/api/v1/webhooks/{hook['id']}/replay"
    r = client.post(replay, json={"since": ahead}, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == ["since"]
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin).json()["cursor"] == last
    assert client.post(replay, json={"since": last}, headers=admin).status_code == 200


def test_the_cursor_of_a_pruned_newest_change_is_still_ours(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    h = trusted_provider["headers"]
    offer_id = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    search_index.drain()
    client.post(f"/api/v1/offers/{offer_id}/withdraw", headers=h)
    search_index.drain()
    last = client.get("/api/v1/changes").json()["next_cursor"]
    with db.session_scope() as session:
        session.execute(update(PublicChange).values(created_at=utcnow() - timedelta(days=40)))
        changes.prune_changes(session=session, older_than=utcnow() - timedelta(days=30))
    assert change_count() == 0  # the removal, the newest change, is gone
    page = client.get("/api/v1/changes", params={"since": last}).json()
    assert page == {"items": [], "next_cursor": last, "has_more": False}


HERNE: dict[str, Any] = {"postcode": "44623", "city": "Herne", "lat": 51.5388, "lon": 7.2256}
KOELN: dict[str, Any] = {"postcode": "50667", "city": "Köln", "lat": 50.9375, "lon": 6.9603}


def test_a_change_of_a_portals_rules_writes_its_tombstones_and_upserts(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> None:
    """Offers that leave get `left_portal`, offers that join an upsert, in the transaction
    that changes the portal: a consumer that carries on ends with the portal's offers."""
    other_org = make_org(name="Akademie", trusted=True)
    other = make_key("provider", other_org)
    h = trusted_provider["headers"]

    def create(headers: dict[str, str], **place: Any) -> int:
        r = client.post("/api/v1/offers", json=offer_payload(**place), headers=headers)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    stays, blocked, herne = create(h), create(other), create(h, **HERNE)
    create(h, **KOELN)
    portal = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=portal, headers=admin).status_code == 201
    search_index.drain()
    path = "/api/v1/portals/ruhr/changes"
    state: Feed = {}
    cursor = follow(client, path, state)
    assert set(state) == {stays, blocked}
    whole = client.get("/api/v1/changes", params={"limit": 1000}).json()["next_cursor"]

    r = client.patch(
        "/api/v1/admin/portals/ruhr",
        json={"postcode_prefixes": ["447", "446"], "providers_block": [other_org]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    items = client.get(path, params={"since": cursor}).json()["items"]
    assert [(i["offer_id"], i["kind"], i["event"], i["reason"]) for i in items] == [
        (blocked, "removed", "offer.removed", "left_portal"),
        (herne, "upsert", "offer.published", None),
    ]
    assert items[1]["offer"] == client.get(f"/api/v1/offers/{herne}").json()
    cursor = follow(client, path, state, since=cursor)
    assert state == public_catalogue(client, "/api/v1/portals/ruhr")
    assert set(state) == {stays, herne}
    assert follow_fresh(client, path) == state
    # The whole catalogue's feed has nothing new; a change that shows the same offers writes
    # nothing either.
    assert client.get("/api/v1/changes", params={"since": whole}).json()["items"] == []
    r = client.patch("/api/v1/admin/portals/ruhr", json={"name": "Ruhrgebiet"}, headers=admin)
    assert r.status_code == 200, r.text
    assert client.get(path, params={"since": cursor}).json()["items"] == []
    # Withdrawn, the offer that joined leaves no content behind in the portal's feed either.
    client.post(f"/api/v1/offers/{herne}/withdraw", headers=h)
    search_index.drain()
    everything = client.get(path, params={"limit": 1000}).json()["items"]
    assert [i["offer"] for i in everything if i["offer_id"] == herne] == [None, None]
    assert follow_fresh(client, path) == public_catalogue(client, "/api/v1/portals/ruhr")


def test_a_portal_feed_judges_each_change_by_the_rules_of_its_time(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    """A consumer that read under the old rules and carries on after new ones still hears of
    what happened to its offers in between, however often the rules change; after the
    retention, a fresh start ends with the portal's offers too."""
    h = trusted_provider["headers"]
    bochum = [
        client.post("/api/v1/offers", json=offer_payload(title=f"Kurs {n}"), headers=h).json()["id"]
        for n in range(2)
    ]
    herne = client.post("/api/v1/offers", json=offer_payload(**HERNE), headers=h).json()["id"]
    portal = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=portal, headers=admin).status_code == 201
    search_index.drain()
    path = "/api/v1/portals/ruhr/changes"
    state: Feed = {}
    cursor = follow(client, path, state)
    assert set(state) == set(bochum)
    # Withdrawn while the rules still showed it, then the portal moves to Herne, and back.
    client.post(f"/api/v1/offers/{bochum[0]}/withdraw", headers=h)
    search_index.drain()
    expected = [
        (["446"], [(bochum[0], "withdrawn"), (bochum[1], "left_portal"), (herne, None)]),
        (["447", "446"], [(bochum[1], None)]),
    ]
    for prefixes, news in expected:
        r = client.patch(
            "/api/v1/admin/portals/ruhr", json={"postcode_prefixes": prefixes}, headers=admin
        )
        assert r.status_code == 200, r.text
        page = client.get(path, params={"since": cursor}).json()
        assert [(i["offer_id"], i["reason"]) for i in page["items"]] == news
        cursor = follow(client, path, state, since=cursor)
    assert state == public_catalogue(client, "/api/v1/portals/ruhr")
    assert set(state) == {bochum[1], herne}
    with db.session_scope() as session:
        session.execute(update(PublicChange).values(created_at=utcnow() - timedelta(days=40)))
        changes.prune_changes(session=session, older_than=utcnow() - timedelta(days=30))
    assert follow_fresh(client, path) == state
    assert follow_fresh(client, "/api/v1/changes") == public_catalogue(client)


def test_an_offer_that_leaves_public_view_leaves_no_content_in_the_feed(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    """Its earlier upserts keep their places (cursors stay valid, nothing skipped or repeated)
    but read as the removal they led to, without the offer."""
    portal = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=portal, headers=admin).status_code == 201
    h = trusted_provider["headers"]
    body = offer_payload(title="Geheimer Kurs")
    gone = client.post("/api/v1/offers", json=body, headers=h).json()["id"]
    kept = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    search_index.drain()
    client.patch(f"/api/v1/offers/{gone}", json={"price": "10.00"}, headers=h)
    search_index.drain()
    paths = ("/api/v1/changes", "/api/v1/portals/ruhr/changes")
    before = {p: client.get(p, params={"limit": 1000}).json()["items"] for p in paths}
    assert [i["offer_id"] for i in before[paths[0]]] == [gone, kept, gone]
    client.post(f"/api/v1/offers/{gone}/withdraw", headers=h)
    search_index.drain()
    for path in paths:
        after = client.get(path, params={"limit": 1000}).json()["items"]
        assert [i["cursor"] for i in after[:-1]] == [i["cursor"] for i in before[path]]
        assert [(i["offer_id"], i["kind"], i["event"], i["reason"]) for i in after] == [
            (gone, "removed", "offer.removed", "withdrawn"),
            (kept, "upsert", "offer.published", None),
            (gone, "removed", "offer.removed", "withdrawn"),
            (gone, "removed", "offer.removed", "withdrawn"),
        ]
        assert after[1] == before[path][1]
        assert "Geheimer Kurs" not in client.get(path, params={"limit": 1000}).text
        assert follow_fresh(client, path) == public_catalogue(client, path.removesuffix("/changes"))
    with db.session_scope() as session:
        stored = session.execute(text("SELECT document FROM public_change")).all()
    assert "Geheimer Kurs" not in str(stored)
    # Published again (a trusted provider's): the public sees it, and so does the feed.
    assert client.post(f"/api/v1/offers/{gone}/submit", headers=h).status_code == 200
    search_index.drain()
    assert follow_fresh(client, paths[0])[gone]["title"] == "Geheimer Kurs"

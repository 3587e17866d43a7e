"""Data quality through the API: completeness (offer answers, import reports, search order,
a portal's minimum) and freshness (stale offers listed to their provider, hidden by portals
that ask for it)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlmodel import col
from typer.testing import CliRunner

from app import db
from app.cli import cli
from app.models.offer import Offer
from app.models.types import utcnow
from app.search.index_settings import index_settings
from app.services import outbox
from tests.conftest import SearchIndex, offer_payload
from tests.interop.test_openqcat import document, run_import, service_xml

FULL: dict[str, Any] = {"description": "Ausführlich. " * 30, "contact": {"phone": "0234 1"}}


def _full(**overrides: Any) -> dict[str, Any]:
    body = offer_payload(**FULL, **overrides)
    body["dates"][0]["weekdays"] = ["tue"]
    return body


def _post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _age(offer_id: int, days: int) -> None:
    """Pretend the provider last changed the offer `days` ago, and let the index know."""
    with db.session_scope() as session:
        # Through the column's type: a datetime handed to sqlite3 as it is relies on its
        # default adapter, deprecated since Python 3.12.
        session.execute(
            update(Offer)
            .where(col(Offer.id) == offer_id)
            .values(updated_at=utcnow() - timedelta(days=days))
        )
        outbox.enqueue(session=session, offer_ids=[offer_id])


# --- completeness ---------------------------------------------------------------------------


def test_owner_sees_completeness_and_what_is_missing_the_public_does_not(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    h = trusted_provider["headers"]
    thin = _post(client, h, offer_payload(price=None))
    assert thin["completeness"]["score"] == 50
    assert [m["text"] for m in thin["completeness"]["missing"]][:2] == [
        "+15: describe the offer in at least 300 characters",
        "+15: give a price, or say in price_note that it is on request",
    ]
    assert thin["completeness"]["missing"][1]["gain"] == 15
    r = client.patch(f"/api/v1/offers/{thin['id']}", json={"price_note": "auf Anfrage"}, headers=h)
    assert r.json()["completeness"]["score"] == 65
    public = client.get(f"/api/v1/offers/{thin['id']}").json()
    assert public["completeness"] is None
    listed = client.get("/api/v1/offers", headers=h).json()["items"][0]
    assert listed["completeness"]["score"] == 65


def test_import_report_gives_each_offer_its_score_and_missing(
    make_org: Callable[..., int],
) -> None:
    org = make_org(name="Akademie")
    report = run_import(org, document(service_xml("q-1")))
    [record] = report.to_dict()["records"]
    assert record["completeness"] == 25
    assert "+15: give a price, or say in price_note that it is on request" in record["missing"]
    text_report = report.render_text()
    assert "completeness: average 25 of 100" in text_report
    assert "q-1 (line 1): completeness 25; +15: describe the offer" in text_report


def test_search_ranks_the_more_complete_of_equal_hits_first(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    assert index_settings()["rankingRules"][-1] == "completeness:desc"
    h = trusted_provider["headers"]
    thin = _post(client, h, offer_payload(title="Schweißen Grundkurs"))["id"]
    full = _post(client, h, _full(title="Schweißen Grundkurs"))["id"]
    thin2 = _post(client, h, offer_payload(title="Schweißen Grundkurs"))["id"]
    search_index.drain()
    hits = client.get("/api/v1/search", params={"q": "Schweißen"}).json()["hits"]
    assert [hit["id"] for hit in hits][0] == full
    assert {hit["id"] for hit in hits} == {thin, full, thin2}


def test_portal_minimum_holds_back_thin_offers_until_reviewed(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    h = trusted_provider["headers"]
    thin = _post(client, h, offer_payload(title="Stapler Schein"))["id"]
    full = _post(client, h, _full(title="Stapler Schein"))["id"]
    search_index.drain()
    r = client.post(
        "/api/v1/admin/portals",
        json={
            "slug": "streng",
            "name": "Streng",
            "postcode_prefixes": ["44"],
            "min_completeness": 80,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["min_completeness"] == 80
    found = client.get("/api/v1/portals/streng/search", params={"q": "Stapler"}).json()
    assert [hit["id"] for hit in found["hits"]] == [full]
    assert client.get(f"/api/v1/portals/streng/offers/{thin}").status_code == 404
    # The global search has no minimum.
    assert client.get("/api/v1/search", params={"q": "Stapler"}).json()["total"] == 2
    r = client.post(f"/api/v1/offers/{thin}/publish", headers=admin)  # an admin reviewed it
    assert r.status_code == 200, r.text
    search_index.drain()
    found = client.get("/api/v1/portals/streng/search", params={"q": "Stapler"}).json()
    assert {hit["id"] for hit in found["hits"]} == {thin, full}
    assert client.get(f"/api/v1/portals/streng/offers/{thin}").status_code == 200


def test_portal_minimum_out_of_range_is_422(client: TestClient, admin: dict[str, str]) -> None:
    body = {"slug": "x", "name": "X", "postcode_prefixes": ["44"], "min_completeness": 101}
    r = client.post("/api/v1/admin/portals", json=body, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-1] == "min_completeness"


def test_rescore_computes_stored_scores_again(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    offer_id = _post(client, trusted_provider["headers"], offer_payload())["id"]
    with db.session_scope() as session:
        session.execute(text("UPDATE offer SET completeness = 0"))
        session.execute(text("DELETE FROM outbox"))
    result = CliRunner().invoke(cli, ["quality", "rescore"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "1 offers scored anew"
    with db.session_scope() as session:
        stored = session.execute(text("SELECT completeness FROM offer")).scalar_one()
        queued = session.execute(text("SELECT offer_id FROM outbox")).scalars().all()
    assert (stored, queued) == (65, [offer_id])


def test_the_worker_scores_offers_stored_before_the_score_once(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    from workers.duplicates import score_existing_once

    _post(client, trusted_provider["headers"], offer_payload())
    with db.session_scope() as session:
        session.execute(text("UPDATE offer SET completeness = 0"))  # as after the upgrade
    assert score_existing_once() == 1
    with db.session_scope() as session:
        assert session.execute(text("SELECT completeness FROM offer")).scalar_one() == 65
        session.execute(text("UPDATE offer SET completeness = 0"))
    assert score_existing_once() == 0  # once per database, not at every start


# --- freshness ------------------------------------------------------------------------------


def test_stale_lists_own_offers_unchanged_for_six_months(
    client: TestClient,
    trusted_provider: dict[str, Any],
    provider: dict[str, Any],
    admin: dict[str, str],
) -> None:
    h = trusted_provider["headers"]
    old = _post(client, h, offer_payload(title="Alt"))["id"]
    older = _post(client, h, offer_payload(title="Älter"))["id"]
    fresh = _post(client, h, offer_payload(title="Frisch"))["id"]
    others = _post(client, provider["headers"], offer_payload(title="Fremd"))["id"]
    archived = _post(client, h, offer_payload(title="Archiviert"))["id"]
    assert client.delete(f"/api/v1/offers/{archived}", headers=h).status_code == 204
    for offer_id, days in ((old, 200), (older, 300), (others, 300), (archived, 300)):
        _age(offer_id, days)
    stale = client.get("/api/v1/offers", params={"stale": "true"}, headers=h).json()
    assert [o["id"] for o in stale["items"]] == [older, old]
    assert stale["total"] == 2
    assert all(o["stale"] for o in stale["items"])
    rest = client.get("/api/v1/offers", params={"stale": "false"}, headers=h).json()
    assert {o["id"] for o in rest["items"]} == {fresh, archived}
    everyone = client.get("/api/v1/offers", params={"stale": "true"}, headers=admin).json()
    assert {o["id"] for o in everyone["items"]} == {old, older, others}
    r = client.get("/api/v1/offers", params={"stale": "bald"}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["query", "stale"]


def test_cli_lists_stale_offers_per_organisation(
    client: TestClient, trusted_provider: dict[str, Any], provider: dict[str, Any]
) -> None:
    old = _post(client, trusted_provider["headers"], offer_payload(title="Alt"))["id"]
    other = _post(client, provider["headers"], offer_payload(title="Fremd"))["id"]
    _post(client, provider["headers"], offer_payload(title="Frisch"))
    _age(old, 200)
    _age(other, 400)
    result = CliRunner().invoke(cli, ["quality", "stale"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"Bildungswerk Ruhr (organisation {provider['org_id']}):"
    assert lines[1].startswith(f"  {other}\t-\t")
    assert lines[1].endswith("\tFremd")
    assert lines[2] == f"VHS Bochum (organisation {trusted_provider['org_id']}):"
    assert lines[-1] == "2 offers of 2 organisations unchanged for 183 days"
    one = CliRunner().invoke(cli, ["quality", "stale", "--org", str(provider["org_id"])])
    assert (
        one.output.strip().splitlines()[-1] == "1 offers of 1 organisations unchanged for 183 days"
    )


def test_portal_hides_offers_unchanged_for_a_year(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    h = trusted_provider["headers"]
    ancient = _post(client, h, offer_payload(title="Töpfern alt"))["id"]
    half = _post(client, h, offer_payload(title="Töpfern halb"))["id"]
    _age(ancient, 400)
    _age(half, 200)
    search_index.drain()
    for slug, hide in (("frisch", True), ("alles", False)):
        body = {"slug": slug, "name": slug, "postcode_prefixes": ["44"], "hide_stale": hide}
        assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    fresh = client.get("/api/v1/portals/frisch/search", params={"q": "Töpfern"}).json()
    assert [hit["id"] for hit in fresh["hits"]] == [half]
    assert client.get(f"/api/v1/portals/frisch/offers/{ancient}").status_code == 404
    everything = client.get("/api/v1/portals/alles/search", params={"q": "Töpfern"}).json()
    assert {hit["id"] for hit in everything["hits"]} == {ancient, half}
    r = client.patch("/api/v1/admin/portals/alles", json={"hide_stale": None}, headers=admin)
    assert r.status_code == 422


def test_full_delivery_without_an_offer_archives_it_as_a_removal(
    make_org: Callable[..., int], search_index: SearchIndex
) -> None:
    """The archived offer goes through the outbox like every removal: gone from the index."""
    org = make_org(name="Akademie", trusted=True)
    run_import(org, document(service_xml("a-1") + service_xml("a-2", title="Word"), full=True))
    search_index.drain()
    assert search_index.client.index(search_index.uid).search("Word")["estimatedTotalHits"] == 1
    report = run_import(org, document(service_xml("a-1"), full=True))
    assert report.deleted == 1
    with db.session_scope() as session:
        queued = session.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    assert queued == 1
    search_index.drain()
    assert search_index.client.index(search_index.uid).search("Word")["estimatedTotalHits"] == 0


def test_cli_sets_the_portal_quality_settings(client: TestClient, admin: dict[str, str]) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli,
        [
            "portal",
            "create",
            "--slug",
            "q",
            "--name",
            "Q",
            "--postcode-prefix",
            "44",
            "--min-completeness",
            "60",
            "--hide-stale",
            "--duplicates",
            "hidden",
        ],
    )
    assert created.exit_code == 0, created.output
    portal = client.get("/api/v1/admin/portals/q", headers=admin).json()
    assert (portal["min_completeness"], portal["hide_stale"], portal["duplicates"]) == (
        60,
        True,
        "hidden",
    )
    updated = runner.invoke(
        cli, ["portal", "update", "--slug", "q", "--show-stale", "--duplicates", "also_offered"]
    )
    assert updated.exit_code == 0, updated.output
    portal = client.get("/api/v1/admin/portals/q", headers=admin).json()
    assert (portal["hide_stale"], portal["duplicates"]) == (False, "also_offered")
    bad = runner.invoke(cli, ["portal", "update", "--slug", "q", "--min-completeness", "101"])
    assert bad.exit_code != 0

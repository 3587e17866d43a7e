"""Scheduled pulls from a local HTTP server: a changing file pulled on schedule, 304s that cost
no import, broken files, errors, hangs, redirects to private addresses, huge answers; the
admin API and the CLI."""

import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from app import config, db
from app.models.audit import AuditEntry
from app.models.import_source import ImportSource
from app.models.offer import Offer
from app.models.types import utcnow
from app.services.interop.scheduler import pull_source, run_due
from testkit.openvhs_files import course_xml, programme
from tests.interop.feed_server import FeedServer
from tests.interop.test_openvhs import statuses

SOURCES = "/api/v1/admin/sources"


@pytest.fixture
def feed(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("PULL_ALLOWED_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("PULL_TIMEOUT", "1.5")
    monkeypatch.setenv("PULL_MAX_BYTES", str(1_000_000))
    monkeypatch.setenv("PULL_RETRY_BASE", "60")
    config.get_settings.cache_clear()
    server = FeedServer().start()
    server.state.set(programme(course_xml("A"), course_xml("B", "Spanisch A1")))
    yield server
    server.stop()
    config.get_settings.cache_clear()


def add_source(client: TestClient, admin: dict[str, str], org_id: int, url: str) -> int:
    body = {"organisation_id": org_id, "url": url, "format": "openvhs", "interval_minutes": 60}
    response = client.post(SOURCES, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def source(source_id: int) -> ImportSource:
    with db.session_scope() as session:
        row = session.get(ImportSource, source_id)
        assert row is not None
        return row


def make_due(source_id: int) -> None:
    with db.session_scope() as session:
        row = session.get(ImportSource, source_id)
        assert row is not None
        row.next_run_at = utcnow() - timedelta(seconds=1)
        session.add(row)


def offer_audits() -> int:
    with db.session_scope() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "offer")
        return int(session.exec(query).one())


def test_changing_file_pulled_on_schedule(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    feed: FeedServer,
) -> None:
    org_id = trusted_provider["org_id"]
    source_id = add_source(client, admin, org_id, feed.url("feed"))

    assert run_due() == 1
    pulled = source(source_id)
    assert pulled.last_status == "imported"
    assert pulled.last_report is not None
    assert pulled.last_report["counts"]["created"] == 2
    assert pulled.etag == feed.state.tag
    assert pulled.consecutive_failures == 0
    assert pulled.next_run_at > utcnow() + timedelta(minutes=59)
    assert statuses(org_id) == {"A": "published", "B": "published"}
    assert run_due() == 0  # not due again for an hour

    # due again, unchanged: a 304 answers the conditional GET and nothing is imported
    audits = offer_audits()
    make_due(source_id)
    assert run_due() == 1
    assert feed.state.requests[-1]["if-none-match"] == feed.state.tag
    assert source(source_id).last_status == "not_modified"
    assert source(source_id).last_report["counts"]["created"] == 2  # type: ignore[index]
    assert offer_audits() == audits

    # the file changes: B is gone from the programme, so B is archived
    feed.state.set(programme(course_xml("A")))
    make_due(source_id)
    assert run_due() == 1
    report = source(source_id).last_report
    assert report is not None
    assert report["counts"]["deleted"] == 1
    assert report["partial"]
    assert statuses(org_id) == {"A": "published", "B": "archived"}

    # the organisation reads its own source and report; others do not see it
    own = client.get(f"/api/v1/sources/{source_id}", headers=trusted_provider["headers"])
    assert own.status_code == 200
    assert own.json()["last_report"]["counts"]["deleted"] == 1
    listed = client.get("/api/v1/sources", headers=trusted_provider["headers"]).json()
    assert [s["id"] for s in listed["items"]] == [source_id]
    other = make_key("provider", make_org(name="Andere"))
    assert client.get(f"/api/v1/sources/{source_id}", headers=other).status_code == 404
    assert client.get("/api/v1/sources", headers=other).json()["total"] == 0
    assert client.get(SOURCES, headers=trusted_provider["headers"]).status_code == 403


def test_broken_file_leaves_the_catalogue_as_it_was(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any], feed: FeedServer
) -> None:
    org_id = trusted_provider["org_id"]
    source_id = add_source(client, admin, org_id, feed.url("feed"))
    assert run_due() == 1
    good_tag = source(source_id).etag
    feed.state.set(programme(course_xml("A")).replace(b"</veranstaltung>", b""))  # truncated
    make_due(source_id)
    before = time.time()
    assert run_due() == 1
    broken = source(source_id)
    assert broken.last_status == "rejected"
    assert "malformed XML" in (broken.last_error or "")
    assert broken.last_report is not None
    assert broken.last_report["written"] is False
    assert statuses(org_id) == {"A": "published", "B": "published"}  # B not archived
    assert broken.consecutive_failures == 1
    assert broken.etag == good_tag
    retry_in = (broken.next_run_at.timestamp() - before) / 60
    assert 0.9 < retry_in < 1.1  # PULL_RETRY_BASE, not the hour

    feed.state.set(programme(course_xml("A"), course_xml("B", "Spanisch A1"), course_xml("C")))
    make_due(source_id)
    assert run_due() == 1
    fixed = source(source_id)
    assert fixed.last_status == "imported"
    assert fixed.consecutive_failures == 0
    assert fixed.last_report["counts"]["created"] == 1  # type: ignore[index]


def test_failures_back_off_and_are_reported(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any], feed: FeedServer
) -> None:
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("error"))
    delays = []
    for _ in range(3):
        make_due(source_id)
        started = time.time()
        assert run_due() == 1
        row = source(source_id)
        assert row.last_status == "failed"
        assert row.last_error == "the server answered HTTP 500"
        delays.append(round((row.next_run_at.timestamp() - started) / 60))
    assert delays == [1, 2, 4]
    assert source(source_id).consecutive_failures == 3
    assert statuses(trusted_provider["org_id"]) == {}


@pytest.mark.parametrize(
    ("path", "redirect", "expected"),
    [
        ("hang", "", "no complete answer within 1.5 s"),
        ("trickle", "", "no complete answer within 1.5 s"),
        ("huge-declared", "", "larger than 1,000,000 bytes"),
        ("huge", "", "larger than 1,000,000 bytes; stopped there"),
        ("bomb", "", "larger than 1,000,000 bytes"),
        ("redirect", "http://10.255.255.1/feed", "private, loopback or link-local"),
        ("redirect", "http://169.254.169.254/latest/meta-data/", "link-local"),
        ("redirect", "file:///etc/passwd", "only http and https"),
    ],
)
def test_bad_answers_are_stopped_and_nothing_is_imported(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    feed: FeedServer,
    path: str,
    redirect: str,
    expected: str,
) -> None:
    feed.state.redirect_to = redirect
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url(path))
    started = time.monotonic()
    assert run_due() == 1
    assert time.monotonic() - started < 10
    row = source(source_id)
    assert row.last_status == "failed", row.last_error
    assert expected in (row.last_error or ""), row.last_error
    assert row.consecutive_failures == 1
    assert row.next_run_at > utcnow()
    assert statuses(trusted_provider["org_id"]) == {}


def test_gzip_and_last_modified(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any], feed: FeedServer
) -> None:
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("gzip"))
    assert run_due() == 1
    assert source(source_id).last_status == "imported"
    feed.state.etag = False
    other = add_source(client, admin, trusted_provider["org_id"], feed.url("feed"))
    assert run_due() == 1  # same programme: nothing new, no ETag but a Last-Modified
    assert source(other).last_modified == feed.state.last_modified
    make_due(other)
    assert run_due() == 1
    assert source(other).last_status == "not_modified"
    assert feed.state.requests[-1]["if-modified-since"] == feed.state.last_modified


def test_same_bytes_without_validators_are_not_parsed_again(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any], feed: FeedServer
) -> None:
    # gzip answers here carry neither ETag nor Last-Modified: only the content hash tells
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("gzip"))
    assert run_due() == 1
    audits = offer_audits()
    make_due(source_id)
    assert run_due() == 1
    assert source(source_id).last_status == "unchanged"
    assert offer_audits() == audits


def test_private_addresses_refused_unless_allowed(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    feed: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULL_ALLOWED_NETWORKS", "")
    config.get_settings.cache_clear()
    org_id = trusted_provider["org_id"]
    literal = {"organisation_id": org_id, "url": feed.url("feed")}
    refused = client.post(SOURCES, json=literal, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["loc"] == ["url"]
    # a name is checked where the connection is made: whatever it resolves to then
    real = socket.getaddrinfo

    def rebinding(host: str, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "feed.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = feed.base.rsplit(":", 1)[1]
    for host in ("localhost", "feed.example"):
        source_id = add_source(client, admin, org_id, f"http://{host}:{port}/feed")
        assert run_due() == 1
        row = source(source_id)
        assert row.last_status == "failed"
        assert "private, loopback" in (row.last_error or "")
    assert feed.state.requests == []  # nothing ever reached the server
    assert statuses(org_id) == {}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"url": "ftp://vhs.example/kurse.xml"}, ["url"]),
        ({"url": "https://user:geheim@vhs.example/kurse.xml"}, ["url"]),
        ({"url": "http://[::1]/kurse.xml"}, ["url"]),
        ({"url": "https://vhs.example/k.xml", "interval_minutes": 1}, ["interval_minutes"]),
        ({"url": "https://vhs.example/k.xml", "format": "pdf"}, ["format"]),
        ({"url": "https://vhs.example/k.xml", "organisation_id": 999_999}, ["organisation_id"]),
    ],
)
def test_admin_api_validates_sources(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    body: dict[str, Any],
    loc: list[Any],
) -> None:
    response = client.post(
        SOURCES, json={"organisation_id": trusted_provider["org_id"], **body}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == loc


def test_admin_api_manages_and_runs_sources(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any], feed: FeedServer
) -> None:
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("feed"))
    assert client.get(SOURCES, headers=admin).json()["total"] == 1
    paused = client.patch(f"{SOURCES}/{source_id}", json={"enabled": False}, headers=admin)
    assert paused.status_code == 200
    assert paused.json()["enabled"] is False
    assert run_due() == 0  # paused sources are not pulled on schedule ...
    ran = client.post(f"{SOURCES}/{source_id}/run", headers=admin)  # ... but on request
    assert ran.status_code == 200, ran.text
    assert ran.json()["last_status"] == "imported"
    assert ran.json()["running"] is False
    with db.session_scope() as session:
        row = session.get(ImportSource, source_id)
        assert row is not None
        row.lease_until = utcnow() + timedelta(minutes=5)  # another pull holds it
        session.add(row)
    assert client.post(f"{SOURCES}/{source_id}/run", headers=admin).status_code == 409
    assert client.delete(f"{SOURCES}/{source_id}", headers=admin).status_code == 409
    with db.session_scope() as session:
        row = session.get(ImportSource, source_id)
        assert row is not None
        row.lease_until = None
        session.add(row)
    moved = client.patch(
        f"{SOURCES}/{source_id}", json={"url": feed.url("error")}, headers=admin
    ).json()
    assert moved["url"].endswith("/error")
    assert moved["next_run_at"] <= utcnow().isoformat()
    assert client.delete(f"{SOURCES}/{source_id}", headers=admin).status_code == 204
    assert client.get(f"{SOURCES}/{source_id}", headers=admin).status_code == 404
    assert statuses(trusted_provider["org_id"]) == {"A": "published", "B": "published"}


def test_cli_source_commands(trusted_provider: dict[str, Any], feed: FeedServer) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    runner = CliRunner()
    org = str(trusted_provider["org_id"])
    added = runner.invoke(cli, ["source", "add", "--org", org, "--url", feed.url("feed")])
    assert added.exit_code == 0, added.output
    source_id = added.output.strip().splitlines()[-1]
    ran = runner.invoke(cli, ["source", "run", source_id])
    assert ran.exit_code == 0
    assert "imported" in ran.output
    assert "created: 2" in ran.output
    listed = runner.invoke(cli, ["source", "list"])
    assert f"{source_id}  org {org}" in listed.output
    assert "imported" in listed.output
    bad = runner.invoke(cli, ["source", "add", "--org", org, "--url", "ftp://x.example/a"])
    assert bad.exit_code == 2
    assert "url" in bad.output
    broken = runner.invoke(
        cli, ["source", "add", "--org", org, "--url", feed.url("error"), "--interval", "5"]
    )
    failed = runner.invoke(cli, ["source", "run", broken.output.strip().splitlines()[-1]])
    assert failed.exit_code == 1
    assert "HTTP 500" in failed.output
    removed = runner.invoke(cli, ["source", "remove", source_id])
    assert removed.exit_code == 0
    assert runner.invoke(cli, ["source", "run", source_id]).exit_code == 2


def test_scheduler_loop_pulls_due_sources(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    feed: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from app.services.interop import scheduler

    monkeypatch.setenv("PULL_POLL", "0.05")
    config.get_settings.cache_clear()
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("feed"))
    stop = threading.Event()
    loop = threading.Thread(target=scheduler.serve, args=(stop,))
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while source(source_id).last_status is None and time.monotonic() < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join(10)
    assert not loop.is_alive()
    assert source(source_id).last_status == "imported"


def test_unexpected_error_releases_the_source(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    feed: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services.interop import scheduler

    def broken(**_: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(scheduler, "import_file", broken)
    source_id = add_source(client, admin, trusted_provider["org_id"], feed.url("feed"))
    with pytest.raises(RuntimeError):
        pull_source(source_id)
    row = source(source_id)
    assert row.last_status == "failed"
    assert row.lease_until is None
    assert row.consecutive_failures == 1
    assert row.next_run_at > utcnow()
    assert run_due() == 0  # backing off, not retried at once


def test_a_pulled_file_changes_an_untrusted_organisations_offers_only_through_review(
    client: TestClient,
    admin: dict[str, str],
    provider: dict[str, Any],
    feed: FeedServer,
) -> None:
    org_id = provider["org_id"]
    source_id = add_source(client, admin, org_id, feed.url("feed"))
    assert run_due() == 1
    assert statuses(org_id) == {"A": "submitted", "B": "submitted"}
    with db.session_scope() as session:
        offer_ids = {o.external_id: o.id for o in session.exec(select(Offer))}
    r = client.post(f"/api/v1/offers/{offer_ids['A']}/publish", headers=admin)
    assert r.status_code == 200, r.text
    # The organisation's file renames the published course: the public keeps the reviewed
    # title until an admin publishes the change.
    feed.state.set(programme(course_xml("A", "Tabellenkalkulation NEU"), course_xml("B")))
    make_due(source_id)
    assert run_due() == 1
    public = client.get(f"/api/v1/offers/{offer_ids['A']}").json()
    assert public["title"] == "Englisch B1 – Konversation"
    queue = client.get("/api/v1/moderation", headers=admin).json()
    kinds = {item["offer_id"]: item["kind"] for item in queue["items"]}
    assert kinds[offer_ids["A"]] == "revision"

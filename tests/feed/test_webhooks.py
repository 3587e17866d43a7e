"""Webhooks: registration rules, signed deliveries a Standard Webhooks verifier accepts,
faulty receivers (500, hang, trickle, closed connection, redirect) retried and logged with
nothing lost, disabling after the retry window, replay, and a worker killed mid-batch."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlmodel import Session, col, select
from standardwebhooks import Webhook, WebhookVerificationError

from app import config, db
from app.models.changes import PublicChange
from app.models.types import utcnow
from app.models.webhooks import DeliveryStatus, WebhookDelivery
from app.services import changes
from app.services.public_addresses import (
    GuardedBackend,
    OutboundError,
    ResolveTimeout,
    parse_networks,
    resolve_host,
)
from testkit.webhook_receiver import Receiver
from tests.conftest import SearchIndex, offer_payload
from workers.webhooks import EndpointLease, WebhookWorker, fan_out, message, signed_headers


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def local_targets(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Receivers on 127.0.0.1 allowed, short timeouts and backoff."""
    monkeypatch.setenv("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("WEBHOOK_TIMEOUT", "0.5")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE", "0.05")
    monkeypatch.setenv("WEBHOOK_RETRY_MAX", "0.2")
    monkeypatch.setenv("WEBHOOK_POLL", "0.02")
    config.get_settings.cache_clear()


def add_changes(count: int, *, offers: int | None = None) -> list[int]:
    """Feed changes as the indexer writes them: upserts of `offers` offers in turn."""
    offers = offers or count
    ids = []
    with db.session_scope() as session:
        for n in range(count):
            offer_id = n % offers + 1
            row = PublicChange(
                offer_id=offer_id,
                kind="upsert",
                event="offer.updated" if n >= offers else "offer.published",
                document={"id": offer_id, "title": f"Kurs {n}", "version": n},
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            ids.append(row.id)
    return ids


def register(client: TestClient, headers: dict[str, str], url: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/webhooks", json={"url": url, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def add_portals(client: TestClient, admin: dict[str, str], *slugs: str) -> None:
    for slug in slugs:
        r = client.post(
            "/api/v1/admin/portals",
            json={"slug": slug, "name": slug, "postcode_prefixes": ["44"]},
            headers=admin,
        )
        assert r.status_code == 201, r.text


def deliveries(endpoint_id: int) -> list[WebhookDelivery]:
    with db.session_scope() as session:
        return list(
            session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_id == endpoint_id)
                .order_by(WebhookDelivery.id)  # type: ignore[arg-type]
            )
        )


def queue_all(worker: WebhookWorker) -> None:
    """Queue every active endpoint's deliveries without sending them."""
    for endpoint_id in worker.active_endpoints():
        with Session(worker.engine) as session:
            fan_out(session=session, endpoint_id=endpoint_id)


def run_until(worker: WebhookWorker, done: Callable[[], bool], timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "the deliveries did not finish in time"
        worker.run_once()
        time.sleep(0.02)


def received_ids(receiver: Receiver, path: str) -> list[str]:
    return [r.headers["webhook-id"] for r in receiver.state.bodies(path)]


# --- registration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://partner.example/hook", "only http and https"),
        ("nix", "only http and https"),
        ("http:///hook", "no host"),
        ("https://user:pw@partner.example/hook", "credentials"),
        ("http://10.1.2.3/hook", "private"),
        ("http://127.0.0.1:9/hook", "private"),
        ("http://[::1]/hook", "private"),
        # IPv6 addresses a gateway delivers to 127.0.0.1: NAT64, 6to4, Teredo
        ("http://[64:ff9b::7f00:1]/hook", "private"),
        ("http://[2002:7f00:1::]/hook", "private"),
        ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook", "private"),
        ("http://169.254.169.254/latest", "private"),
        ("http://localhost/hook", "private"),
        ("http://partner.invalid/hook", "cannot be resolved"),
        ("http://host:99999/hook", "not a valid URL"),
    ],
)
def test_registration_refuses_bad_and_private_urls(
    client: TestClient, admin: dict[str, str], url: str, problem: str
) -> None:
    r = client.post("/api/v1/webhooks", json={"url": url}, headers=admin)
    assert r.status_code == 422, r.text
    detail = r.json()["error"]["details"][0]
    assert detail["loc"][-1] == "url"
    assert problem in detail["message"]


def test_registration_rules_and_operator_scopes(
    client: TestClient, admin: dict[str, str], provider: dict[str, Any], local_targets: None
) -> None:
    add_portals(client, admin, "bochum", "herne")

    def operator(slug: str) -> dict[str, str]:
        r = client.post(
            "/api/v1/api-keys", json={"role": "operator", "portals": [slug]}, headers=admin
        )
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['key']}"}

    bochum, herne = operator("bochum"), operator("herne")
    url = "http://127.0.0.1:9/hook"
    r = client.post(
        "/api/v1/webhooks", json={"url": url, "event_types": ["offer.deleted"]}, headers=admin
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-2:] == ["event_types", 0]
    assert client.post("/api/v1/webhooks", json={"url": url}).status_code == 401
    assert (
        client.post("/api/v1/webhooks", json={"url": url}, headers=provider["headers"]).status_code
        == 403
    )
    # An operator key does nothing but its webhooks.
    assert client.get("/api/v1/offers", headers=bochum).status_code == 403

    mine = register(client, bochum, url, event_types=["offer.removed"])
    assert mine["portal"] == "bochum"
    assert mine["secret"].startswith("whsec_")
    assert mine["event_types"] == ["offer.removed"]
    r = client.post("/api/v1/webhooks", json={"url": url, "portal": "herne"}, headers=bochum)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-1] == "portal"
    everything = register(client, admin, url)
    assert everything["portal"] is None

    one = f"/api/v1/webhooks/{mine['id']}"
    assert "secret" not in client.get(one, headers=bochum).json()
    answers = [
        client.get(one, headers=herne),
        client.patch(one, json={"active": False}, headers=herne),
        client.get(f"{one}/deliveries", headers=herne),
        client.post(f"{one}/replay", json={}, headers=herne),
        client.delete(one, headers=herne),
        client.get(f"/api/v1/webhooks/{everything['id']}", headers=bochum),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    assert client.get("/api/v1/webhooks", headers=herne).json() == []
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=bochum).json()] == [mine["id"]]
    assert len(client.get("/api/v1/webhooks", headers=admin).json()) == 2
    assert client.delete(one, headers=bochum).status_code == 204
    assert client.get(one, headers=admin).status_code == 404


# --- deliveries ----------------------------------------------------------------------------


def test_deliveries_are_signed_and_carry_the_feed_items(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    hook = register(client, admin, receiver.url("/ok"))
    add_changes(3)
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 3)
    verifier = Webhook(hook["secret"])
    feed = client.get("/api/v1/changes").json()["items"]
    got = receiver.state.bodies("/ok")
    for item, request in zip(feed, got, strict=True):
        body = verifier.verify(request.body, request.headers)
        assert body["data"] == item
        assert body["type"] == item["event"] == "offer.published"
        assert request.headers["webhook-id"] == f"change_{changes.decode_cursor(item['cursor'])}"
    first = got[0]
    with pytest.raises(WebhookVerificationError):
        verifier.verify(first.body.replace(b"Kurs 0", b"Kurs X"), first.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(first.body, first.headers)
    # A replayed message: validly signed, but 6 minutes ago.
    old = signed_headers(
        hook["secret"], first.headers["webhook-id"], first.body, utcnow() - timedelta(minutes=6)
    )
    with pytest.raises(WebhookVerificationError, match="too old"):
        verifier.verify(first.body, {k.decode(): v.decode() for k, v in old})
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).json()
    assert [(d["status"], d["attempts"], d["last_status"]) for d in log] == [
        ("delivered", 1, 204)
    ] * 3
    # Nothing is delivered twice when nothing new happened.
    worker.run_once()
    assert len(receiver.state.bodies("/ok")) == 3


def test_an_offer_change_reaches_the_receiver_through_the_indexer(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    receiver: Receiver,
    local_targets: None,
) -> None:
    hook = register(client, admin, receiver.url("/ok"))
    h = trusted_provider["headers"]
    offer = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()
    search_index.drain()
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 1)
    client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=h)
    search_index.drain()
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 2)
    verifier = Webhook(hook["secret"])
    published, removed = (verifier.verify(r.body, r.headers) for r in receiver.state.bodies("/ok"))
    assert published["type"] == "offer.published"
    assert published["data"]["offer"]["title"] == offer["title"]
    assert published["data"]["offer"]["status"] == "published"
    assert removed["type"] == "offer.removed"
    assert (removed["data"]["offer_id"], removed["data"]["reason"]) == (offer["id"], "withdrawn")


@pytest.mark.parametrize("path", ["/flaky", "/flaky-hang", "/flaky-trickle", "/flaky-close"])
def test_failing_receivers_are_retried_in_order_and_logged(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    local_targets: None,
    path: str,
) -> None:
    receiver.state.failures_left[path] = 2
    hook = register(client, admin, receiver.url(path))
    expected = [f"change_{i}" for i in add_changes(4, offers=2)]
    worker = WebhookWorker(db.get_engine())
    run_until(
        worker,
        lambda: (
            all(d.status == DeliveryStatus.delivered for d in deliveries(hook["id"]))
            and len(deliveries(hook["id"])) == 4
        ),
    )
    got = received_ids(receiver, path)
    assert got[:3] == [expected[0]] * 3  # two failures, then it went through
    assert list(dict.fromkeys(got)) == expected  # in feed order, none lost
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).json()
    first = log[-1]
    assert first["attempts"] == 3
    assert first["status"] == "delivered"
    problem = {
        "/flaky": "HTTP 500",
        "/flaky-hang": "no answer within 0.5 s",
        "/flaky-trickle": "no answer within 0.5 s",
        "/flaky-close": "the connection failed",
    }[path]
    assert problem in first["last_error"]
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin).json()["active"]


def test_redirects_are_not_followed_and_the_endpoint_is_disabled_after_the_window(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    local_targets: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBHOOK_RETRY_HOURS", "0.0002")  # 0.72 s
    config.get_settings.cache_clear()
    hook = register(client, admin, receiver.url("/redirect"))
    add_changes(2)
    worker = WebhookWorker(db.get_engine())
    one = f"/api/v1/webhooks/{hook['id']}"
    run_until(worker, lambda: not client.get(one, headers=admin).json()["active"])
    state = client.get(one, headers=admin).json()
    assert "redirects to http://127.0.0.1" in state["disabled_reason"]
    assert state["pending"] == 2
    assert receiver.state.bodies("/ok") == []  # never followed
    assert {r.path for r in receiver.state.received} == {"/redirect"}
    # Fixed and enabled again: everything waiting goes out, in order.
    r = client.patch(one, json={"url": receiver.url("/ok"), "active": True}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["disabled_reason"] is None
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 2)
    assert client.get(one, headers=admin).json()["pending"] == 0


def test_a_slow_receiver_does_not_hold_up_the_others(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    slow = register(client, admin, receiver.url("/hang"))
    register(client, admin, receiver.url("/ok"))
    add_changes(20)
    stop = threading.Event()
    worker = WebhookWorker(db.get_engine())
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(receiver.state.bodies("/ok")) < 20:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        # Meanwhile the hanging receiver was tried, not all of it delivered.
        assert receiver.state.bodies("/hang")
        assert any(d.status == DeliveryStatus.pending for d in deliveries(slow["id"]))
    finally:
        stop.set()
        thread.join()


def test_replay_from_a_cursor(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    hook = register(client, admin, receiver.url("/ok"))
    ids = add_changes(3)
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 3)
    replay = f"/api/v1/webhooks/{hook['id']}/replay"
    r = client.post(replay, json={"since": changes.encode_cursor(ids[0])}, headers=admin)
    assert r.status_code == 200, r.text
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 5)
    assert received_ids(receiver, "/ok")[3:] == [f"change_{ids[1]}", f"change_{ids[2]}"]
    r = client.post(replay, json={"since": "kaputt"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-1] == "since"


def test_a_worker_killed_mid_batch_delivers_everything_after_a_restart(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    hook = register(client, admin, receiver.url("/ok"))
    ids = add_changes(300, offers=30)
    receiver.state.delay_s = 0.003
    # The killed worker's lease ends after 3 x WEBHOOK_TIMEOUT + DB_STATEMENT_TIMEOUT + 1 s.
    env = {**os.environ, "WEBHOOK_POLL": "0.05", "DB_STATEMENT_TIMEOUT": "1"}
    command = [sys.executable, "-m", "workers.webhooks"]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)

    worker = start()
    try:
        deadline = time.monotonic() + 30
        while len(receiver.state.bodies("/ok")) < 60:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert len(receiver.state.bodies("/ok")) < 300
        worker = start()
        deadline = time.monotonic() + 60
        while (
            any(d.status != DeliveryStatus.delivered for d in deliveries(hook["id"]))
            or len(deliveries(hook["id"])) < 300
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
    got = received_ids(receiver, "/ok")
    first_seen = list(dict.fromkeys(got))
    assert first_seen == [f"change_{i}" for i in ids]  # every one, first arrivals in order
    # Sent again at most what the killed worker had not recorded.
    assert len(got) - len(first_seen) <= 200


def test_message_id_and_body_shape() -> None:
    payload = {"changed_at": "2026-12-04T20:00:00+00:00", "offer_id": 1}
    msg_id, body = message(payload, change_id=7, event="offer.removed")
    assert msg_id == "change_7"
    assert body.startswith(b'{"type":"offer.removed","timestamp":"2026-12-04T20:00:00+00:00"')


def test_command_line_lists_endpoints_and_prunes_the_feed(
    client: TestClient, admin: dict[str, str], local_targets: None
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["webhooks", "list"]).output.strip() == "no webhook endpoints"
    hook = register(client, admin, "http://127.0.0.1:9/hook")
    listed = runner.invoke(cli, ["webhooks", "list"]).output
    assert f"{hook['id']}\t(all)\tactive\tpending 0\thttp://127.0.0.1:9/hook" in listed
    add_changes(2, offers=1)
    with db.session_scope() as session:
        session.execute(update(PublicChange).values(created_at=utcnow() - timedelta(days=9)))
    result = runner.invoke(cli, ["feed", "prune", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "pruned 1 changes older than 7 days"
    # `webhooks once` hands over to the worker's program, which tries the due deliveries.
    assert runner.invoke(cli, ["webhooks", "once"]).exit_code == 0
    assert {d.attempts for d in deliveries(hook["id"])} == {1}


def test_a_portal_endpoint_gets_the_portal_feed(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    r = client.post(
        "/api/v1/admin/portals",
        json={"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    portal_hook = register(client, admin, receiver.url("/portal"), portal="bochum")
    register(client, admin, receiver.url("/all"))

    def facts(postcode: str) -> dict[str, Any]:
        return {
            "category": "it",
            "organisation_id": 1,
            "reviewed": True,
            "places": [[postcode, None, None]],
        }

    with db.session_scope() as session:
        for offer_id, postcode, before in (
            (1, "44787", None),
            (2, "50667", None),
            (1, "50667", "44787"),
        ):
            session.add(
                PublicChange(
                    offer_id=offer_id,
                    kind="upsert",
                    event="offer.updated" if before else "offer.published",
                    document={"id": offer_id, "postcode": postcode},
                    facts=facts(postcode),
                    previous_facts=facts(before) if before else None,
                )
            )
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/all")) == 3)
    run_until(worker, lambda: len(receiver.state.bodies("/portal")) == 2)
    verifier = Webhook(portal_hook["secret"])
    got = [verifier.verify(r.body, r.headers) for r in receiver.state.bodies("/portal")]
    assert [(m["type"], m["data"]["offer_id"], m["data"]["reason"]) for m in got] == [
        ("offer.published", 1, None),
        ("offer.removed", 1, "left_portal"),
    ]
    assert got[0]["data"]["offer"] == {"id": 1, "postcode": "44787"}


def test_operator_keys_are_bound_to_portals(client: TestClient, admin: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    r = client.post("/api/v1/api-keys", json={"role": "operator"}, headers=admin)
    assert r.status_code == 422
    assert "needs portals" in r.json()["error"]["message"]
    r = client.post(
        "/api/v1/api-keys", json={"role": "operator", "portals": ["nirgendwo"]}, headers=admin
    )
    assert r.status_code == 422
    client.post(
        "/api/v1/admin/portals",
        json={"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]},
        headers=admin,
    )
    runner = CliRunner()
    refused = runner.invoke(cli, ["create-key", "--role", "operator"])
    assert refused.exit_code == 2
    made = runner.invoke(cli, ["create-key", "--role", "operator", "--portal", "bochum"])
    assert made.exit_code == 0, made.output
    key = {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/webhooks", headers=key).json() == []
    listed = client.get("/api/v1/api-keys", headers=admin).json()
    assert [k["portals"] for k in listed if k["role"] == "operator"] == [["bochum"]]


def test_indexing_goes_on_while_a_receiver_hangs(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    receiver: Receiver,
    local_targets: None,
) -> None:
    """The indexer writes the feed and nothing else: a hanging receiver, with the worker busy
    on it, changes nothing for indexing, searching and the feed."""
    register(client, admin, receiver.url("/hang"))
    h = trusted_provider["headers"]
    stop = threading.Event()
    worker = WebhookWorker(db.get_engine())
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    try:
        first = client.post("/api/v1/offers", json=offer_payload(title="Erster"), headers=h)
        search_index.drain()
        deadline = time.monotonic() + 10
        while not receiver.state.bodies("/hang"):  # the worker now waits on the receiver
            assert time.monotonic() < deadline
            time.sleep(0.02)
        second = client.post("/api/v1/offers", json=offer_payload(title="Zweiter"), headers=h)
        assert search_index.drain() == 1
        hits = client.get("/api/v1/search", params={"q": "Zweiter"}).json()["hits"]
        assert [hit["id"] for hit in hits] == [second.json()["id"]]
        feed = client.get("/api/v1/changes").json()["items"]
        assert [i["offer_id"] for i in feed] == [first.json()["id"], second.json()["id"]]
    finally:
        stop.set()
        thread.join()


def test_a_receiver_that_fails_now_and_then_stays_enabled(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    """The retry window counts from the last delivery that went through: a round that
    delivers and then fails once does not carry an old failure's start forward."""
    from app.models.webhooks import WebhookEndpoint
    from workers.webhooks import Attempt

    hook = register(client, admin, receiver.url("/ok"))
    add_changes(2)
    worker = WebhookWorker(db.get_engine())
    queue_all(worker)
    first, second = deliveries(hook["id"])
    with db.session_scope() as session:
        session.execute(
            update(WebhookEndpoint)
            .where(col(WebhookEndpoint.id) == hook["id"])
            .values(failing_since=utcnow() - timedelta(days=2))
        )
    assert first.id is not None
    worker.sender._record(hook["id"], {204: [first.id]}, (second, Attempt(False, 500, "HTTP 500")))
    state = client.get(f"/api/v1/webhooks/{hook['id']}", headers=admin).json()
    assert state["active"], state["disabled_reason"]
    assert state["pending"] == 1


def test_an_endpoint_behind_the_pruned_history_is_disabled_not_skipped(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    from app.search.state import set_state

    hook = register(client, admin, receiver.url("/ok"))
    add_changes(2)
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 2)
    later = add_changes(2)
    with db.session_scope() as session:  # pruning passed changes the endpoint never had
        set_state(session, changes.PRUNED_THROUGH, str(later[-1]))
    worker.run_once()
    one = f"/api/v1/webhooks/{hook['id']}"
    state = client.get(one, headers=admin).json()
    assert not state["active"]
    assert "FEED_RETENTION_DAYS" in state["disabled_reason"]
    assert len(receiver.state.bodies("/ok")) == 2  # nothing sent past the gap
    # Replayed from the start and enabled again: the whole feed goes out.
    assert client.post(f"{one}/replay", json={}, headers=admin).status_code == 200
    assert client.patch(one, json={"active": True}, headers=admin).status_code == 200
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 6)


# --- registration waits for the resolver no longer than WEBHOOK_RESOLVE_TIMEOUT ------------


@pytest.fixture
def slow_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A host name the resolver does not answer for (until the test ends); registration
    waits 0.3 s for it."""
    monkeypatch.setenv("WEBHOOK_RESOLVE_TIMEOUT", "0.3")
    config.get_settings.cache_clear()
    slow_host = "slow.partner.example"
    answer = threading.Event()
    real = socket.getaddrinfo

    def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == slow_host:
            answer.wait(5)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    yield slow_host
    answer.set()


def test_a_slow_resolver_answers_503_within_the_deadline(
    client: TestClient, admin: dict[str, str], local_targets: None, slow_resolver: str
) -> None:
    hook = register(client, admin, "http://127.0.0.1:9/hook")
    slow_url = f"https://{slow_resolver}/hook"
    for method, path in (("POST", "/api/v1/webhooks"), ("PATCH", f"/api/v1/webhooks/{hook['id']}")):
        started = time.monotonic()
        r = client.request(method, path, json={"url": slow_url}, headers=admin)
        assert time.monotonic() - started < 2, method
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "5"
        error = r.json()["error"]
        assert error["code"] == "service_unavailable"
        assert error["details"][0]["loc"] == ["url"]
        assert "could not be resolved within 0.3 s" in error["details"][0]["message"]
    # Nothing registered or changed.
    listed = client.get("/api/v1/webhooks", headers=admin).json()
    assert [w["url"] for w in listed] == ["http://127.0.0.1:9/hook"]


def test_a_slow_resolver_holds_a_connection_no_longer_than_its_timeout(
    slow_resolver: str,
) -> None:
    """The worker's and the pulls' connections resolve under the connect timeout, each lookup
    on its own thread: names whose resolver hangs delay no lookup of another name."""
    backend = GuardedBackend(parse_networks("127.0.0.0/8"), setting="WEBHOOK_ALLOWED_NETWORKS")
    hung = [
        threading.Thread(target=resolve_host_quietly, args=(slow_resolver,), daemon=True)
        for _ in range(6)
    ]
    for thread in hung:
        thread.start()
    started = time.monotonic()
    with pytest.raises(ResolveTimeout):
        backend.connect_tcp(slow_resolver, 443, timeout=0.2)
    assert time.monotonic() - started < 1
    assert resolve_host("localhost", timeout_s=0.5)  # not queued behind the hung ones


@pytest.fixture
def broken_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that fails in a way nothing expects (not an OSError)."""

    def broken(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("resolver library fault")

    monkeypatch.setattr(socket, "getaddrinfo", broken)


def test_an_unexpected_error_in_the_lookup_is_raised_as_itself(broken_resolver: None) -> None:
    """Not reported as a timeout: the caller sees what went wrong in the lookup thread."""
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="resolver library fault"):
        resolve_host("partner.example", timeout_s=3)
    assert time.monotonic() - started < 1


def test_an_unexpected_error_under_a_request_fails_the_attempt_with_backoff(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    local_targets: None,
    request: pytest.FixtureRequest,
) -> None:
    """A fault below the request (here in the resolver) is a failed attempt, logged, with
    the backoff every failure gets: not an error the worker meets again every round."""
    hook = register(client, admin, receiver.url("/ok").replace("127.0.0.1", "localhost"))
    add_changes(1)
    request.getfixturevalue("broken_resolver")  # after registering, which resolves too
    WebhookWorker(db.get_engine()).run_once()
    [delivery] = deliveries(hook["id"])
    assert delivery.status == DeliveryStatus.pending
    assert delivery.attempts == 1
    assert delivery.last_error == "the request failed (RuntimeError)"
    assert delivery.next_attempt_at > utcnow()
    assert receiver.state.bodies("/ok") == []


def resolve_host_quietly(host: str) -> None:
    with contextlib.suppress(OutboundError):  # timed out, or refused once the test ends
        resolve_host(host, timeout_s=3)


# --- the endpoint list --------------------------------------------------------------------


def test_listing_endpoints_takes_the_same_queries_for_2_and_20(
    client: TestClient, admin: dict[str, str], local_targets: None
) -> None:
    add_portals(client, admin, "bochum", "herne")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def listed() -> tuple[int, list[dict[str, Any]]]:
        client.get("/api/v1/webhooks", headers=admin)  # the same key checks both times
        statements.clear()
        r = client.get("/api/v1/webhooks", headers=admin)
        assert r.status_code == 200, r.text
        return len(statements), r.json()

    def add_endpoints(n: int) -> None:
        for i in range(n):
            portal = {"portal": ("bochum", "herne")[i % 2]} if i % 3 else {}
            register(client, admin, f"http://127.0.0.1:9/hook{i}", **portal)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        add_endpoints(2)
        add_changes(3)
        queue_all(WebhookWorker(engine))
        few, two = listed()
        add_endpoints(18)
        many, twenty = listed()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(two) == 2
    assert len(twenty) == 20
    assert few == many, (few, many)
    # The changes have no portal facts: none reaches the portal's endpoint.
    assert [(w["portal"], w["pending"]) for w in twenty[:3]] == [
        (None, 3),
        ("herne", 0),
        (None, 0),
    ]
    assert {w["portal"] for w in twenty} == {None, "bochum", "herne"}


def test_a_round_reads_the_feed_marks_once_for_all_endpoints(
    client: TestClient, admin: dict[str, str], local_targets: None
) -> None:
    """The newest change and the pruned mark are read once per round, not per endpoint; an
    idle endpoint then costs one read of its own row and its oldest pending delivery."""
    for i in range(6):
        register(client, admin, f"http://127.0.0.1:9/hook{i}")
    worker = WebhookWorker(db.get_engine())
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(db.get_engine(), "before_cursor_execute", count)
    try:
        assert worker.run_once() == 0
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", count)
    newest = [s for s in statements if "max(public_change.id)" in s.lower()]
    assert len(newest) == 1, statements
    assert len(statements) <= 4 + 2 * 6, statements


# --- pruning delivered rows -----------------------------------------------------------------


def age_deliveries(ids: list[int | None], days: float) -> None:
    when = utcnow() - timedelta(days=days)
    with db.session_scope() as session:
        session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids))
            .values(created_at=when, next_attempt_at=when)
        )
        session.execute(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id).in_(ids),
                col(WebhookDelivery.status) == DeliveryStatus.delivered,
            )
            .values(delivered_at=when)
        )


@pytest.fixture
def small_prune_batches(local_targets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delivered rows kept 30 days, pruned two per transaction."""
    import workers.webhooks

    monkeypatch.setenv("WEBHOOK_KEEP_DELIVERED_DAYS", "30")
    config.get_settings.cache_clear()
    monkeypatch.setattr(workers.webhooks, "PRUNE_BATCH", 2)


def test_the_worker_prunes_old_delivered_rows_in_batches(
    client: TestClient, admin: dict[str, str], receiver: Receiver, small_prune_batches: None
) -> None:
    """Delivered rows older than WEBHOOK_KEEP_DELIVERED_DAYS go, a batch per transaction;
    rows waiting for a retry stay whatever their age, and so does each endpoint's newest
    delivered row, which its log shows."""
    busy = register(client, admin, receiver.url("/ok"))
    quiet = register(client, admin, receiver.url("/ok"), event_types=["offer.published"])
    failing = register(client, admin, receiver.url("/fail"))
    add_changes(6, offers=2)  # 2 published, 4 updated
    worker = WebhookWorker(db.get_engine())

    def settled() -> bool:
        done = [d.status for hook in (busy, quiet) for d in deliveries(hook["id"])]
        waiting = deliveries(failing["id"])
        return done == [DeliveryStatus.delivered] * 8 and bool(waiting) and waiting[0].attempts > 0

    run_until(worker, settled)
    busy_rows = [d.id for d in deliveries(busy["id"])]
    quiet_rows = [d.id for d in deliveries(quiet["id"])]
    assert (len(busy_rows), len(quiet_rows), len(deliveries(failing["id"]))) == (6, 2, 6)
    age_deliveries(busy_rows[:4], days=31)
    age_deliveries(busy_rows[4:], days=29)
    age_deliveries(quiet_rows, days=40)
    age_deliveries([d.id for d in deliveries(failing["id"])], days=40)

    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(deliveries(busy["id"])) > 2 or len(deliveries(quiet["id"])) > 1:
            assert time.monotonic() < deadline, "old delivered rows were not pruned"
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()
    assert [d.id for d in deliveries(busy["id"])] == busy_rows[4:]
    assert [d.id for d in deliveries(quiet["id"])] == quiet_rows[-1:]
    assert len(deliveries(failing["id"])) == 6  # still to be retried: kept
    log = client.get(f"/api/v1/webhooks/{quiet['id']}/deliveries", headers=admin).json()
    assert [(d["status"], d["attempts"]) for d in log] == [("delivered", 1)]
    # Five rows, two a round: the last round found fewer than a batch and waits its turn.
    assert worker.prune_delivered() == 0


# --- one worker per endpoint at a time ------------------------------------------------------


def test_two_workers_deliver_each_message_once_in_order(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    hook = register(client, admin, receiver.url("/ok"))
    expected = [f"change_{i}" for i in add_changes(60, offers=6)]
    receiver.state.delay_s = 0.003
    stop = threading.Event()
    workers = [WebhookWorker(db.get_engine()) for _ in range(2)]
    threads = [threading.Thread(target=w.run_forever, args=(stop,)) for w in workers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(set(received_ids(receiver, "/ok"))) < 60 or any(
            d.status != DeliveryStatus.delivered for d in deliveries(hook["id"])
        ):
            assert time.monotonic() < deadline, "the deliveries did not finish in time"
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert received_ids(receiver, "/ok") == expected
    assert len(deliveries(hook["id"])) == 60


def test_a_worker_whose_clock_runs_ahead_does_not_take_a_lease_before_it_expires(
    client: TestClient,
    admin: dict[str, str],
    receiver: Receiver,
    local_targets: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.models.webhooks import WebhookEndpoint
    from workers import webhooks as worker_module

    hook = register(client, admin, receiver.url("/ok"))
    holder = EndpointLease(db.get_engine(), hook["id"], "1:holder@a", seconds=60, renew_below_s=1)
    assert holder.claim()
    # The other host's clock is an hour ahead: by its clock the lease ran out long ago.
    monkeypatch.setattr(worker_module, "utcnow", lambda: utcnow() + timedelta(hours=1))
    other = EndpointLease(db.get_engine(), hook["id"], "2:other@b", seconds=60, renew_below_s=1)
    assert not other.claim()
    with db.session_scope() as session:
        endpoint = session.get(WebhookEndpoint, hook["id"])
        assert endpoint is not None
        assert endpoint.lease_holder == "1:holder@a"
        assert endpoint.lease_until is not None
        left = endpoint.lease_until - db.database_now(session.connection())
        assert timedelta(seconds=55) < left <= timedelta(seconds=60)
    holder.release()
    assert other.claim()


def test_a_lease_left_by_a_dead_worker_holds_until_it_expires(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    from app.models.webhooks import WebhookEndpoint

    hook = register(client, admin, receiver.url("/ok"))
    add_changes(2)

    def lease(until: timedelta) -> None:
        with db.session_scope() as session:
            session.execute(
                update(WebhookEndpoint)
                .where(col(WebhookEndpoint.id) == hook["id"])
                .values(lease_holder="1234:gone@elsewhere", lease_until=utcnow() + until)
            )

    lease(timedelta(minutes=1))
    worker = WebhookWorker(db.get_engine())
    assert worker.run_once() == 0
    assert deliveries(hook["id"]) == []  # not even queued: that is the holder's work
    lease(timedelta(seconds=-1))
    run_until(worker, lambda: len(receiver.state.bodies("/ok")) == 2)
    with db.session_scope() as session:
        endpoint = session.get(WebhookEndpoint, hook["id"])
        assert endpoint is not None
        assert (endpoint.lease_holder, endpoint.lease_until) == (None, None)  # released


def test_a_change_of_a_portals_rules_reaches_its_endpoints(
    client: TestClient, admin: dict[str, str], receiver: Receiver, local_targets: None
) -> None:
    """The portal's endpoint gets the offers that left and joined; one for the whole
    catalogue gets nothing of it, and does not come back for it in every round."""
    r = client.post(
        "/api/v1/admin/portals",
        json={"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text

    def facts(postcode: str) -> dict[str, Any]:
        return {"category": "it", "organisation_id": 1, "reviewed": True,
                "places": [[postcode, None, None]]}  # fmt: skip

    with db.session_scope() as session:
        for offer_id, postcode in ((1, "44787"), (2, "44623")):
            session.add(
                PublicChange(
                    offer_id=offer_id,
                    kind="upsert",
                    event="offer.published",
                    document={"id": offer_id, "postcode": postcode},
                    facts=facts(postcode),
                )
            )
    portal_hook = register(client, admin, receiver.url("/portal"), portal="bochum")
    whole_hook = register(client, admin, receiver.url("/all"))
    r = client.patch(
        "/api/v1/admin/portals/bochum", json={"postcode_prefixes": ["446"]}, headers=admin
    )
    assert r.status_code == 200, r.text
    worker = WebhookWorker(db.get_engine())
    run_until(worker, lambda: len(receiver.state.bodies("/portal")) == 2)
    verifier = Webhook(portal_hook["secret"])
    got = [verifier.verify(r.body, r.headers) for r in receiver.state.bodies("/portal")]
    assert [(m["type"], m["data"]["offer_id"], m["data"]["reason"]) for m in got] == [
        ("offer.removed", 1, "left_portal"),
        ("offer.published", 2, None),
    ]
    assert got[1]["data"]["offer"] == {"id": 2, "postcode": "44623"}
    worker.run_once()
    assert receiver.state.bodies("/all") == []
    assert not worker.has_work(whole_hook["id"])

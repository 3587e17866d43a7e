"""The moderation queue: submitted offers and pending revisions, oldest first, revisions with
their changes field by field; bulk publish and reject decide each id on its own."""

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli

URL = "/api/v1/moderation"


def _status(client: TestClient, headers: dict[str, str], offer_id: int) -> str:
    return str(client.get(f"/api/v1/offers/{offer_id}", headers=headers).json()["status"])


def _revised(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], offer: Any
) -> None:
    """Publish the offer, then change its title: the change waits as a revision."""
    assert client.post(f"/api/v1/offers/{offer['id']}/publish", headers=admin).status_code == 200
    r = client.patch(
        f"/api/v1/offers/{offer['id']}",
        json={"title": "Finanzbuchhaltung kompakt", "price": "990.00"},
        headers=provider["headers"],
    )
    assert r.json()["pending_revision"] is not None


def test_queue_lists_what_waits_oldest_first(
    client: TestClient,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
    admin: dict[str, str],
    make_offer: Any,
) -> None:
    first = make_offer(provider["headers"], title="Erstes Angebot")
    revised = make_offer(provider["headers"], title="Finanzbuchhaltung mit DATEV")
    make_offer(trusted_provider["headers"], title="Schon veröffentlicht")
    _revised(client, provider, admin, revised)
    last = make_offer(provider["headers"], title="Letztes Angebot")
    r = client.get(URL, headers=admin)
    assert r.status_code == 200, r.text
    queue = r.json()
    assert queue["total"] == 3
    assert [(i["offer_id"], i["kind"]) for i in queue["items"]] == [
        (first["id"], "new"),
        (revised["id"], "revision"),
        (last["id"], "new"),
    ]
    changes = {c["field"]: (c["before"], c["after"]) for c in queue["items"][1]["changes"]}
    assert changes == {
        "title": ("Finanzbuchhaltung mit DATEV", "Finanzbuchhaltung kompakt"),
        "price": ("1290.00", "990.00"),
    }
    assert queue["items"][0]["organisation_name"] == "Bildungswerk Ruhr"
    only = client.get(URL, params={"organisation_id": 999}, headers=admin).json()
    assert only["total"] == 0
    assert client.get(URL, headers=provider["headers"]).status_code == 403
    assert client.get(URL).status_code == 401


def test_a_revision_waits_since_it_was_submitted(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    revised = make_offer(provider["headers"], title="Finanzbuchhaltung mit DATEV")
    assert client.post(f"/api/v1/offers/{revised['id']}/publish", headers=admin).status_code == 200
    submitted = make_offer(provider["headers"], title="Neues Angebot")
    # Revised after the other was submitted: it has waited less, though the public version
    # (and its updated_at) is older.
    r = client.patch(
        f"/api/v1/offers/{revised['id']}",
        json={"title": "Finanzbuchhaltung kompakt"},
        headers=provider["headers"],
    )
    assert r.json()["pending_revision"] is not None
    items = client.get(URL, headers=admin).json()["items"]
    assert [(i["offer_id"], i["kind"]) for i in items] == [
        (submitted["id"], "new"),
        (revised["id"], "revision"),
    ]
    assert items[1]["waiting_since"] > items[0]["waiting_since"]


def test_bulk_publish_decides_each_id_on_its_own(
    client: TestClient,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
    admin: dict[str, str],
    make_offer: Any,
) -> None:
    new = make_offer(provider["headers"])
    revised = make_offer(provider["headers"])
    _revised(client, provider, admin, revised)
    published = make_offer(trusted_provider["headers"])
    ids = [new["id"], 999_999, revised["id"], published["id"]]
    r = client.post(f"{URL}/publish", json={"offer_ids": ids}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["done"], body["failed"]) == (2, 2)
    outcomes = {x["offer_id"]: x for x in body["results"]}
    assert outcomes[new["id"]]["outcome"] == "published"
    assert outcomes[revised["id"]]["outcome"] == "revision_published"
    assert outcomes[999_999]["error"]["code"] == "not_found"
    assert outcomes[999_999]["error"]["details"][0]["loc"] == ["offer_ids", 1]
    assert outcomes[published["id"]]["error"]["code"] == "conflict"
    assert outcomes[published["id"]]["error"]["details"][0]["loc"] == ["offer_ids", 3]
    assert _status(client, admin, new["id"]) == "published"
    offer = client.get(f"/api/v1/offers/{revised['id']}", headers=admin).json()
    assert (offer["title"], offer["pending_revision"]) == ("Finanzbuchhaltung kompakt", None)
    assert client.get(URL, headers=admin).json()["total"] == 0


def test_nothing_decidable_is_422_and_changes_nothing(
    client: TestClient,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
    admin: dict[str, str],
    make_offer: Any,
) -> None:
    published = make_offer(trusted_provider["headers"])
    waiting = make_offer(provider["headers"])
    r = client.post(f"{URL}/publish", json={"offer_ids": [999_999, published["id"]]}, headers=admin)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["message"] == "none of the offers could be published"
    assert [d["loc"] for d in error["details"]] == [["offer_ids", 0], ["offer_ids", 1]]
    history = client.get(f"/api/v1/offers/{published['id']}/history", headers=admin).json()
    assert [e["action"] for e in history] == ["create"]
    for body, loc in (
        ({"offer_ids": []}, ["offer_ids"]),
        ({"offer_ids": [waiting["id"], waiting["id"]]}, ["offer_ids"]),
        ({"offer_ids": ["x"]}, ["offer_ids", 0]),
        ({"offer_ids": [waiting["id"]], "reason": "x"}, ["reason"]),
    ):
        path = "reject" if "reason" in body else "publish"
        r = client.post(f"{URL}/{path}", json=body, headers=admin)
        assert r.status_code == 422, body
        assert loc in [d["loc"] for d in r.json()["error"]["details"]], r.text
    assert _status(client, admin, waiting["id"]) == "submitted"
    r = client.post(
        f"{URL}/publish", json={"offer_ids": [waiting["id"]]}, headers=provider["headers"]
    )
    assert r.status_code == 403
    assert _status(client, admin, waiting["id"]) == "submitted"


def test_bulk_reject_keeps_published_versions(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    new = make_offer(provider["headers"])
    revised = make_offer(provider["headers"])
    _revised(client, provider, admin, revised)
    r = client.post(
        f"{URL}/reject",
        json={"offer_ids": [new["id"], revised["id"]], "reason": "Bitte Termine ergänzen"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert [x["outcome"] for x in r.json()["results"]] == ["rejected", "revision_rejected"]
    rejected = client.get(f"/api/v1/offers/{new['id']}", headers=provider["headers"]).json()
    assert (rejected["status"], rejected["rejection_reason"]) == (
        "rejected",
        "Bitte Termine ergänzen",
    )
    kept = client.get(f"/api/v1/offers/{revised['id']}").json()
    assert (kept["status"], kept["title"]) == ("published", "Finanzbuchhaltung mit DATEV")


def test_cli_list_publish_reject(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    runner = CliRunner()
    new = make_offer(provider["headers"], title="Excel kompakt")
    other = make_offer(provider["headers"], title="Word kompakt")
    revised = make_offer(provider["headers"])
    _revised(client, provider, admin, revised)
    listed = runner.invoke(cli, ["moderation", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"{new['id']}\tnew\t")
    assert lines[0].endswith("Bildungswerk Ruhr\tExcel kompakt")
    assert "    title: Finanzbuchhaltung mit DATEV -> Finanzbuchhaltung kompakt" in lines
    published = runner.invoke(cli, ["moderation", "publish", str(new["id"]), "999999"])
    assert published.exit_code == 1
    assert f"{new['id']}\tpublished" in published.output
    assert "999999\tFAILED: offer 999999 does not exist" in published.output
    rejected = runner.invoke(
        cli, ["moderation", "reject", str(other["id"]), str(revised["id"]), "--reason", "Dubletten"]
    )
    assert rejected.exit_code == 0, rejected.output
    assert "2 done, 0 failed" in rejected.output
    assert runner.invoke(cli, ["moderation", "list"]).output.strip() == "nothing waits for review"
    nothing = runner.invoke(cli, ["moderation", "publish", "999999"])
    assert nothing.exit_code == 1
    assert "nothing changed" in nothing.output

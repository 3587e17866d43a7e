"""Portal administration: API, CLI and migration."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from typer.testing import CliRunner

from app import db
from app.migrations import downgrade, upgrade
from tests.portals.conftest import create_portal

BASE: dict[str, Any] = {
    "slug": "bochum",
    "name": "Weiterbildung Bochum",
    "postcode_prefixes": ["447", "448"],
}


def test_admin_creates_reads_updates_deletes(client: TestClient, admin: dict[str, str]) -> None:
    created = create_portal(
        client,
        admin,
        **BASE,
        contacts=[
            {
                "name": "Beratung VHS",
                "email": "beratung@vhs.example",
                "url": "https://vhs.example/",
                "opening_hours": "Mo 9–12",
            }
        ],
    )
    assert created["moderation"] == "trusted_publish"
    assert created["languages"] == ["de", "en"]
    assert created["contacts"][0]["email"] == "beratung@vhs.example"

    r = client.patch(
        "/api/v1/admin/portals/bochum",
        json={"center_postcode": "44787", "radius_km": 20, "moderation": "review_all"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["radius_km"] == 20
    assert body["center_lat"] == pytest.approx(51.48, abs=0.05)
    assert body["moderation"] == "review_all"

    listed = client.get("/api/v1/admin/portals", headers=admin).json()
    assert [p["slug"] for p in listed] == ["bochum"]
    assert client.get("/api/v1/admin/portals/bochum", headers=admin).status_code == 200
    assert client.delete("/api/v1/admin/portals/bochum", headers=admin).status_code == 204
    assert client.get("/api/v1/admin/portals/bochum", headers=admin).status_code == 404


def test_contacts_crud(client: TestClient, admin: dict[str, str]) -> None:
    create_portal(client, admin, **BASE)
    r = client.post(
        "/api/v1/admin/portals/bochum/contacts",
        json={"name": "Beratung", "phone": "0234 1"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    contact_id = r.json()["id"]
    r = client.patch(
        f"/api/v1/admin/portals/bochum/contacts/{contact_id}",
        json={"opening_hours": "Di 14–18 Uhr"},
        headers=admin,
    )
    assert r.json()["opening_hours"] == "Di 14–18 Uhr"
    assert client.get("/api/v1/portals/bochum").json()["contacts"][0]["phone"] == "0234 1"
    assert (
        client.patch(
            f"/api/v1/admin/portals/bochum/contacts/{contact_id}",
            json={"name": None},
            headers=admin,
        ).status_code
        == 422
    )
    assert (
        client.delete(
            f"/api/v1/admin/portals/bochum/contacts/{contact_id}", headers=admin
        ).status_code
        == 204
    )
    assert client.get("/api/v1/admin/portals/bochum/contacts", headers=admin).json() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"slug": "x", "name": "Nur Name"}, "region"),
        ({"slug": "x", "name": "R", "radius_km": 10}, "centre"),
        ({"slug": "x", "name": "R", "center_postcode": "44787"}, "radius"),
        ({"slug": "Groß", "name": "R", "postcodes": ["44787"]}, "slug"),
        ({"slug": "x", "name": "R", "postcodes": ["4478"]}, "postcodes"),
        ({"slug": "x", "name": "R", "postcodes": ["44787"], "cors_origins": ["*"]}, "cors_origins"),
        ({"slug": "x", "name": "R", "postcodes": ["44787"], "moderation": "none"}, "moderation"),
        ({"slug": "x", "name": "R", "postcodes": ["44787"], "colour": "red"}, "unknown field"),
        (
            {"slug": "x", "name": "R", "center_postcode": "00000", "radius_km": 5},
            "unknown postcode",
        ),
    ],
)
def test_invalid_portals_are_refused(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], message: str
) -> None:
    r = client.post("/api/v1/admin/portals", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert message in r.text


def test_patch_cannot_remove_the_region(client: TestClient, admin: dict[str, str]) -> None:
    create_portal(client, admin, **BASE)
    r = client.patch("/api/v1/admin/portals/bochum", json={"postcode_prefixes": []}, headers=admin)
    assert r.status_code == 422
    assert "region" in r.json()["error"]["message"]


def test_duplicate_slug_conflicts(client: TestClient, admin: dict[str, str]) -> None:
    create_portal(client, admin, **BASE)
    r = client.post("/api/v1/admin/portals", json=BASE, headers=admin)
    assert r.status_code == 409


def test_only_admins_administer(
    client: TestClient, admin: dict[str, str], provider: dict[str, Any]
) -> None:
    assert client.post("/api/v1/admin/portals", json=BASE).status_code == 401
    assert (
        client.post("/api/v1/admin/portals", json=BASE, headers=provider["headers"]).status_code
        == 403
    )
    create_portal(client, admin, **BASE)
    assert client.get("/api/v1/admin/portals", headers=provider["headers"]).status_code == 403
    assert (
        client.delete("/api/v1/admin/portals/bochum", headers=provider["headers"]).status_code
        == 403
    )


def test_cli_creates_lists_and_adds_contacts(client: TestClient) -> None:
    from app.cli import cli

    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "portal",
            "create",
            "--slug",
            "ruhr",
            "--name",
            "Ruhr",
            "--postcode-prefix",
            "447",
            "--postcode-prefix",
            "448",
            "--center-postcode",
            "44787",
            "--radius-km",
            "30",
            "--moderation",
            "review_all",
            "--cors-origin",
            "https://www.bochum.de",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "/p/ruhr/"
    r = runner.invoke(
        cli,
        [
            "portal",
            "add-contact",
            "--slug",
            "ruhr",
            "--name",
            "Weiterbildungsberatung Bochum",
            "--phone",
            "0234 910",
            "--email",
            "beratung@bochum.example",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["portal", "list"])
    assert "ruhr\tRuhr\t447*, 448*, 30 km um 44787\treview_all" in r.output
    info = client.get("/api/v1/portals/ruhr").json()
    assert info["contacts"][0]["phone"] == "0234 910"
    assert info["moderation"] == "review_all"
    # Errors are one readable line and exit code 2.
    r = runner.invoke(
        cli, ["portal", "create", "--slug", "ruhr", "--name", "Ruhr", "--postcode", "44787"]
    )
    assert r.exit_code == 2
    assert "exists already" in r.output
    r = runner.invoke(cli, ["portal", "add-contact", "--slug", "nope", "--name", "X"])
    assert r.exit_code == 2


def test_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = db.build_engine(url)
    assert {"portal", "counselling_contact"} <= set(inspect(engine).get_table_names())
    downgrade(url, "0001")
    assert "portal" not in inspect(engine).get_table_names()
    upgrade(url)
    assert "counselling_contact" in inspect(engine).get_table_names()
    engine.dispose()

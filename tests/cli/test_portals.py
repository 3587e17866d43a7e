"""`bildungsraum portal ...` has what the admin API has: create, list, update, delete, and the
counselling contacts (list, add, remove)."""

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(cli, ["portal", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_portal_life_cycle(client: TestClient, admin: dict[str, str]) -> None:
    _ok("create", "--slug", "bochum", "--name", "Bochum", "--postcode-prefix", "447")
    _ok(
        "update",
        "--slug",
        "bochum",
        "--name",
        "Weiterbildung in Bochum",
        "--center-postcode",
        "44787",
        "--radius-km",
        "20",
        "--cors-origin",
        "https://www.bochum.de",
        "--clear",
        "postcode-prefix",
    )
    portal = client.get("/api/v1/admin/portals/bochum", headers=admin).json()
    assert (portal["name"], portal["postcode_prefixes"], portal["radius_km"]) == (
        "Weiterbildung in Bochum",
        [],
        20,
    )
    assert portal["center_lat"] is not None
    assert portal["cors_origins"] == ["https://www.bochum.de"]

    contact_id = _ok(
        "add-contact", "--slug", "bochum", "--name", "Beratung VHS", "--phone", "0234 1"
    ).splitlines()[-1]
    assert _ok("contacts", "--slug", "bochum") == f"{contact_id}\tBeratung VHS\t0234 1\t\n"
    _ok("remove-contact", "--slug", "bochum", "--id", contact_id)
    assert "no counselling contacts yet" in _ok("contacts", "--slug", "bochum")

    _ok("add-contact", "--slug", "bochum", "--name", "Beratung Stadt")
    assert "and its 1 counselling contact(s)" in _ok("delete", "--slug", "bochum")
    assert client.get("/api/v1/admin/portals/bochum", headers=admin).status_code == 404


def test_portal_commands_say_what_is_wrong(client: TestClient) -> None:
    _ok("create", "--slug", "ruhr", "--name", "Ruhr", "--postcode", "44787")
    cases: list[tuple[list[str], str]] = [
        (["update", "--slug", "ruhr"], "nothing to change"),
        (["update", "--slug", "ruhr", "--clear", "postcode"], "give the region"),
        (["update", "--slug", "ruhr", "--clear", "colour"], "--clear colour: use one of"),
        (["update", "--slug", "nowhere", "--name", "X"], "portal 'nowhere' does not exist"),
        (["update", "--slug", "ruhr", "--cors-origin", "ftp://x"], "cors_origins.0"),
        (["delete", "--slug", "nowhere"], "portal 'nowhere' does not exist"),
        (["contacts", "--slug", "nowhere"], "does not exist"),
        (["remove-contact", "--slug", "ruhr", "--id", "99"], "has no contact 99"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["portal", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert "ruhr\tRuhr\t44787" in _ok("list")


def test_update_keeps_what_is_not_given(client: TestClient, admin: dict[str, str]) -> None:
    _ok("create", "--slug", "ruhr", "--name", "Ruhr", "--postcode", "44787", "--language", "de")
    _ok("update", "--slug", "ruhr", "--moderation", "review_all")
    portal: dict[str, Any] = client.get("/api/v1/admin/portals/ruhr", headers=admin).json()
    assert (portal["moderation"], portal["postcodes"], portal["languages"]) == (
        "review_all",
        ["44787"],
        ["de"],
    )


def test_legal_links_and_accessibility_contact(client: TestClient, admin: dict[str, str]) -> None:
    _ok("create", "--slug", "ruhr", "--name", "Ruhr", "--postcode", "44787")
    _ok(
        "update",
        "--slug",
        "ruhr",
        "--imprint-url",
        "https://ruhr.example/impressum",
        "--privacy-url",
        "https://ruhr.example/datenschutz",
        "--sign-language-url",
        "https://ruhr.example/dgs",
        "--accessibility-email",
        "barrierefrei@ruhr.example",
    )
    portal = client.get("/api/v1/admin/portals/ruhr", headers=admin).json()
    assert portal["imprint_url"] == "https://ruhr.example/impressum"
    assert portal["accessibility_email"] == "barrierefrei@ruhr.example"
    bad = runner.invoke(
        cli, ["portal", "update", "--slug", "ruhr", "--imprint-url", "javascript:x"]
    )
    assert bad.exit_code == 2
    assert "imprint_url" in bad.output
    _ok("update", "--slug", "ruhr", "--clear", "sign-language-url", "--clear", "privacy-url")
    portal = client.get("/api/v1/admin/portals/ruhr", headers=admin).json()
    assert (portal["sign_language_url"], portal["privacy_url"]) == (None, None)

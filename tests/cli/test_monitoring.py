"""`bildungsraum monitoring ...` and analyst keys from the command line."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import config
from app.cli import cli
from app.config import MASTER_KEY_FILE
from testkit.meili_server import MeiliServer
from tests.monitoring_support import POSTCODE_TABLE, KnownCatalogue

runner = CliRunner()


def test_the_first_report_from_the_command_line(
    known: KnownCatalogue, client: TestClient, tmp_path: Path
) -> None:
    table = tmp_path / "plz.csv"
    table.write_text(POSTCODE_TABLE, encoding="utf-8")
    done = runner.invoke(cli, ["monitoring", "import-postcodes", str(table)])
    assert done.exit_code == 0, done.output
    assert "imported 20 postcodes" in done.output
    needs = tmp_path / "needs.csv"
    needs.write_text("need;search terms\nBuchhaltung;Finanzbuchhaltung\n", encoding="cp1252")
    done = runner.invoke(cli, ["monitoring", "import-needs", "--portal", "bochum-test", str(needs)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        cli,
        [
            "monitoring",
            "set-population",
            "--portal",
            "far",
            "--population",
            "556780",
            "--reference-date",
            "2023-12-31",
            "--source",
            "Statistisches Landesamt",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "556780" in done.output
    key = runner.invoke(cli, ["create-key", "--role", "analyst", "--portal", "bochum-test"])
    assert key.exit_code == 0, key.output
    analyst = {"Authorization": f"Bearer {key.output.strip().splitlines()[-1]}"}
    done = runner.invoke(cli, ["monitoring", "snapshot"])
    assert done.exit_code == 0, done.output
    assert "405 regions" in done.output  # 2 portals, 401 districts, "unknown" and "none"
    r = client.get("/api/v1/monitoring/portals/bochum-test/needs", headers=analyst)
    assert r.status_code == 200
    assert [row["need"] for row in r.json()["rows"]] == ["Buchhaltung"]
    assert (
        client.get("/api/v1/monitoring/portals/far/indicators", headers=analyst).status_code == 404
    )


def test_bad_files_and_options_are_refused_plainly(known: KnownCatalogue, tmp_path: Path) -> None:
    bad = tmp_path / "plz.csv"
    bad.write_text("postcode;ags\n44787;05911\n44789;12345\n", encoding="utf-8")
    done = runner.invoke(cli, ["monitoring", "import-postcodes", str(bad)])
    assert done.exit_code == 2
    assert "line 3, column ags" in done.output
    done = runner.invoke(cli, ["create-key", "--role", "analyst"])
    assert done.exit_code == 2
    assert "--portal" in done.output or "portal" in done.output
    done = runner.invoke(cli, ["create-key", "--role", "analyst", "--portal", "nope"])
    assert done.exit_code == 2
    assert "nope" in done.output
    done = runner.invoke(
        cli, ["monitoring", "set-population", "--portal", "nope", "--population", "5"]
    )
    assert done.exit_code == 2


def test_the_snapshot_command_finds_the_meilisearch_of_make_run(
    known: KnownCatalogue,
    client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    meili_server: MeiliServer,
) -> None:
    """Run by hand next to `make run`, which hands its search key only to its own processes:
    the command searches with the master key kept in DATA_DIR, as reindex does. With a key
    that does not work, the day's earlier needs coverage stays and the output says so."""
    r = client.put(
        "/api/v1/monitoring/portals/bochum-test/needs-list",
        content=b"need;search terms\nBuchhaltung;Finanzbuchhaltung\n",
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    for name in ("MEILI_MASTER_KEY", "MEILI_SEARCH_KEY", "MEILI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    kept = tmp_path / MASTER_KEY_FILE
    kept.write_text(meili_server.master_key + "\n")
    config.get_settings.cache_clear()
    done = runner.invoke(cli, ["monitoring", "snapshot"])
    assert done.exit_code == 0, done.output
    assert "search unavailable" not in done.output
    url = "/api/v1/monitoring/portals/bochum-test/needs"
    coverage = client.get(url, headers=known.admin).json()
    assert coverage["available"] is True
    assert [(row["need"], row["offers"]) for row in coverage["rows"]] == [("Buchhaltung", 1)]
    kept.write_text("not-the-key\n")
    done = runner.invoke(cli, ["monitoring", "snapshot"])
    assert done.exit_code == 0, done.output
    assert "needs coverage not refreshed" in done.output
    assert client.get(url, headers=known.admin).json() == coverage

"""The CLI: organisations and keys, the value on the last line; without a catalogue every
command says where it looked and exits 2, creating nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import config, db
from app.cli import cli

runner = CliRunner()


def test_create_org_and_keys(client: TestClient) -> None:
    org = runner.invoke(
        cli, ["create-org", "--name", "IHK Mittleres Ruhrgebiet", "--kind", "chamber", "--trusted"]
    )
    assert org.exit_code == 0, org.output
    org_id = int(org.output.strip().splitlines()[-1])
    key = runner.invoke(cli, ["create-key", "--role", "provider", "--org", str(org_id)])
    assert key.exit_code == 0, key.output
    provider_key = key.output.strip().splitlines()[-1]
    admin = runner.invoke(cli, ["create-key", "--role", "admin"]).output.strip().splitlines()[-1]
    r = client.get(
        f"/api/v1/organisations/{org_id}", headers={"Authorization": f"Bearer {provider_key}"}
    )
    assert r.status_code == 200
    assert r.json()["trusted"] is True
    r = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {admin}"})
    assert r.json()["total"] == 1


def test_cli_errors_are_plain(client: TestClient) -> None:
    missing = runner.invoke(cli, ["create-key", "--role", "provider"])
    assert missing.exit_code == 2
    assert "needs an organisation" in missing.output
    bad_kind = runner.invoke(cli, ["create-org", "--name", "X", "--kind", "castle"])
    assert bad_kind.exit_code != 0


BIN = Path(sys.executable).parent


def _bare_env(**extra: str) -> dict[str, str]:
    """The environment of an operator's shell: no database or search settings of the tests."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return keep | extra


@pytest.mark.parametrize(
    "args",
    [
        ["create-org", "--name", "VHS Bochum", "--kind", "vhs"],
        ["create-key", "--role", "admin"],
        ["load-demo"],
        ["portal", "list"],
        ["portal", "delete", "--slug", "ruhr"],
        ["moderation", "list"],
        ["moderation", "publish", "1"],
        ["import", "{file}", "--org", "1"],
        ["export", "--org", "1"],
        ["index-check"],
        ["indexer", "--failed"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_no_catalogue_exits_2_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    upload = tmp_path / "kurse.csv"
    upload.write_text("Angebots-ID;Titel\n")
    for name in ("DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(empty))
    monkeypatch.chdir(empty)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    result = runner.invoke(cli, [a.replace("{file}", str(upload)) for a in args])
    assert result.exit_code == 2, result.output
    assert (
        f"no catalogue found at {empty / 'bildungsraum.sqlite3'}; run `bildungsraum migrate` "
        "or set DATA_DIR"
    ) in result.output
    assert "Traceback" not in result.output
    assert list(empty.iterdir()) == []
    config.get_settings.cache_clear()


def test_a_shell_run_in_an_empty_folder_creates_nothing(tmp_path: Path) -> None:
    """As an operator runs it: the installed command, another folder, no settings but
    DATA_DIR pointing at it."""
    done = subprocess.run(
        [str(BIN / "bildungsraum"), "create-org", "--name", "VHS Bochum", "--kind", "vhs"],
        cwd=tmp_path,
        env=_bare_env(DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: no catalogue found at ")
    assert list(tmp_path.iterdir()) == []


def test_migrate_then_the_same_command_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    result = runner.invoke(cli, ["portal", "list"])
    assert (result.exit_code, result.output.strip()) == (0, "no portals yet")
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    config.get_settings.cache_clear()

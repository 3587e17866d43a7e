"""The CLI: organisations and keys, the value on the last line."""

from fastapi.testclient import TestClient
from typer.testing import CliRunner

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

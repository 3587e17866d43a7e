"""The CSV example in the README imports as shown."""

import textwrap
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_csv() -> str:
    text = README.read_text()
    block = text.split("```csv\n", 1)[1].split("```", 1)[0]
    return textwrap.dedent(block)


def test_readme_csv_example_imports(client: TestClient, provider: dict[str, Any]) -> None:
    r = client.post(
        "/api/v1/imports",
        content=_readme_csv().encode(),
        headers={**provider["headers"], "Content-Type": "text/csv"},
        params={"format": "csv"},
    )
    assert r.status_code in (200, 201), r.text
    report = r.json()
    assert report["counts"]["created"] == 1, report
    assert report["counts"]["failed"] == 0, report

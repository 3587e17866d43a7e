"""The catalogue check the CLI and the indexer make first: it says what is wrong, in words,
and creates nothing."""

from pathlib import Path

from app.db import catalogue_problem
from app.migrations import head_revision, upgrade


def test_missing_empty_outdated_and_current(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.sqlite3"
    url = f"sqlite:///{path}"
    assert catalogue_problem(url) == (
        f"no catalogue found at {path}; run `bildungsraum migrate` or set DATA_DIR"
    )
    assert not path.exists()
    path.write_bytes(b"")
    assert catalogue_problem(url) is not None
    assert "no catalogue found" in (catalogue_problem(url) or "")
    path.unlink()
    upgrade(url, "0003")
    assert catalogue_problem(url) == (
        f"the catalogue at {path} has schema 0003 and this version needs {head_revision()}: "
        "run `bildungsraum migrate`"
    )
    upgrade(url)
    assert catalogue_problem(url) is None

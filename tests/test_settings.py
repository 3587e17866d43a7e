"""Settings refuse to run production on placeholder secrets, and find what `make run` uses."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings, normalise_database_url


def test_production_needs_a_search_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILDUNGSRAUM_ENV", "production")
    monkeypatch.delenv("MEILI_SEARCH_KEY", raising=False)
    monkeypatch.setenv("MEILI_MASTER_KEY", "masterKey")
    with pytest.raises(ValidationError, match="MEILI_SEARCH_KEY"):
        Settings()
    monkeypatch.setenv("MEILI_SEARCH_KEY", "a-real-search-key")
    assert Settings().search_key == "a-real-search-key"


def test_database_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_every_command_finds_the_data_make_run_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a checkout the default DATA_DIR is the project's ./data, wherever a command runs."""
    monkeypatch.delenv("DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir == Path(__file__).resolve().parent.parent / "data"


def test_meilisearch_of_make_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without MEILI_URL: the port `make run` starts Meilisearch on, and the master key it
    keeps in DATA_DIR for the maintenance commands (never for the API's search key)."""
    for name in ("MEILI_URL", "MEILI_MASTER_KEY", "MEILI_ADMIN_KEY", "MEILI_SEARCH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MEILI_PORT", "7788")
    settings = Settings()
    assert settings.meili_url == "http://127.0.0.1:7788"
    assert settings.admin_key == ""
    (tmp_path / "meili_master_key").write_text("kept-key\n")
    assert (settings.admin_key, settings.search_key) == ("kept-key", "")
    monkeypatch.setenv("MEILI_ADMIN_KEY", "scoped")
    monkeypatch.setenv("MEILI_URL", "http://search:7700")
    settings = Settings()
    assert (settings.admin_key, settings.meili_url) == ("scoped", "http://search:7700")

"""Settings refuse to run production on placeholder secrets."""

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

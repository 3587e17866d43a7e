"""The one settings object, read by the API, the CLI and the indexer alike."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_KEYS = {"", "changeme", "change-me", "masterKey"}
# In a checkout, `make run` keeps its data in the project's ./data and reads its ./.env: every
# command finds them from any folder. An installed package falls back to the working folder.
_CHECKOUT = Path(__file__).resolve().parent.parent
_IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file()
MASTER_KEY_FILE = "meili_master_key"


def _default_data_dir() -> Path:
    return _CHECKOUT / "data" if _IN_CHECKOUT else Path("data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="",
        env_file=(_CHECKOUT / ".env", ".env") if _IN_CHECKOUT else ".env",
        extra="ignore",
    )

    environment: str = Field(default="development", alias="BILDUNGSRAUM_ENV")
    data_dir: Path = Field(default_factory=_default_data_dir, alias="DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")

    # Without MEILI_URL: the Meilisearch `make run` starts on MEILI_PORT.
    meili_url: str = Field(default="", alias="MEILI_URL")
    meili_port: int = Field(default=7700, ge=1, le=65535, alias="MEILI_PORT")
    # The master key is only needed by whoever starts Meilisearch and creates the
    # narrower keys; the API and indexer prefer their own scoped keys.
    meili_master_key: str = Field(default="", alias="MEILI_MASTER_KEY")
    meili_search_key: str = Field(default="", alias="MEILI_SEARCH_KEY")
    meili_admin_key: str = Field(default="", alias="MEILI_ADMIN_KEY")
    meili_index: str = Field(default="offers", alias="MEILI_INDEX")
    # A search waits this long for Meilisearch, then answers 503: within the 2 s a citizen's
    # page may hang (issue 3); the slowest search in bench/ at 100k took ~0.3 s under load.
    meili_timeout_s: float = Field(default=1.5, gt=0, alias="MEILI_TIMEOUT")
    # Answers to repeated searches are kept until the indexer reports a change (see
    # app/search/cache.py). 0 entries turns the cache off.
    search_cache_entries: int = Field(default=1000, ge=0, alias="SEARCH_CACHE_ENTRIES")
    search_cache_check_s: float = Field(default=0.05, ge=0, alias="SEARCH_CACHE_CHECK")
    search_cache_max_age_s: float = Field(default=600.0, gt=0, alias="SEARCH_CACHE_MAX_AGE")

    max_body_bytes: int = Field(default=1_000_000, alias="MAX_BODY_BYTES")
    # Imports through the API at once per API process (each in its own child process).
    import_workers: int = Field(default=2, ge=1, le=32, alias="IMPORT_WORKERS")
    max_import_bytes: int = Field(default=200_000_000, alias="MAX_IMPORT_BYTES")

    # Meilisearch pays a fixed cost per task that grows with the index (~1 s at 100k
    # documents), so a backlog drains in large batches; single changes are not delayed.
    indexer_batch_size: int = Field(default=2000, alias="INDEXER_BATCH_SIZE")
    indexer_poll_s: float = Field(default=0.05, alias="INDEXER_POLL")
    indexer_max_attempts: int = Field(default=5, alias="INDEXER_MAX_ATTEMPTS")

    # Scheduled pulls of import sources (app/services/interop/scheduler.py). Private, loopback
    # and link-local addresses are refused unless listed here (comma-separated networks,
    # e.g. "127.0.0.0/8" for tests or "10.20.0.0/16" for a VHS server in the same network).
    pull_allowed_networks: str = Field(default="", alias="PULL_ALLOWED_NETWORKS")
    pull_max_bytes: int = Field(default=200_000_000, gt=0, alias="PULL_MAX_BYTES")
    pull_timeout_s: float = Field(default=120.0, gt=0, alias="PULL_TIMEOUT")
    pull_connect_timeout_s: float = Field(default=10.0, gt=0, alias="PULL_CONNECT_TIMEOUT")
    pull_poll_s: float = Field(default=30.0, gt=0, alias="PULL_POLL")
    # After a failed pull: retry after base, 2 × base, 4 × base ... at most max.
    pull_retry_base_s: float = Field(default=300.0, gt=0, alias="PULL_RETRY_BASE")
    pull_retry_max_s: float = Field(default=86_400.0, gt=0, alias="PULL_RETRY_MAX")

    # Bildungsmonitoring (docs/monitoring.md). A search term appears in no output until this
    # many distinct clients searched it in the period.
    demand_min_clients: int = Field(default=10, ge=2, le=1000, alias="DEMAND_MIN_CLIENTS")
    # Each API process recognises clients with its own in-memory key, so one client reaching
    # P processes can count up to P times; thresholds are scaled by P (uvicorn's own variable).
    api_processes: int = Field(default=1, ge=1, le=64, alias="WEB_CONCURRENCY")
    demand_flush_s: float = Field(default=5.0, gt=0, alias="DEMAND_FLUSH")
    # Bounds the memory of the per-day "seen" set (~70 bytes an entry); past it new
    # (client, term) pairs are not counted until the day's key rotates.
    demand_max_tracked: int = Field(default=2_000_000, ge=1000, alias="DEMAND_MAX_TRACKED")
    # Signs the dashboard's session cookie; the API refuses to start in production without
    # one, development keeps a random one in DATA_DIR.
    dashboard_secret: str = Field(default="", alias="DASHBOARD_SECRET")
    dashboard_session_hours: float = Field(
        default=12.0, gt=0, le=168, alias="DASHBOARD_SESSION_HOURS"
    )

    @model_validator(mode="after")
    def _local_meilisearch(self) -> "Settings":
        if not self.meili_url:
            self.meili_url = f"http://127.0.0.1:{self.meili_port}"
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        # In production each process needs a real key for what it does: the API a search key,
        # the indexer an admin key (checked where the indexer starts).
        if self.environment == "production" and not (
            self.meili_search_key or self.meili_master_key not in _PLACEHOLDER_KEYS
        ):
            raise ValueError("production needs MEILI_SEARCH_KEY (see `bildungsraum meili-keys`)")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'bildungsraum.sqlite3'}"

    @property
    def search_key(self) -> str:
        return self.meili_search_key or self.meili_master_key

    @property
    def admin_key(self) -> str:
        """The indexer's key; for maintenance commands run by hand next to `make run`, the
        master key it keeps in DATA_DIR."""
        return self.meili_admin_key or self.meili_master_key or self.kept_master_key()

    def kept_master_key(self) -> str:
        """The master key `make run` keeps in DATA_DIR/meili_master_key, if there is one."""
        try:
            return (self.data_dir / MASTER_KEY_FILE).read_text().strip()
        except OSError:
            return ""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator chose."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()

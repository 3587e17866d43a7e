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
# The port `make run` chose for its Meilisearch (7700 may be taken), for the commands.
MEILI_PORT_FILE = "meili_port"


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
    # Import files: an admin key up to MAX_IMPORT_BYTES, a provider's key up to
    # MAX_PROVIDER_IMPORT_BYTES (one provider cannot fill the disk or hold a worker for long).
    max_import_bytes: int = Field(default=200_000_000, alias="MAX_IMPORT_BYTES")
    max_provider_import_bytes: int = Field(default=50_000_000, alias="MAX_PROVIDER_IMPORT_BYTES")

    # Database faults answer 503 within a few seconds instead of hanging: a new connection
    # waits DB_CONNECT_TIMEOUT, a request waits DB_POOL_TIMEOUT for a pooled one, and a
    # statement runs at most DB_STATEMENT_TIMEOUT (SQLite: waits that long for a lock).
    db_connect_timeout_s: float = Field(default=2.0, gt=0, alias="DB_CONNECT_TIMEOUT")
    db_pool_timeout_s: float = Field(default=3.0, gt=0, alias="DB_POOL_TIMEOUT")
    db_statement_timeout_s: float = Field(default=4.0, gt=0, alias="DB_STATEMENT_TIMEOUT")

    # The served configuration (`bildungsraum serve`, app/server.py): a client must send its
    # request headers within HEADER_TIMEOUT and at most MAX_HEADER_BYTES of them, and its
    # body within BODY_TIMEOUT (IMPORT_BODY_TIMEOUT for import files).
    header_timeout_s: float = Field(default=10.0, gt=0, alias="HEADER_TIMEOUT")
    max_header_bytes: int = Field(default=32_768, ge=4096, alias="MAX_HEADER_BYTES")
    body_timeout_s: float = Field(default=30.0, gt=0, alias="BODY_TIMEOUT")
    import_body_timeout_s: float = Field(default=900.0, gt=0, alias="IMPORT_BODY_TIMEOUT")
    keep_alive_s: int = Field(default=5, ge=1, alias="KEEP_ALIVE_TIMEOUT")

    # Rate limits (the `limits` library's notation; several separated by ";"). Kept in
    # memory per worker process, or in Redis across workers and replicas when REDIS_URL is
    # set. Writes and imports count per API key, searches and failed keys per client address.
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    rate_limit_prefix: str = Field(default="bildungsraum", alias="RATE_LIMIT_PREFIX")
    rate_limit_search: str = Field(default="20/second;600/minute", alias="RATE_LIMIT_SEARCH")
    # A partner catching up reads up to 1,000 changes a page: 300 pages a minute still fetch
    # a whole catalogue's changes in minutes.
    rate_limit_feeds: str = Field(default="10/second;300/minute", alias="RATE_LIMIT_FEEDS")
    rate_limit_writes: str = Field(default="20/second;600/minute", alias="RATE_LIMIT_WRITES")
    rate_limit_imports: str = Field(default="10/minute;60/hour", alias="RATE_LIMIT_IMPORTS")
    rate_limit_auth_failures: str = Field(default="20/minute", alias="RATE_LIMIT_AUTH_FAILURES")

    # Meilisearch pays a fixed cost per task that grows with the index (~1 s at 100k
    # documents), so a backlog drains in large batches; single changes are not delayed.
    indexer_batch_size: int = Field(default=2000, alias="INDEXER_BATCH_SIZE")
    indexer_poll_s: float = Field(default=0.05, alias="INDEXER_POLL")
    indexer_max_attempts: int = Field(default=5, alias="INDEXER_MAX_ATTEMPTS")
    # The indexer and the import scheduler touch these files while their loops run
    # (compose.yaml's health checks read them).
    indexer_heartbeat_file: Path | None = Field(default=None, alias="INDEXER_HEARTBEAT_FILE")
    scheduler_heartbeat_file: Path | None = Field(default=None, alias="SCHEDULER_HEARTBEAT_FILE")

    # Scheduled pulls of import sources (app/services/interop/scheduler.py). Private, loopback
    # and link-local addresses are refused unless listed here (comma-separated networks,
    # e.g. "127.0.0.0/8" for tests or "10.20.0.0/16" for a VHS server in the same network).
    pull_allowed_networks: str = Field(default="", alias="PULL_ALLOWED_NETWORKS")
    pull_max_bytes: int = Field(default=200_000_000, gt=0, alias="PULL_MAX_BYTES")
    pull_timeout_s: float = Field(default=120.0, gt=0, alias="PULL_TIMEOUT")
    pull_connect_timeout_s: float = Field(default=10.0, gt=0, alias="PULL_CONNECT_TIMEOUT")
    pull_poll_s: float = Field(default=30.0, gt=0, alias="PULL_POLL")
    # The duplicate check (workers/duplicates.py): offers written since their last
    # check are checked in batches, at the latest every DUPLICATE_POLL seconds.
    duplicate_poll_s: float = Field(default=2.0, gt=0, alias="DUPLICATE_POLL")
    duplicate_batch: int = Field(default=500, ge=1, le=10_000, alias="DUPLICATE_BATCH")
    # After a failed pull: retry after base, 2 × base, 4 × base ... at most max.
    pull_retry_base_s: float = Field(default=300.0, gt=0, alias="PULL_RETRY_BASE")
    pull_retry_max_s: float = Field(default=86_400.0, gt=0, alias="PULL_RETRY_MAX")

    # The change feed (docs/partners.md): changes older than this that a later change replaced
    # (and removals) are pruned daily; cursors from before them get 410 and start over.
    feed_retention_days: float = Field(default=30.0, gt=0, alias="FEED_RETENTION_DAYS")
    # Webhook targets: private, loopback and link-local addresses are refused unless listed
    # here (comma-separated networks; tests list 127.0.0.0/8).
    webhook_allowed_networks: str = Field(default="", alias="WEBHOOK_ALLOWED_NETWORKS")
    # A receiver must answer within this many seconds (connect: WEBHOOK_CONNECT_TIMEOUT).
    webhook_timeout_s: float = Field(default=10.0, gt=0, alias="WEBHOOK_TIMEOUT")
    webhook_connect_timeout_s: float = Field(default=3.0, gt=0, alias="WEBHOOK_CONNECT_TIMEOUT")
    # Registering or changing an endpoint resolves its host name to check that it is public;
    # a resolver that has not answered after this many seconds gets a 503, not a held request.
    webhook_resolve_timeout_s: float = Field(default=3.0, gt=0, alias="WEBHOOK_RESOLVE_TIMEOUT")
    # After a failed delivery: retry after base, 2 x base, 4 x base ... at most max; an
    # endpoint failing for WEBHOOK_RETRY_HOURS is disabled (its deliveries are kept).
    webhook_retry_base_s: float = Field(default=5.0, gt=0, alias="WEBHOOK_RETRY_BASE")
    webhook_retry_max_s: float = Field(default=3600.0, gt=0, alias="WEBHOOK_RETRY_MAX")
    webhook_retry_hours: float = Field(default=24.0, gt=0, alias="WEBHOOK_RETRY_HOURS")
    webhook_poll_s: float = Field(default=0.2, gt=0, alias="WEBHOOK_POLL")
    # Endpoints served at once by the webhook worker (one slow receiver holds one of them).
    webhook_concurrency: int = Field(default=8, ge=1, le=64, alias="WEBHOOK_CONCURRENCY")
    webhook_heartbeat_file: Path | None = Field(default=None, alias="WEBHOOK_HEARTBEAT_FILE")
    # Delivered deliveries older than this are pruned by the webhook worker (each endpoint's
    # newest stays, so its log shows when it last received one); pending ones never are.
    webhook_keep_delivered_days: float = Field(
        default=30.0, gt=0, alias="WEBHOOK_KEEP_DELIVERED_DAYS"
    )

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

    # Where citizens reach the service (e.g. https://weiterbildung.example.de): the absolute
    # links in feeds, calendars and the OpenSearch description. Empty: the request's own
    # scheme and host, which a proxy must then pass through unchanged.
    public_base_url: str = Field(
        default="", pattern=r"^(https?://[A-Za-z0-9.-]+(:\d{1,5})?)?$", alias="PUBLIC_BASE_URL"
    )

    @model_validator(mode="after")
    def _local_meilisearch(self) -> "Settings":
        if not self.meili_url:
            port = self.meili_port
            if "meili_port" not in self.model_fields_set:
                port = self.kept_meili_port() or port
            # Past the model's __setattr__: MEILI_URL stays unset in model_fields_set, which
            # is how `make run` tells a Meilisearch of its own from one it was given.
            object.__setattr__(self, "meili_url", f"http://127.0.0.1:{port}")
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
    def command_search_key(self) -> str:
        """The search key of commands run by hand next to `make run` (a monitoring snapshot):
        like `admin_key`, the master key it keeps in DATA_DIR when no key is set. The API's
        `search_key` never reads that file."""
        return self.search_key or self.kept_master_key()

    @property
    def admin_key(self) -> str:
        """The indexer's key; for maintenance commands run by hand next to `make run`, the
        master key it keeps in DATA_DIR."""
        return self.meili_admin_key or self.meili_master_key or self.kept_master_key()

    def kept_meili_port(self) -> int | None:
        """The port `make run` last started its Meilisearch on, if it wrote one down."""
        try:
            return int((self.data_dir / MEILI_PORT_FILE).read_text().strip())
        except (OSError, ValueError):
            return None

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

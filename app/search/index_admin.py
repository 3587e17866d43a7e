"""Meilisearch access for the indexer: clients, waiting for tasks, index creation, scoped keys."""

from typing import Any, cast

import meilisearch
import orjson
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from meilisearch.models.task import TaskInfo

from app.config import Settings
from app.errors import SearchUnavailable
from app.search.index_settings import index_settings

TASK_TIMEOUT_MS = 300_000

# Meilisearch sizes its indexing buffers from this budget (default: two thirds of RAM), and
# every indexing task pays for setting them up: on a 24 GiB machine one changed document took
# 0.2-2.9 s, with 256 MiB 20 ms on a small index and ~0.4 s instead of 0.5-2.9 s at 100k
# offers; a 120k-document bulk load took the same 49-51 s either way (bench/README.md).
# Set wherever Meilisearch is started: `bildungsraum run`, the tests, compose.yaml.
MEILI_INDEXING_MEMORY = "256MiB"


class IndexingFailed(Exception):
    """Meilisearch reached but refused a task; something is wrong with what was sent."""


# See app/search/service.py: gzip answers are chunked and stall ~40 ms each on loopback;
# the indexer polls tasks, so that floor would add up on every batch.
IDENTITY = {"Accept-Encoding": "identity"}


def meili_client(url: str, key: str | None, *, timeout: int = 30) -> meilisearch.Client:
    return meilisearch.Client(url, key or None, timeout=timeout, custom_headers=IDENTITY)


def admin_client(settings: Settings) -> meilisearch.Client:
    return meili_client(settings.meili_url, settings.admin_key)


def wait(client: meilisearch.Client, task: TaskInfo, *, timeout_ms: int = TASK_TIMEOUT_MS) -> None:
    """Wait for a task and fail loudly unless it succeeded."""
    try:
        done = client.wait_for_task(task.task_uid, timeout_in_ms=timeout_ms, interval_in_ms=5)
    except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
        raise SearchUnavailable(str(exc)) from exc
    if done.status != "succeeded":
        raise IndexingFailed(f"task {task.task_uid} {done.status}: {done.error}")


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a client call, sorting connection trouble from refusals."""
    try:
        return fn(*args, **kwargs)
    except MeilisearchCommunicationError as exc:
        raise SearchUnavailable(str(exc)) from exc
    except MeilisearchApiError as exc:
        raise IndexingFailed(str(exc)) from exc


def add_documents(index: meilisearch.index.Index, docs: list[dict[str, Any]]) -> TaskInfo:
    """Upsert documents, serialised with orjson (the client's json.dumps took ~5× longer)."""
    return cast(
        TaskInfo,
        call(index.add_documents_raw, orjson.dumps(docs), "id", "application/json"),
    )


# Lists, not look-ups: Meilisearch logs every 404 as a WARN line, and a missing index or key
# is the normal case on a first start.
_PAGE = 1000


def index_exists(client: meilisearch.Client, uid: str) -> bool:
    offset = 0
    while True:
        page = call(client.get_raw_indexes, {"offset": offset, "limit": _PAGE})
        results = page["results"] if isinstance(page, dict) else page
        if any(index["uid"] == uid for index in results):
            return True
        if len(results) < _PAGE:
            return False
        offset += _PAGE


def create_index_with_settings(client: meilisearch.Client, uid: str) -> None:
    """Create an index (if missing) and apply our settings before any document arrives."""
    if not index_exists(client, uid):
        wait(client, call(client.create_index, uid, {"primaryKey": "id"}))
    wait(client, call(client.index(uid).update_settings, index_settings()))


def delete_index_if_exists(client: meilisearch.Client, uid: str) -> None:
    if index_exists(client, uid):
        wait(client, call(client.delete_index, uid))


SEARCH_KEY_UID = "6a1b0a52-2d6e-4c3e-9f3a-5e2f0d1c7a01"
INDEXER_KEY_UID = "6a1b0a52-2d6e-4c3e-9f3a-5e2f0d1c7a02"


def ensure_scoped_keys(master: meilisearch.Client, index_uid: str) -> tuple[str, str]:
    """Create (or find) the API's search-only key and the indexer's key; return both."""
    wanted = {
        SEARCH_KEY_UID: {"name": "bildungsraum-api", "actions": ["search"], "indexes": [index_uid]},
        INDEXER_KEY_UID: {
            "name": "bildungsraum-indexer",
            "actions": ["documents.*", "indexes.*", "settings.*", "tasks.*", "search", "stats.*"],
            "indexes": [index_uid, f"{index_uid}_new"],
        },
    }
    keys: dict[str, str] = {}
    offset = 0
    while True:
        page = master.get_keys({"offset": offset, "limit": _PAGE}).results
        keys.update({k.uid: k.key for k in page if k.uid in wanted})
        if len(page) < _PAGE:
            break
        offset += _PAGE
    for uid, spec in wanted.items():
        if uid not in keys:
            keys[uid] = master.create_key({**spec, "uid": uid, "expiresAt": None}).key
    return keys[SEARCH_KEY_UID], keys[INDEXER_KEY_UID]

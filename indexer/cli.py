"""Process entry points for the indexer, shared by `python -m indexer` and the CLI."""

import logging
import signal
import threading

from app.config import get_settings
from app.db import get_engine
from app.search.index_admin import admin_client
from indexer.worker import Indexer


def build_indexer() -> Indexer:
    settings = get_settings()
    return Indexer(
        engine=get_engine(),
        client=admin_client(settings),
        index_uid=settings.meili_index,
        batch_size=settings.indexer_batch_size,
        max_attempts=settings.indexer_max_attempts,
    )


def run_indexer() -> None:
    """Apply index settings, then drain the outbox until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s indexer %(levelname)s %(message)s")
    settings = get_settings()
    if settings.environment == "production" and not settings.admin_key:
        raise SystemExit("the indexer needs MEILI_ADMIN_KEY (see `bildungsraum meili-keys`)")
    indexer = build_indexer()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("bildungsraum.indexer").info(
        "indexer running against %s, index %r", settings.meili_url, settings.meili_index
    )
    indexer.run_forever(stop, poll_s=settings.indexer_poll_s)

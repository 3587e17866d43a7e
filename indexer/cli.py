"""The indexer program (`python -m indexer`): the outbox drain, and the maintenance commands
that need the write side of the index (rebuild, check, parked records)."""

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer

from app.config import get_settings
from app.db import catalogue_problem, get_engine
from app.errors import SearchUnavailable
from app.search.index_admin import IndexingFailed, admin_client
from indexer import worker
from indexer.rebuild import check_index, rebuild_index
from indexer.worker import Indexer

app = typer.Typer(
    add_completion=False,
    # Plain help: flags read as flags (`--quiet`, not `--quiet <bool>`).
    rich_markup_mode=None,
    help="Keeps the search index in step with the database. Without a command: run the drain.",
)


def build_indexer() -> Indexer:
    settings = get_settings()
    return Indexer(
        engine=get_engine(),
        client=admin_client(settings),
        index_uid=settings.meili_index,
        batch_size=settings.indexer_batch_size,
        max_attempts=settings.indexer_max_attempts,
        heartbeat=settings.indexer_heartbeat_file,
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


def require_catalogue() -> None:
    """Exit 2, creating nothing, when there is no up-to-date catalogue to index."""
    problem = catalogue_problem(get_settings().sqlalchemy_url)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)


@contextmanager
def plain_search_errors() -> Iterator[None]:
    """Meilisearch down, or refusing the key, is the operator's to fix: say so in one line."""
    url = get_settings().meili_url
    try:
        yield
    except SearchUnavailable as exc:
        typer.echo(
            f"error: Meilisearch at {url} cannot be reached ({exc}); "
            "start it (`make run`) or set MEILI_URL / MEILI_PORT",
            err=True,
        )
        raise typer.Exit(2) from None
    except IndexingFailed as exc:
        hint = ""
        if "api_key" in str(exc) or "authorization" in str(exc):
            hint = (
                "; set MEILI_ADMIN_KEY or MEILI_MASTER_KEY, or DATA_DIR to the folder where "
                "`make run` keeps meili_master_key"
            )
        typer.echo(f"error: Meilisearch at {url} refused: {exc}{hint}", err=True)
        raise typer.Exit(2) from None


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """Run the drain until stopped when no command is given."""
    if ctx.invoked_subcommand is None:
        require_catalogue()
        run_indexer()


@app.command("once")
def once() -> None:
    """Drain the queue once and exit."""
    require_catalogue()
    with plain_search_errors():
        indexer = build_indexer()
        indexer.prepare()
        typer.echo(f"indexed {indexer.drain()} queued changes")


@app.command("failed")
def failed() -> None:
    """List parked records; exit 1 when there are any."""
    require_catalogue()
    rows = worker.failed_entries(get_engine())
    if not rows:
        typer.echo("no parked records")
    for row in rows:
        typer.echo(
            f"offer {row.offer_id}: {row.attempts} attempts, parked "
            f"{row.parked_at:%Y-%m-%d %H:%M} - {row.last_error}"
        )
    raise typer.Exit(1 if rows else 0)


@app.command("retry-failed")
def retry_failed() -> None:
    """Queue parked records again."""
    require_catalogue()
    typer.echo(f"queued {worker.retry_failed(get_engine())} parked records again")


@app.command("reindex")
def reindex() -> None:
    """Rebuild the whole index beside the live one and swap it in; search stays up."""
    require_catalogue()
    from tqdm import tqdm

    settings = get_settings()
    bar = tqdm(total=0, unit="offers", desc="reindex", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    with plain_search_errors():
        stats = rebuild_index(
            engine=get_engine(),
            client=admin_client(settings),
            index_uid=settings.meili_index,
            today=date.today(),
            progress=progress,
        )
    bar.close()
    typer.echo(
        f"reindexed {stats.offers} published offers as {stats.documents} documents "
        f"into {settings.meili_index!r}"
    )


@app.command("check")
def check(
    quiet: Annotated[bool, typer.Option("--quiet", help="print only when they differ")] = False,
) -> None:
    """Compare the database with the index; exit 1 when they drifted apart."""
    require_catalogue()
    settings = get_settings()
    with plain_search_errors():
        result = check_index(
            engine=get_engine(),
            client=admin_client(settings),
            index_uid=settings.meili_index,
            today=date.today(),
        )
    if not quiet or not result.clean:
        typer.echo(f"searchable in database: {result.in_database}")
        typer.echo(f"in the index:           {result.in_index}")
        typer.echo(f"queued, not yet indexed: {result.pending}")
    if result.missing:
        typer.echo(f"missing from the index: {result.missing[:50]}")
    if result.unexpected:
        typer.echo(f"in the index but not searchable: {result.unexpected[:50]}")
    if not result.clean:
        typer.echo("DRIFT: run `bildungsraum reindex` to repair")
        raise typer.Exit(1)
    typer.echo("index and database agree")

"""CLI commands for the search index: run the indexer, rebuild, compare with the database."""

from datetime import date
from typing import Annotated

import typer


def register(cli: typer.Typer) -> None:
    @cli.command("indexer")
    def indexer_command(
        failed: Annotated[
            bool, typer.Option("--failed", help="list parked records and exit")
        ] = False,
        retry_failed: Annotated[
            bool, typer.Option("--retry-failed", help="queue parked records again and exit")
        ] = False,
        once: Annotated[bool, typer.Option("--once", help="drain the queue once and exit")] = False,
    ) -> None:
        """Keep the search index in step with the database (runs until stopped)."""
        from app.db import get_engine
        from indexer import worker
        from indexer.cli import build_indexer, run_indexer

        if failed:
            rows = worker.failed_entries(get_engine())
            if not rows:
                typer.echo("no parked records")
            for row in rows:
                typer.echo(
                    f"offer {row.offer_id}: {row.attempts} attempts, parked "
                    f"{row.parked_at:%Y-%m-%d %H:%M} - {row.last_error}"
                )
            raise typer.Exit(1 if rows else 0)
        if retry_failed:
            typer.echo(f"queued {worker.retry_failed(get_engine())} parked records again")
            return
        if once:
            indexer = build_indexer()
            indexer.prepare()
            typer.echo(f"indexed {indexer.drain()} queued changes")
            return
        run_indexer()

    @cli.command("reindex")
    def reindex_command() -> None:
        """Rebuild the whole index beside the live one and swap it in; search stays up."""
        from tqdm import tqdm

        from app.config import get_settings
        from app.db import get_engine
        from app.search.index_admin import admin_client
        from indexer.rebuild import rebuild_index

        settings = get_settings()
        bar = tqdm(total=0, unit="offers", desc="reindex", disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

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

    @cli.command("meili-keys")
    def meili_keys_command() -> None:
        """Create (or show) the API's search-only key and the indexer's key (needs the master)."""
        from app.config import get_settings
        from app.search.index_admin import ensure_scoped_keys, meili_client

        settings = get_settings()
        if not settings.meili_master_key:
            typer.echo("error: set MEILI_MASTER_KEY (and MEILI_URL) to create the keys", err=True)
            raise typer.Exit(2)
        search_key, indexer_key = ensure_scoped_keys(
            meili_client(settings.meili_url, settings.meili_master_key), settings.meili_index
        )
        typer.echo(f"MEILI_SEARCH_KEY={search_key}   # for the API: search only")
        typer.echo(f"MEILI_ADMIN_KEY={indexer_key}   # for the indexer: documents, settings, tasks")

    @cli.command("index-check")
    def index_check_command() -> None:
        """Compare the database with the index; exit 1 when they drifted apart."""
        from app.config import get_settings
        from app.db import get_engine
        from app.search.index_admin import admin_client
        from indexer.rebuild import check_index

        settings = get_settings()
        result = check_index(
            engine=get_engine(),
            client=admin_client(settings),
            index_uid=settings.meili_index,
            today=date.today(),
        )
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

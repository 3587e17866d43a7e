"""Search-index commands. The index's write side is the indexer's own program
(`python -m indexer`): these commands hand over to it, so the API package never imports the
indexer, and `meili-keys` creates the scoped Meilisearch keys."""

import io
import subprocess
import sys
from typing import Annotated

import typer

app = typer.Typer()


def _hand_over(*args: str) -> None:
    """Run `python -m indexer ARGS` with this process's environment and exit with its code."""
    command = [sys.executable, "-m", "indexer", *args]
    try:
        sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        # Output captured in memory (tests, embedding): pass the program's output through.
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        typer.echo(done.stdout, nl=False)
        typer.echo(done.stderr, nl=False, err=True)
        code = done.returncode
    else:
        code = subprocess.call(command)
    if code:
        raise typer.Exit(code)


@app.command("indexer")
def indexer_command(
    failed: Annotated[bool, typer.Option("--failed", help="list parked records and exit")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="queue parked records again and exit")
    ] = False,
    once: Annotated[bool, typer.Option("--once", help="drain the queue once and exit")] = False,
) -> None:
    """Keep the search index in step with the database (runs until stopped)."""
    if failed:
        _hand_over("failed")
    elif retry_failed:
        _hand_over("retry-failed")
    elif once:
        _hand_over("once")
    else:
        _hand_over()


@app.command("reindex")
def reindex_command() -> None:
    """Rebuild the whole index beside the live one and swap it in; search stays up."""
    _hand_over("reindex")


@app.command("index-check")
def index_check_command() -> None:
    """Compare the database with the index; exit 1 when they drifted apart."""
    _hand_over("check")


@app.command("meili-keys")
def meili_keys_command() -> None:
    """Create (or show) the API's search-only key and the indexer's key (needs the master)."""
    from app.config import MASTER_KEY_FILE, get_settings
    from app.search.index_admin import ensure_scoped_keys, meili_client

    settings = get_settings()
    master = settings.meili_master_key or settings.kept_master_key()
    if not master:
        typer.echo(
            "error: set MEILI_MASTER_KEY (and MEILI_URL) to create the keys; next to "
            f"`make run` it is read from {settings.data_dir / MASTER_KEY_FILE}",
            err=True,
        )
        raise typer.Exit(2)
    search_key, indexer_key = ensure_scoped_keys(
        meili_client(settings.meili_url, master), settings.meili_index
    )
    typer.echo(f"MEILI_SEARCH_KEY={search_key}   # for the API: search only")
    typer.echo(f"MEILI_ADMIN_KEY={indexer_key}   # for the indexer: documents, settings, tasks")

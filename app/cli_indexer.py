"""CLI commands for the search index (filled in with the indexer)."""

import typer


def register(cli: typer.Typer) -> None:
    pass

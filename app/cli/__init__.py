"""The `bildungsraum` command line: plain words, the useful value on the last line. Each area
keeps its commands in its own module as a typer app, added here."""

import typer

from app.cli import (
    catalogue,
    indexing,
    interop,
    moderation,
    monitoring,
    partners,
    portals,
    quality,
    sources,
    supervisor,
)

cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    # Plain help, as click writes it: typer's rich panels print every flag with a type
    # (`--dry-run <bool>`), as if it took a value. Sub-apps inherit this.
    rich_markup_mode=None,
    help="Bildungsraum: the regional catalogue of continuing-education offers.",
)
for area in (catalogue, interop, indexing, supervisor):
    cli.add_typer(area.app)
cli.add_typer(portals.app, name="portal")
cli.add_typer(moderation.app, name="moderation")
cli.add_typer(monitoring.app, name="monitoring")
cli.add_typer(sources.app, name="source")
cli.add_typer(partners.feed_app, name="feed")
cli.add_typer(partners.webhooks_app, name="webhooks")
cli.add_typer(quality.app, name="quality")


def main() -> None:
    cli()

"""`bildungsraum quality ...`: stale offers per organisation, completeness scores again, and
duplicate candidates across providers."""

from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Data quality: freshness, completeness, duplicates.")


@app.command("stale")
def stale(
    org: Annotated[int | None, typer.Option(help="only this organisation")] = None,
) -> None:
    """The daily list: per organisation, its published or submitted offers unchanged for 6
    months (id, external id, last change, title), longest unchanged first. The last line
    counts them."""
    from app.cli.database import catalogue_session
    from app.services.quality.freshness import STALE_FLAG_DAYS, stale_by_organisation

    with catalogue_session() as session:
        lists = stale_by_organisation(session=session, organisation_id=org)
    total = 0
    for entry in lists:
        typer.echo(f"{entry.organisation_name} (organisation {entry.organisation_id}):")
        for o in entry.offers:
            typer.echo(
                f"  {o.offer_id}\t{o.external_id or '-'}\t{o.updated_at:%Y-%m-%d}\t{o.title}"
            )
        total += len(entry.offers)
    typer.echo(f"{total} offers of {len(lists)} organisations unchanged for {STALE_FLAG_DAYS} days")


@app.command("rescore")
def rescore() -> None:
    """Compute every offer's completeness again (after an upgrade) and queue changed offers
    for the search index. The last line counts them."""
    from app.cli.database import catalogue_session
    from app.services.quality.rescore import rescore_all

    with catalogue_session() as session:
        changed = rescore_all(session=session)
    typer.echo(f"{changed} offers scored anew")

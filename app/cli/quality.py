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


@app.command("duplicates-scan")
def duplicates_scan() -> None:
    """Compare the whole catalogue for duplicates across providers (MinHash LSH, then the same
    scoring as the check after each write) and store every pair that matches. The last line
    counts new pairs."""
    import time

    from app.cli.database import catalogue_session
    from app.services.quality.duplicates import scan_all

    started = time.perf_counter()
    with catalogue_session() as session:
        result = scan_all(session=session)
    typer.echo(
        f"{result.checked} offers scanned, {result.compared} pairs compared, "
        f"{result.found} match in {time.perf_counter() - started:.1f} s"
    )
    typer.echo(f"{result.new} new duplicate candidates")


@app.command("duplicates-check")
def duplicates_check() -> None:
    """Check now every offer written since its last duplicate check (what the duplicate check
    worker does every few seconds). The last line counts new pairs."""
    from app.cli.database import catalogue_session
    from app.services.quality.duplicates import CheckResult, check_pending

    total = CheckResult()
    while True:
        with catalogue_session() as session:
            result = check_pending(session=session)
        total.checked += result.checked
        total.new += result.new
        if result.checked == 0:
            break
    typer.echo(f"{total.checked} offers checked")
    typer.echo(f"{total.new} new duplicate candidates")


@app.command("duplicates")
def duplicates(
    limit: Annotated[int, typer.Option(min=1, max=100, help="how many, most alike first")] = 50,
) -> None:
    """Open duplicate candidates: pair id, score, both offers (id, provider, title), reason."""
    from app.cli.database import catalogue_session
    from app.models.duplicate import PairStatus
    from app.services.quality.duplicate_queue import list_pairs

    with catalogue_session() as session:
        total, pairs = list_pairs(session=session, status=PairStatus.open, offset=0, limit=limit)
    for pair in pairs:
        a, b = pair.offers
        typer.echo(f"{pair.id}\t{pair.score}\t{pair.reason}")
        typer.echo(f"    {a.id}\t{a.organisation_name}\t{a.title}")
        typer.echo(f"    {b.id}\t{b.organisation_name}\t{b.title}")
    typer.echo(f"{total} open duplicate candidates")

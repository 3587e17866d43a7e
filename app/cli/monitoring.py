"""`bildungsraum monitoring ...`: the postcode → district table, needs lists, a portal's
population, and the daily snapshot."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from app.db import get_engine, session_scope
from app.errors import DomainError, InvalidInput

app = typer.Typer(no_args_is_help=True, help="Bildungsmonitoring: regions, needs, snapshots.")


def _fail(exc: DomainError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    for detail in exc.details[1:20]:
        typer.echo(f"  {', '.join(map(str, detail['loc']))}: {detail['message']}", err=True)
    raise typer.Exit(2)


def _read(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise typer.BadParameter("the file is neither UTF-8 nor Windows-1252 text")


@app.command("import-postcodes")
def import_postcodes(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV postcode;ags")],
    replace: Annotated[bool, typer.Option(help="replace the whole table")] = False,
) -> None:
    """Add (or replace) rows of the postcode → district table; all or nothing."""
    from app.services.monitoring import regions

    try:
        with session_scope() as session:
            count = regions.import_postcode_table(
                session=session, text=_read(file), replace=replace
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"imported {count} postcodes")


@app.command("import-needs")
def import_needs(
    portal: Annotated[str, typer.Option(help="the portal's slug")],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="CSV need;search terms;KldB;category"),
    ],
) -> None:
    """Replace a portal's needs list (e.g. the Engpassberufe of the region)."""
    from app.services.auth import Actor
    from app.services.monitoring import needs, regions

    try:
        with session_scope() as session:
            found = regions.visible_portal(session=session, actor=Actor.system(), slug=portal)
            rows = needs.replace_needs(session=session, portal=found, text=_read(file))
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"portal {portal!r} has {len(rows)} needs")


@app.command("set-population")
def set_population(
    portal: Annotated[str, typer.Option(help="the portal's slug")],
    population: Annotated[
        int | None, typer.Option(help="inhabitants of the region; leave out to derive it")
    ] = None,
    reference_date: Annotated[
        str | None, typer.Option(help="the figure's reference date, YYYY-MM-DD")
    ] = None,
    source: Annotated[str | None, typer.Option(help="where the figure comes from")] = None,
) -> None:
    """The population behind a portal's per-inhabitant indicators."""
    from app.services.auth import Actor
    from app.services.monitoring import regions

    try:
        when = date.fromisoformat(reference_date) if reference_date else None
    except ValueError:
        _fail(InvalidInput.at(["reference_date"], "give the date as YYYY-MM-DD"))
        return
    if population is not None and not 1 <= population <= 100_000_000:
        _fail(InvalidInput.at(["population"], "between 1 and 100,000,000"))
    try:
        with session_scope() as session:
            found = regions.visible_portal(session=session, actor=Actor.system(), slug=portal)
            regions.set_population(
                session=session,
                portal=found,
                population=population,
                reference_date=when,
                source=source,
            )
            region = regions.portal_region(session=session, portal=found)
    except DomainError as exc:
        _fail(exc)
        return
    typer.echo(
        f"{portal}: population {region.population or 'unknown'} ({region.population_source})"
    )


@app.command("snapshot")
def snapshot() -> None:
    """Take today's snapshot of every region now (replaces today's)."""
    from app.services.monitoring.snapshots import take_snapshot

    taken = take_snapshot(engine=get_engine(), day=date.today())
    typer.echo(
        f"snapshot of {taken.day.isoformat()}: {taken.regions} regions in {taken.seconds:.1f} s"
        + (
            ""
            if taken.needs_available
            else " (search unavailable: needs coverage not refreshed; an earlier coverage of "
            "the day is kept, else there is none)"
        )
    )

"""`bildungsraum source add|list|run|remove`: the URLs catalogues are pulled from."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

app = typer.Typer(
    no_args_is_help=True, help="Pull catalogues from URLs on a schedule (open-Qcat, Open-vhs)."
)


@app.command("add")
def source_add(
    org: Annotated[int, typer.Option(help="the organisation the offers belong to")],
    url: Annotated[str, typer.Option(help="http(s) URL of the file")],
    format: Annotated[
        str | None, typer.Option(help="openqcat or openvhs (default: detect)")
    ] = None,
    interval: Annotated[int, typer.Option(help="minutes between pulls")] = 60,
) -> None:
    """Register a source; prints its id as the last line. The scheduler pulls it at once."""
    from app.models.import_source import SourceIn
    from app.services.interop.sources import create_source

    data = _valid(SourceIn, organisation_id=org, url=url, format=format, interval_minutes=interval)
    with _cli_errors(), _session() as session:
        source = create_source(session=session, actor=_actor(), data=data)
        source_id = source.id
    typer.echo(f"pulling {url} for organisation {org} every {interval} minutes")
    typer.echo(str(source_id))


@app.command("list")
def source_list(
    org: Annotated[int | None, typer.Option(help="only this organisation's")] = None,
) -> None:
    """Every source with its last pull."""
    from app.services.interop.sources import list_sources

    with _cli_errors(), _session() as session:
        _, rows = list_sources(
            session=session, actor=_actor(), organisation_id=org, offset=0, limit=10_000
        )
        for s in rows:
            last = f"{s.last_status} {s.last_run_at:%Y-%m-%d %H:%M}" if s.last_run_at else "never"
            state = "" if s.enabled else " (paused)"
            typer.echo(
                f"{s.id}  org {s.organisation_id}  {s.format or 'detect'}  every "
                f"{s.interval_minutes} min{state}  last: {last}  {s.url}"
            )


@app.command("run")
def source_run(source_id: Annotated[int, typer.Argument(help="the source's id")]) -> None:
    """Pull now and print the report; exits with 1 when the pull failed."""
    from app.services.interop.scheduler import pull_source

    with _cli_errors():
        source = pull_source(source_id, force=True)
    typer.echo(f"{source.last_status}{': ' + source.last_error if source.last_error else ''}")
    if source.last_report and source.last_status in ("imported", "rejected"):
        counts = source.last_report["counts"]
        typer.echo("  ".join(f"{k}: {v}" for k, v in counts.items()))
    if source.last_status in ("failed", "rejected"):
        raise typer.Exit(1)


@app.command("remove")
def source_remove(source_id: Annotated[int, typer.Argument(help="the source's id")]) -> None:
    """Stop pulling a source (its offers stay)."""
    from app.services.interop.sources import delete_source

    with _cli_errors(), _session() as session:
        delete_source(session=session, actor=_actor(), source_id=source_id)
    typer.echo(f"removed source {source_id}")


def _actor() -> Any:
    from app.services.auth import Actor

    return Actor.system("cli")


def _session() -> Any:
    from app.db import session_scope

    return session_scope()


def _valid(model: Any, **values: Any) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        from app.services.interop.report import describe_validation_error

        typer.echo(f"error: {describe_validation_error(exc)}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def _cli_errors() -> Iterator[None]:
    from app.errors import DomainError

    try:
        yield
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None

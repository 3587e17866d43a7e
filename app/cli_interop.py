"""`bildungsraum import`, `export` and `source`: open-Qcat, Open-vhs and CSV files from the
shell, and the URLs catalogues are pulled from."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer

_REGISTERED = "_interop_registered"
PROGRESS_FROM_BYTES = 1_000_000


class _ProgressReader:
    """Counts bytes read into a tqdm bar."""

    def __init__(self, stream: IO[bytes], bar: Any) -> None:
        self._stream = stream
        self._bar = bar

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._bar.update(len(data))
        return data


def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="open-Qcat, Open-vhs or CSV")
    ],
    org: Annotated[int, typer.Option(help="the organisation the offers belong to")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report only, write nothing")] = False,
    partial: Annotated[bool, typer.Option("--partial", help="import the valid rest")] = False,
    format: Annotated[
        str | None, typer.Option(help="openqcat, openvhs or csv (default: detect)")
    ] = None,
) -> None:
    """Import offers; exits with 1 when records failed or the file was rejected."""
    from tqdm import tqdm

    from app.db import session_scope
    from app.errors import DomainError
    from app.services.auth import Actor
    from app.services.interop import import_file

    size = file.stat().st_size
    with (
        open(file, "rb") as raw,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            file=sys.stderr,
            disable=size < PROGRESS_FROM_BYTES,
        ) as bar,
    ):
        try:
            with session_scope() as session:
                report = import_file(
                    session=session,
                    actor=Actor.system("cli"),
                    organisation_id=org,
                    stream=_ProgressReader(raw, bar),  # type: ignore[arg-type]
                    format=format,
                    dry_run=dry_run,
                    partial=partial,
                )
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
    typer.echo(report.render_text())
    if not report.ok:
        raise typer.Exit(1)


def export_command(
    org: Annotated[int, typer.Option(help="the organisation whose offers to export")],
    format: Annotated[str, typer.Option(help="openqcat")] = "openqcat",
    output: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
) -> None:
    """Export an organisation's published and submitted offers as open-Qcat XML."""
    from app.db import session_scope
    from app.errors import DomainError
    from app.services.interop.openqcat_export import export_openqcat

    if format != "openqcat":
        typer.echo("error: only --format openqcat is supported", err=True)
        raise typer.Exit(2)
    target = output or Path(os.devnull)
    try:
        with session_scope() as session:
            if output is None:
                count = export_openqcat(session=session, organisation_id=org, out=sys.stdout.buffer)
            else:
                with open(target, "wb") as out:
                    count = export_openqcat(session=session, organisation_id=org, out=out)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if output is not None:
        typer.echo(f"exported {count} offers to {output}")


source_app = typer.Typer(
    no_args_is_help=True, help="Pull catalogues from URLs on a schedule (open-Qcat, Open-vhs)."
)


@source_app.command("add")
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


@source_app.command("list")
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


@source_app.command("run")
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


@source_app.command("remove")
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


def register(cli: typer.Typer) -> None:
    # app.cli may call this more than once (tests, main()); commands must not double up.
    if getattr(cli, _REGISTERED, False):
        return
    cli.command("import")(import_command)
    cli.command("export")(export_command)
    cli.add_typer(source_app, name="source")
    setattr(cli, _REGISTERED, True)

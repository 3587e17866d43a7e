"""`bildungsraum import` and `bildungsraum export`: open-Qcat, Open-vhs and CSV files from the
shell."""

import os
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

PROGRESS_FROM_BYTES = 1_000_000

app = typer.Typer()


class _ProgressReader:
    """Counts bytes read into a tqdm bar."""

    def __init__(self, stream: IO[bytes], bar: Any) -> None:
        self._stream = stream
        self._bar = bar

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._bar.update(len(data))
        return data


@app.command("import")
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

    from app.cli.database import catalogue_session
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
            with catalogue_session() as session:
                report = import_file(
                    session=session,
                    actor=Actor.system("cli"),
                    organisation_id=org,
                    stream=_ProgressReader(raw, bar),  # type: ignore[arg-type]  # read() is all it needs
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


@app.command("export")
def export_command(
    org: Annotated[int, typer.Option(help="the organisation whose offers to export")],
    format: Annotated[str, typer.Option(help="openqcat")] = "openqcat",
    output: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
) -> None:
    """Export an organisation's published and submitted offers as open-Qcat XML."""
    from app.cli.database import catalogue_session
    from app.errors import DomainError
    from app.services.interop.openqcat_export import export_openqcat

    if format != "openqcat":
        typer.echo("error: only --format openqcat is supported", err=True)
        raise typer.Exit(2)
    target = output or Path(os.devnull)
    try:
        with catalogue_session() as session:
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

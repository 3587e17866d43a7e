"""Interop: open-Qcat and CSV import, open-Qcat and schema.org JSON-LD export."""

from typing import IO

from sqlmodel import Session

from app.errors import InvalidInput
from app.services.auth import Actor
from app.services.interop.importer import apply_records
from app.services.interop.report import FileRejected, ImportReport

FORMATS = ("openqcat", "csv")


class _Peekable:
    """Lets format detection look at the first bytes without consuming them."""

    def __init__(self, stream: IO[bytes], head: bytes) -> None:
        self._stream = stream
        self._head = head

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(size)


def detect_format(head: bytes) -> str:
    """XML starts with `<` (after a BOM and blanks); anything else is read as CSV."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return "openqcat" if text.startswith(b"<") else "csv"


def import_file(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int | None,
    stream: IO[bytes],
    format: str | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportReport:
    """Import an open-Qcat or CSV file into one organisation's catalogue and report on it."""
    head = stream.read(4096)
    fmt = format or detect_format(head)
    if fmt not in FORMATS:
        raise InvalidInput.at(["query", "format"], f"unknown format {fmt!r}; use openqcat or csv")
    source = _Peekable(stream, head)
    report = ImportReport(format=fmt, dry_run=dry_run, partial=partial)
    if fmt == "openqcat":
        from app.services.interop.openqcat_import import parse_openqcat

        records = parse_openqcat(source)  # type: ignore[arg-type]
    else:
        from app.services.interop.csv_import import parse_csv

        report.delivery = "delta"
        try:
            records = parse_csv(source)  # type: ignore[arg-type]
        except FileRejected as exc:
            report.error, report.error_line = exc.message, exc.line
            return report
    return apply_records(
        session=session,
        actor=actor,
        organisation_id=organisation_id,
        records=records,
        report=report,
    )

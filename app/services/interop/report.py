"""What an import did: counts, warnings and failures with record id and line, as JSON or text."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.errors import DomainError
from app.models.offer import OfferDateIn, OfferFields

# A file with a warning on every record should not make the report as big as the file.
MAX_LISTED = 1_000


@dataclass(frozen=True)
class Issue:
    record_id: str | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"record {self.record_id}" if self.record_id else "",
                f"line {self.line}" if self.line else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


# --- the records a parser hands to the importer ---------------------------------------------


@dataclass
class OfferRecord:
    """A whole offer keyed by the provider's id."""

    external_id: str
    line: int | None
    fields: OfferFields


@dataclass
class DateRecord:
    """One date whose offer was not next to it in the file; merged into that offer."""

    offer_external_id: str
    line: int | None
    date: OfferDateIn


@dataclass
class DeleteRecord:
    external_id: str
    line: int | None


@dataclass
class FailedRecord:
    record_id: str | None
    line: int | None
    reason: str


@dataclass
class WarningRecord:
    record_id: str | None
    line: int | None
    message: str


@dataclass
class DeliveryRecord:
    """open-Qcat says up front whether the file is the whole catalogue or a delta."""

    full: bool
    supplier: str | None = None


Record = OfferRecord | DateRecord | DeleteRecord | FailedRecord | WarningRecord | DeliveryRecord


class FileRejected(Exception):
    """The file as a whole cannot be read (syntax, encoding, DTD): nothing is imported."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class ImportReport:
    format: str
    dry_run: bool = False
    partial: bool = False
    delivery: str = "delta"
    supplier: str | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    dates_deleted: int = 0
    warnings: list[Issue] = field(default_factory=list)
    failures: list[Issue] = field(default_factory=list)
    warnings_total: int = 0
    error: str | None = None
    error_line: int | None = None
    written: bool = False

    def warn(self, record_id: str | None, line: int | None, message: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Issue(record_id, line, message))

    def fail(self, record_id: str | None, line: int | None, reason: str) -> None:
        self.failed += 1
        # Failures are always listed in full: each one is something the provider must fix.
        self.failures.append(Issue(record_id, line, reason))

    @property
    def ok(self) -> bool:
        return self.error is None and self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "delivery": self.delivery,
            "supplier": self.supplier,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "written": self.written,
            "counts": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "deleted": self.deleted,
                "failed": self.failed,
                "dates_deleted": self.dates_deleted,
            },
            "error": None
            if self.error is None
            else {"message": self.error, "line": self.error_line},
            "failures": [f.to_dict() for f in self.failures],
            "warnings": [w.to_dict() for w in self.warnings],
            "warnings_total": self.warnings_total,
        }

    def render_text(self) -> str:
        lines = [
            f"{self.format} import ({self.delivery} delivery"
            f"{', dry run' if self.dry_run else ''}{', partial' if self.partial else ''})"
            + (f" from {self.supplier}" if self.supplier else "")
        ]
        if self.error:
            where = f" (line {self.error_line})" if self.error_line else ""
            lines.append(f"error{where}: {self.error}")
        lines.append(
            f"created: {self.created}  updated: {self.updated}  "
            f"unchanged: {self.unchanged}  deleted: {self.deleted}  "
            f"failed: {self.failed}"
        )
        if self.dates_deleted:
            lines.append(f"dates deleted: {self.dates_deleted}")
        for failure in self.failures:
            lines.append(f"FAILED {failure}")
        for warning in self.warnings:
            lines.append(f"warning {warning}")
        if self.warnings_total > len(self.warnings):
            lines.append(f"... and {self.warnings_total - len(self.warnings)} more warnings")
        if self.written:
            lines.append("written to the catalogue")
        elif self.dry_run:
            lines.append("dry run: nothing was written")
        else:
            lines.append(
                "nothing was written"
                + ("; fix the failures or import with --partial" if self.failed else "")
            )
        return "\n".join(lines)


def describe_domain_error(exc: DomainError) -> str:
    """`dates.0.location.postcode: unknown postcode 99999; …`, or the message alone."""
    if not exc.details:
        return exc.message
    return "; ".join(
        f"{'.'.join(map(str, d['loc']))}: {d['message']}" if d.get("loc") else str(d["message"])
        for d in exc.details
    )


def describe_validation_error(exc: ValidationError) -> str:
    """`dates.0.location.postcode: String should match ...; title: field required`."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "missing":
            message = "field required"
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)

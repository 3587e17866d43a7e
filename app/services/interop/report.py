"""What an import did: counts, warnings and failures with record id and line, as JSON or text."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.codelists import OfferStatus
from app.errors import MAX_ERROR_DETAILS, DomainError, error_body, error_message
from app.models.offer import OfferDateIn, OfferFields
from app.search.documents import is_current

# A file with a warning on every record should not make the report as big as the file.
MAX_LISTED = 1_000
# Each offer's outcome is listed for deliveries of any usual size.
MAX_OUTCOMES = 10_000
# The text report names the least complete offers; the JSON report names every one.
MAX_COMPLETENESS_LINES = 20


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


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What became of one offer of the file and whether citizens will find it."""

    record_id: str
    line: int | None
    action: str  # created, updated, unchanged, deleted
    outcome: str  # one of OUTCOMES
    until: date | None = None  # the day a not-visible outcome speaks of
    # The offer's completeness score (0-100) and what would raise it ("+15: give a price");
    # none for a deleted offer.
    completeness: int | None = None
    missing: tuple[str, ...] = ()

    def message(self, *, written: bool) -> str:
        text = OUTCOMES[self.outcome].format(day=f"{self.until:%d.%m.%Y}" if self.until else "")
        if written:
            return f"{self.action}; {text}"
        return f"would be {self.action}; {text}"

    def to_dict(self, *, written: bool) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "line": self.line,
            "action": self.action,
            "outcome": self.outcome,
            "visible": self.outcome in VISIBLE,
            "message": self.message(written=written),
            "completeness": self.completeness,
            "missing": list(self.missing),
        }


# Outcome → what it means for the provider (a not-visible one says why and until when).
OUTCOMES = {
    "published": "published: citizens find it",
    "waits_for_review": "waits for review before citizens find it",
    "changes_wait_for_review": "published; the changes wait for review, citizens see the "
    "version before them",
    "withdrawn": "withdrawn: not visible until it is submitted again",
    "announcement_not_started": "not visible before {day}, when its announcement starts",
    "announcement_ended": "not visible: its announcement ended on {day}",
    "dates_passed": "not visible: all its dates have passed",
    "deleted": "deleted: no longer visible",
}


# Citizens find the offer (for a pending revision: the version before the changes).
VISIBLE = frozenset({"published", "changes_wait_for_review"})


def offer_outcome(
    *, status: str, revision_pending: bool, fields: OfferFields, today: date
) -> tuple[str, date | None]:
    """The outcome of an offer with this status and content, and the day it speaks of."""
    if status == OfferStatus.archived:
        return "deleted", None
    if status == OfferStatus.withdrawn:
        return "withdrawn", None
    if fields.visible_until is not None and fields.visible_until < today:
        return "announcement_ended", fields.visible_until
    if fields.dates and not any(is_current(d, today) for d in fields.dates):
        return "dates_passed", None
    if fields.visible_from is not None and fields.visible_from > today:
        return "announcement_not_started", fields.visible_from
    if status != OfferStatus.published:
        return "waits_for_review", None
    return ("changes_wait_for_review" if revision_pending else "published"), None


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


COUNTED = ("created", "updated", "unchanged", "deleted")


@dataclass
class ImportReport:
    """Counts say what was written: all 0 when nothing was (a dry run, or a failure without
    --partial); `would` then says what the file would have done."""

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
    outcomes: list[RecordOutcome] = field(default_factory=list)
    outcomes_total: Counter[str] = field(default_factory=Counter)
    would: dict[str, int] | None = None
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

    def record(self, outcomes: list[RecordOutcome]) -> None:
        """Each offer's final outcome, in the order of the file."""
        for outcome in outcomes:
            self.outcomes_total[outcome.outcome] += 1
        self.outcomes = outcomes[:MAX_OUTCOMES]

    def settle(self, *, written: bool) -> None:
        """Nothing written: the counts move to `would`, and what was written is all 0."""
        self.written = written
        if written:
            self.would = None
            return
        self.would = {name: getattr(self, name) for name in (*COUNTED, "dates_deleted")}
        for name in (*COUNTED, "dates_deleted"):
            setattr(self, name, 0)

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
            "would": self.would,
            "outcomes": dict(sorted(self.outcomes_total.items())),
            "records": [o.to_dict(written=self.written) for o in self.outcomes],
            "error": None
            if self.error is None
            else {"message": self.error, "line": self.error_line},
            "failures": [f.to_dict() for f in self.failures],
            "warnings": [w.to_dict() for w in self.warnings],
            "warnings_total": self.warnings_total,
        }

    def _counts_text(self) -> str:
        if self.would is None:
            counts = {name: getattr(self, name) for name in COUNTED}
            return "  ".join(f"{name}: {n}" for name, n in counts.items())
        verbs = {"created": "create", "updated": "update", "unchanged": "leave unchanged"}
        verbs["deleted"] = "delete"
        return "  ".join(f"would {verbs[name]}: {self.would[name]}" for name in COUNTED)

    def _completeness_text(self) -> list[str]:
        """The average, then the least complete offers with what would raise them."""
        scored = [o for o in self.outcomes if o.completeness is not None]
        if not scored:
            return []
        average = round(sum(o.completeness or 0 for o in scored) / len(scored))
        lines = [f"completeness: average {average} of 100 (formula: docs/quality.md)"]
        thin = sorted((o for o in scored if o.missing), key=lambda o: o.completeness or 0)
        for o in thin[:MAX_COMPLETENESS_LINES]:
            where = f" (line {o.line})" if o.line else ""
            lines.append(
                f"{o.record_id}{where}: completeness {o.completeness}; {'; '.join(o.missing)}"
            )
        if len(thin) > MAX_COMPLETENESS_LINES:
            lines.append(f"... and {len(thin) - MAX_COMPLETENESS_LINES} more offers below 100")
        return lines

    def render_text(self) -> str:
        lines = [
            f"{self.format} import ({self.delivery} delivery"
            f"{', dry run' if self.dry_run else ''}{', partial' if self.partial else ''})"
            + (f" from {self.supplier}" if self.supplier else "")
        ]
        if self.error:
            where = f" (line {self.error_line})" if self.error_line else ""
            lines.append(f"error{where}: {self.error}")
        lines.append(f"{self._counts_text()}  failed: {self.failed}")
        if self.dates_deleted or (self.would or {}).get("dates_deleted"):
            n = self.dates_deleted if self.would is None else self.would["dates_deleted"]
            lines.append(f"dates {'deleted' if self.would is None else 'to delete'}: {n}")
        if self.outcomes_total:
            lines.append(
                "outcomes: "
                + ", ".join(f"{name}: {n}" for name, n in sorted(self.outcomes_total.items()))
            )
        lines.extend(self._completeness_text())
        for outcome in self.outcomes:
            if outcome.outcome not in VISIBLE:
                where = f" (line {outcome.line})" if outcome.line else ""
                lines.append(f"{outcome.record_id}{where}: {outcome.message(written=self.written)}")
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
        elif self.error is None:
            lines.append(
                "nothing was written"
                + ("; fix the failures or import with --partial" if self.failed else "")
            )
        else:
            lines.append("nothing was written")
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
    """`dates.0.location.postcode: give five digits (…); title: field required`, worded as
    the API words them (app.errors)."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        message = error_message(err)
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)


def rejection(report: dict[str, Any]) -> dict[str, Any] | None:
    """Why an import (its report as the API returns it) wrote nothing, in the one error shape:
    the file could not be read, or records failed and the valid rest was not asked for. None
    when it was not rejected (a dry run is judged like the real one)."""
    error = report["error"]
    if error is not None:
        loc: list[str | int] = ["file"] if error["line"] is None else ["file", error["line"]]
        return error_body(
            "import_rejected", error["message"], [{"loc": loc, "message": error["message"]}]
        )
    failures = report["failures"]
    if not failures or report["partial"]:
        return None
    details = [
        {"loc": ["records", f["record_id"] or f"line {f['line']}"], "message": f["message"]}
        for f in failures[:MAX_ERROR_DETAILS]
    ]
    message = (
        f"{len(failures)} record(s) failed, so nothing was written; fix them, "
        "or import with partial=true to keep the valid rest"
    )
    return error_body("import_rejected", message, details)

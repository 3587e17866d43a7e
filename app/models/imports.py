"""The import report as the API returns it (see app/services/interop/report.py)."""

from typing import Literal

from pydantic import BaseModel, Field


class ImportCounts(BaseModel):
    created: int
    updated: int
    unchanged: int
    deleted: int
    failed: int
    dates_deleted: int


class WouldCounts(BaseModel):
    created: int
    updated: int
    unchanged: int
    deleted: int
    dates_deleted: int


class RecordOutcomeOut(BaseModel):
    record_id: str
    line: int | None
    action: Literal["created", "updated", "unchanged", "deleted"]
    outcome: str = Field(
        description="published, waits_for_review, changes_wait_for_review, withdrawn, "
        "announcement_not_started, announcement_ended, dates_passed or deleted"
    )
    visible: bool = Field(description="whether citizens find the offer")
    message: str


class ImportIssue(BaseModel):
    record_id: str | None
    line: int | None
    message: str


class FileError(BaseModel):
    message: str
    line: int | None


class ImportReportOut(BaseModel):
    """What an import did. `counts` are what was written (all 0 when nothing was: a dry run,
    or a failure without `partial`); `would` then says what the file would do."""

    format: str
    delivery: str
    supplier: str | None
    dry_run: bool
    partial: bool
    written: bool
    counts: ImportCounts
    would: WouldCounts | None
    outcomes: dict[str, int] = Field(description="how many offers ended in each outcome")
    records: list[RecordOutcomeOut] = Field(description="each offer's outcome, file order")
    error: FileError | None = Field(description="the file as a whole could not be read")
    failures: list[ImportIssue]
    warnings: list[ImportIssue]
    warnings_total: int

"""Imports: open-Qcat, Open-vhs or CSV files into a provider's catalogue, with a report."""

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app import api_examples
from app.deps import ActorDep
from app.errors import InvalidInput, error_body
from app.models.imports import ImportReportOut
from app.openapi import documented
from app.services.interop.csv_import import template_csv
from app.services.interop.import_jobs import run_import

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

CHUNK_BYTES = 1024 * 1024


@router.get(
    "/csv-template", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def csv_template() -> Response:
    """The CSV columns with German headers and one example row (UTF-8, `;`)."""
    return Response(
        content="\ufeff" + template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="angebote.csv"'},
    )


@router.post(
    "",
    response_model=ImportReportOut,
    responses=documented(403, 404, 413, 422),
    openapi_extra=api_examples.import_request_body(),
)
async def import_offers(
    request: Request,
    actor: ActorDep,
    organisation_id: Annotated[int | None, Query(description="admins: target organisation")] = None,
    format: Annotated[Literal["openqcat", "openvhs", "csv"] | None, Query()] = None,
    dry_run: bool = False,
    partial: bool = False,
) -> Any:
    """Import an open-Qcat, Open-vhs (XML or Berlin JSON) or CSV file, sent as the raw body or
    as multipart field `file`; the report names each failed record (id, line, reason) and each
    offer's outcome. A file that cannot be read at all is a 422 in the error shape, with the
    report beside it under `report`."""
    # The upload goes to a file while it arrives, and the import runs in a child process
    # (app/services/interop/import_jobs.py): it must not hold up the event loop that serves
    # every other request of this process.
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / "upload"
        async with await anyio.open_file(path, "wb") as target:
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                try:
                    form = await request.form()
                except HTTPException as exc:  # not multipart after all: a 422 like any input
                    raise InvalidInput.at(
                        ["file"], f"the multipart body cannot be read ({exc.detail})"
                    ) from None
                upload = form.get("file")
                if upload is None:
                    raise InvalidInput.at(["file"], "send the file in the multipart field 'file'")
                if isinstance(upload, str):  # a form field without a file name: its text
                    await target.write(upload.encode())
                else:
                    while chunk := await upload.read(CHUNK_BYTES):
                        await target.write(chunk)
            else:
                async for chunk in request.stream():
                    await target.write(chunk)
        report = await run_import(
            actor=actor,
            organisation_id=organisation_id,
            path=path,
            format=format,
            dry_run=dry_run,
            partial=partial,
        )
    error = report["error"]
    if error is not None:
        # The file cannot be read at all: the one error shape, with the full report beside it.
        loc: list[str | int] = ["file"] if error["line"] is None else ["file", error["line"]]
        details = [{"loc": loc, "message": error["message"]}]
        body = error_body("import_rejected", error["message"], details)
        return JSONResponse({**body, "report": report}, status_code=422)
    return report

"""Imports: open-Qcat, Open-vhs or CSV files into a provider's catalogue, with a report."""

import tempfile
from functools import partial as partial_call
from typing import IO, Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.deps import ActorDep, SessionDep
from app.errors import InvalidInput, error_body
from app.services.interop import import_file
from app.services.interop.csv_import import template_csv

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

# Uploads above this size go to disk while they arrive, not into memory.
SPOOL_BYTES = 8 * 1024 * 1024


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
    responses={
        422: {"description": "the file as a whole cannot be read; `report` says where"},
    },
)
async def import_offers(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    organisation_id: Annotated[int | None, Query(description="admins: target organisation")] = None,
    format: Annotated[Literal["openqcat", "openvhs", "csv"] | None, Query()] = None,
    dry_run: bool = False,
    partial: bool = False,
) -> Any:
    """Import a file sent as the raw body or as multipart field `file`; returns the report."""
    # The upload is spooled (to disk past SPOOL_BYTES) and the import runs in a worker
    # thread: parsing and writing thousands of offers must not hold the event loop, which
    # serves every other request of this process (measured: /health unanswered for 7 s
    # during a 3,000-offer import when it ran on the loop).
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInput.at(["file"], "send the file in the multipart field 'file'")
            source: IO[bytes] = upload.file
        else:
            spooled = anyio.wrap_file(spool)
            async for chunk in request.stream():
                await spooled.write(chunk)
            source = spool
        await anyio.to_thread.run_sync(source.seek, 0)
        report = await anyio.to_thread.run_sync(
            partial_call(
                import_file,
                session=session,
                actor=actor,
                organisation_id=organisation_id,
                stream=source,
                format=format,
                dry_run=dry_run,
                partial=partial,
            )
        )
    if report.error is not None:
        # The file cannot be read at all: the one error shape, with the full report beside it.
        loc: list[str | int] = (
            ["file"] if report.error_line is None else ["file", report.error_line]
        )
        body = error_body("import_rejected", report.error, [{"loc": loc, "message": report.error}])
        return JSONResponse({**body, "report": report.to_dict()}, status_code=422)
    return report.to_dict()

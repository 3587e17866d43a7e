"""Imports: open-Qcat, Open-vhs or CSV files into a provider's catalogue, with a report."""

import tempfile
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.formparsers import MultiPartException, MultiPartParser

from app import api_examples
from app.config import get_settings
from app.deps import ActorDep
from app.errors import InvalidInput, PayloadTooLarge
from app.models.imports import ImportReportOut
from app.models.types import DbId
from app.openapi import documented
from app.services.auth import Actor
from app.services.interop.csv_import import template_csv
from app.services.interop.import_jobs import run_import
from app.services.interop.report import rejection

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


def _limit_for(actor: Actor) -> int:
    settings = get_settings()
    return settings.max_import_bytes if actor.is_admin else settings.max_provider_import_bytes


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the import file is larger than {limit:,} bytes")


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The request body, refused with 413 once it grows past the caller's limit."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        yield chunk


@router.post(
    "",
    response_model=ImportReportOut,
    responses=documented(403, 404, 408, 413, 422),
    openapi_extra=api_examples.import_request_body(),
)
async def import_offers(
    request: Request,
    actor: ActorDep,
    organisation_id: Annotated[
        DbId | None, Query(description="admins: target organisation")
    ] = None,
    format: Annotated[Literal["openqcat", "openvhs", "csv"] | None, Query()] = None,
    dry_run: bool = False,
    partial: bool = False,
) -> Any:
    """Import an open-Qcat, Open-vhs (XML or Berlin JSON) or CSV file, sent as the raw body or
    as multipart field `file`; the report names each failed record (id, line, reason) and each
    offer's outcome. A rejected import (the file cannot be read, or records failed without
    `partial`) is a 422 in the error shape, with the report beside it under `report`."""
    limit = _limit_for(actor)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    # The upload goes to a file while it arrives, and the import runs in a child process
    # (app/services/interop/import_jobs.py): it must not hold up the event loop that serves
    # every other request of this process.
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / "upload"
        async with await anyio.open_file(path, "wb") as target:
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                try:
                    async with aclosing(_limited(request, limit)) as stream:
                        form = await MultiPartParser(
                            request.headers, stream, max_files=1, max_fields=10
                        ).parse()
                except MultiPartException as exc:  # not multipart after all: a 422 like any input
                    raise InvalidInput.at(
                        ["file"], f"the multipart body cannot be read ({exc.message})"
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
                async for chunk in _limited(request, limit):
                    await target.write(chunk)
        report = await run_import(
            actor=actor,
            organisation_id=organisation_id,
            path=path,
            format=format,
            dry_run=dry_run,
            partial=partial,
        )
    refused = rejection(report)
    if refused is not None:
        return JSONResponse({**refused, "report": report}, status_code=422)
    return report

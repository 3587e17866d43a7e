"""Imports: open-Qcat or CSV files into a provider's catalogue, with a report."""

import tempfile
from collections.abc import AsyncGenerator
from contextlib import aclosing
from functools import partial as partial_call
from typing import IO, Annotated, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.formparsers import MultiPartException, MultiPartParser

from app.config import get_settings
from app.deps import ActorDep, SessionDep
from app.errors import InvalidInput, PayloadTooLarge
from app.models.types import DbId
from app.services.auth import Actor
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


def _limit_for(actor: Actor) -> int:
    settings = get_settings()
    return settings.max_import_bytes if actor.is_admin else settings.max_provider_import_bytes


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The request body, refused with 413 once it grows past the caller's limit."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"the import file is larger than {limit:,} bytes")
        yield chunk


@router.post(
    "",
    responses={
        422: {"description": "the file was rejected; the body is the import report"},
    },
)
async def import_offers(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    organisation_id: Annotated[
        DbId | None, Query(description="admins: target organisation")
    ] = None,
    format: Annotated[Literal["openqcat", "csv"] | None, Query()] = None,
    dry_run: bool = False,
    partial: bool = False,
) -> JSONResponse:
    """Import a file sent as the raw body or as multipart field `file`; returns the report,
    with status 422 when the file was rejected (nothing written, the report says why)."""
    limit = _limit_for(actor)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the import file is larger than {limit:,} bytes")
    # The upload is spooled (to disk past SPOOL_BYTES) and the import runs in a worker
    # thread: parsing and writing thousands of offers must not hold the event loop, which
    # serves every other request of this process (measured: /health unanswered for 7 s
    # during a 3,000-offer import when it ran on the loop). The request's database session
    # takes its connection only in that thread, after the whole file has arrived.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            try:
                async with aclosing(_limited(request, limit)) as stream:
                    form = await MultiPartParser(
                        request.headers, stream, max_files=1, max_fields=10
                    ).parse()
            except MultiPartException as exc:
                raise InvalidInput.at(["file"], f"the multipart body is malformed: {exc}") from None
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInput.at(["file"], "send the file in the multipart field 'file'")
            source: IO[bytes] = upload.file
        else:
            spooled = anyio.wrap_file(spool)
            async for chunk in _limited(request, limit):
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
    return JSONResponse(report.to_dict(), status_code=422 if report.rejected else 200)

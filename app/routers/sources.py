"""Import sources: admins register the URLs catalogues are pulled from; an organisation reads
its own sources and their last report."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel

from app.deps import ActorDep, AdminDep, PaginationDep, SessionDep
from app.models.import_source import SourceIn, SourcePatch, SourcePublic
from app.openapi import documented
from app.services.interop import sources

router = APIRouter(prefix="/api/v1", tags=["import sources"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class SourcePage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[SourcePublic]


@router.post(
    "/admin/sources",
    status_code=status.HTTP_201_CREATED,
    response_model=SourcePublic,
    responses=documented(422),
)
def create_source(body: SourceIn, session: SessionDep, actor: AdminDep) -> SourcePublic:
    """Admins: pull an organisation's catalogue from a URL every `interval_minutes`."""
    return sources.to_public(sources.create_source(session=session, actor=actor, data=body))


@router.get("/admin/sources", response_model=SourcePage)
def list_sources(
    session: SessionDep,
    actor: AdminDep,
    pagination: PaginationDep,
    organisation_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> SourcePage:
    """Admins: every source, or one organisation's."""
    return _page(session, actor, pagination, organisation_id)


@router.get("/admin/sources/{source_id}", response_model=SourcePublic)
def get_source(source_id: Id, session: SessionDep, actor: AdminDep) -> SourcePublic:
    """Admins: one source with its last report."""
    return sources.to_public(sources.get_source(session=session, actor=actor, source_id=source_id))


@router.patch("/admin/sources/{source_id}", response_model=SourcePublic)
def update_source(
    source_id: Id, body: SourcePatch, session: SessionDep, actor: AdminDep
) -> SourcePublic:
    """Admins: change URL, format, interval or pause it (`enabled: false`)."""
    source = sources.update_source(session=session, actor=actor, source_id=source_id, data=body)
    return sources.to_public(source)


@router.delete(
    "/admin/sources/{source_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(409),
)
def delete_source(source_id: Id, session: SessionDep, actor: AdminDep) -> Response:
    """Admins: stop pulling; the offers it brought stay."""
    sources.delete_source(session=session, actor=actor, source_id=source_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/admin/sources/{source_id}/run",
    response_model=SourcePublic,
    responses=documented(409),
)
def run_source(source_id: Id, session: SessionDep, actor: AdminDep) -> SourcePublic:
    """Admins: pull now, whether due or not; answers when the pull is done, with its report."""
    from app.services.interop.scheduler import pull_source

    sources.get_source(session=session, actor=actor, source_id=source_id)
    return sources.to_public(pull_source(source_id, force=True))


@router.get("/sources", response_model=SourcePage)
def my_sources(session: SessionDep, actor: ActorDep, pagination: PaginationDep) -> SourcePage:
    """The caller's organisation's sources with their last report (admins: all)."""
    return _page(session, actor, pagination, None)


@router.get("/sources/{source_id}", response_model=SourcePublic)
def my_source(source_id: Id, session: SessionDep, actor: ActorDep) -> SourcePublic:
    """One of the caller's organisation's sources with its last report."""
    return sources.to_public(sources.get_source(session=session, actor=actor, source_id=source_id))


def _page(
    session: SessionDep, actor: ActorDep, pagination: PaginationDep, organisation_id: int | None
) -> SourcePage:
    total, rows = sources.list_sources(
        session=session,
        actor=actor,
        organisation_id=organisation_id,
        offset=pagination.offset,
        limit=pagination.per_page,
    )
    return SourcePage(
        total=total,
        page=pagination.page,
        per_page=pagination.per_page,
        items=[sources.to_public(r) for r in rows],
    )

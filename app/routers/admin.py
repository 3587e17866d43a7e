"""Admin API: organisations and API keys."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel

from app.deps import ActorDep, AdminDep, PaginationDep, SessionDep
from app.errors import Forbidden
from app.models.api_key import PORTAL_ROLES, ApiKeyCreated, ApiKeyIn, ApiKeyPublic, Role
from app.models.organisation import OrganisationIn, OrganisationPatch, OrganisationPublic
from app.openapi import documented
from app.services import auth, organisations
from app.services.monitoring import regions as monitoring_regions

router = APIRouter(prefix="/api/v1", tags=["admin"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class OrganisationPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[OrganisationPublic]


@router.post(
    "/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationPublic
)
def create_organisation(
    body: OrganisationIn, session: SessionDep, actor: AdminDep
) -> OrganisationPublic:
    """Admins: register an organisation."""
    org = organisations.create_organisation(session=session, actor=actor, data=body)
    return OrganisationPublic.model_validate(org)


@router.get("/organisations", response_model=OrganisationPage)
def list_organisations(
    session: SessionDep, actor: AdminDep, pagination: PaginationDep
) -> OrganisationPage:
    """Admins: all organisations."""
    total, rows = organisations.list_organisations(
        session=session, offset=pagination.offset, limit=pagination.per_page
    )
    return OrganisationPage(
        total=total,
        page=pagination.page,
        per_page=pagination.per_page,
        items=[OrganisationPublic.model_validate(r) for r in rows],
    )


@router.get(
    "/organisations/{organisation_id}", response_model=OrganisationPublic, responses=documented(403)
)
def get_organisation(
    organisation_id: Id, session: SessionDep, actor: ActorDep
) -> OrganisationPublic:
    """Admins, or a provider reading its own organisation."""
    if not actor.may_manage_organisation(organisation_id):
        raise Forbidden("a provider key can only read its own organisation")
    org = organisations.get_organisation(session=session, organisation_id=organisation_id)
    return OrganisationPublic.model_validate(org)


@router.patch("/organisations/{organisation_id}", response_model=OrganisationPublic)
def update_organisation(
    organisation_id: Id, body: OrganisationPatch, session: SessionDep, actor: AdminDep
) -> OrganisationPublic:
    """Admins: change an organisation (trust, quality seals, contact)."""
    org = organisations.update_organisation(
        session=session, actor=actor, organisation_id=organisation_id, data=body
    )
    return OrganisationPublic.model_validate(org)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=documented(404),
)
def create_api_key(body: ApiKeyIn, session: SessionDep, actor: AdminDep) -> ApiKeyCreated:
    """Admins: create a key. The key is in this response and nowhere else, ever. An analyst
    key reads the monitoring figures of the portals named in `portals`, an operator key
    manages those portals' webhooks; nothing else."""
    key, plain = auth.create_api_key(
        session=session,
        role=Role(body.role),
        organisation_id=body.organisation_id,
        name=body.name,
        expires_at=body.expires_at,
    )
    portals: list[str] = []
    if body.role in PORTAL_ROLES:
        assert key.id is not None
        portals = monitoring_regions.bind_analyst(
            session=session, api_key_id=key.id, slugs=body.portals
        )
    return ApiKeyCreated.model_validate(
        {**ApiKeyPublic.model_validate(key).model_dump(), "key": plain, "portals": portals}
    )


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(session: SessionDep, actor: AdminDep) -> list[ApiKeyPublic]:
    """Admins: all keys (prefixes only; analyst keys with their portals)."""
    keys = auth.list_api_keys(session=session)
    portals = monitoring_regions.analyst_portals(
        session=session, api_key_ids=[k.id for k in keys if k.id is not None]
    )
    return [
        ApiKeyPublic.model_validate(k).model_copy(update={"portals": portals.get(k.id or 0, [])})
        for k in keys
    ]


@router.delete("/api-keys/{key_id}", response_model=ApiKeyPublic)
def revoke_api_key(key_id: Id, session: SessionDep, actor: AdminDep) -> ApiKeyPublic:
    """Admins: revoke a key."""
    return ApiKeyPublic.model_validate(auth.revoke_api_key(session=session, key_id=key_id))

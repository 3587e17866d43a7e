"""Exports: an offer as schema.org JSON-LD."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.deps import OptionalActorDep, SessionDep
from app.openapi import documented
from app.services import offers
from app.services.interop.jsonld import course_jsonld, jsonld_text

router = APIRouter(prefix="/api/v1/offers", tags=["exports"])


@router.get(
    "/{offer_id}.jsonld",
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {}}}, **documented(410)},
)
def offer_jsonld(
    offer_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    actor: OptionalActorDep,
) -> Response:
    """The offer as a schema.org `Course`; visible to the same callers as the offer itself."""
    view = offers.get_offer(session=session, actor=actor, offer_id=offer_id)
    return Response(content=jsonld_text(course_jsonld(view)), media_type="application/ld+json")

"""The moderation queue for admins: what waits for review, and bulk publish and reject."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.deps import AdminDep, PaginationDep, SessionDep
from app.models.duplicate import DuplicateDecision, DuplicatePage, DuplicatePair, PairStatus
from app.models.moderation import (
    ModerationIds,
    ModerationQueue,
    ModerationReject,
    ModerationResult,
)
from app.openapi import documented
from app.services import moderation as service
from app.services.quality import duplicate_queue

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])


@router.get("", response_model=ModerationQueue)
def moderation_queue(
    session: SessionDep,
    _: AdminDep,
    pagination: PaginationDep,
    organisation_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="only this organisation's offers")
    ] = None,
) -> ModerationQueue:
    """Submitted offers and pending revisions, longest waiting first; a revision lists each
    changed field before and after."""
    total, items = service.moderation_queue(
        session=session,
        organisation_id=organisation_id,
        offset=pagination.offset,
        limit=pagination.per_page,
    )
    return ModerationQueue(
        total=total, page=pagination.page, per_page=pagination.per_page, items=items
    )


@router.post("/publish", response_model=ModerationResult)
def publish(body: ModerationIds, session: SessionDep, actor: AdminDep) -> ModerationResult:
    """Publish offers and pending revisions. Each id is decided on its own: its outcome or its
    error is in `results`; when none could be published the answer is 422 and nothing changed."""
    return service.publish_many(session=session, actor=actor, offer_ids=body.offer_ids)


@router.post("/reject", response_model=ModerationResult)
def reject(body: ModerationReject, session: SessionDep, actor: AdminDep) -> ModerationResult:
    """Reject offers and pending revisions with one reason the providers see (a published
    offer keeps its published version); each id is decided on its own, as for publish."""
    return service.reject_many(
        session=session, actor=actor, offer_ids=body.offer_ids, reason=body.reason
    )


@router.get("/duplicates", response_model=DuplicatePage)
def duplicates(
    session: SessionDep,
    _: AdminDep,
    pagination: PaginationDep,
    status: Annotated[
        PairStatus, Query(description="open (default): waiting for a decision")
    ] = PairStatus.open,
) -> DuplicatePage:
    """Duplicate candidates across providers, most alike first, each with its score and what
    matched (title, description, place, dates). Open pairs are listed while both offers are
    published or submitted."""
    total, items = duplicate_queue.list_pairs(
        session=session, status=status, offset=pagination.offset, limit=pagination.per_page
    )
    return DuplicatePage(
        total=total, page=pagination.page, per_page=pagination.per_page, items=items
    )


@router.post(
    "/duplicates/{pair_id}/decision",
    response_model=DuplicatePair,
    responses=documented(404, 409),
)
def decide_duplicate(
    pair_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: DuplicateDecision,
    session: SessionDep,
    actor: AdminDep,
) -> DuplicatePair:
    """`not_duplicate`: the pair is never proposed again. `same` with `canonical_offer_id`
    (one of the pair): the other offer is no hit of its own; portals name its provider under
    the canonical hit ("auch angeboten von …") or leave it out. Recorded in the audit log."""
    return duplicate_queue.decide(session=session, actor=actor, pair_id=pair_id, decision=body)

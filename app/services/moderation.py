"""The moderation queue: submitted offers and pending revisions, oldest first, and decisions
on many of them at once, each id on its own (one bad id does not undo the others)."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, and_, case, cast, or_
from sqlmodel import Session, col, func, select

from app.codelists import OfferStatus
from app.db import savepoint
from app.errors import Conflict, DomainError, ErrorDetail, ErrorInfo, InvalidInput
from app.models.moderation import (
    Decision,
    FieldChange,
    ModerationItem,
    ModerationOutcome,
    ModerationResult,
)
from app.models.offer import Offer
from app.models.organisation import Organisation
from app.services import offers
from app.services.auth import Actor

# A JSON column holding None reads back as SQL NULL on one database and JSON null on another.
_HAS_REVISION = and_(
    col(Offer.pending_revision).is_not(None), cast(Offer.pending_revision, Text) != "null"
)
_WAITING = or_(
    col(Offer.status) == OfferStatus.submitted.value,
    and_(col(Offer.status) == OfferStatus.published.value, _HAS_REVISION),
)


# A revision waits since it was submitted (the public updated_at stays as it was); a
# submitted offer since its last change.
_WAITING_SINCE = case(
    (
        and_(col(Offer.status) == OfferStatus.published.value, _HAS_REVISION),
        func.coalesce(col(Offer.revision_at), col(Offer.updated_at)),
    ),
    else_=col(Offer.updated_at),
)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Each top-level field whose value differs, in the order of the offer's fields."""
    return [
        FieldChange(field=name, before=before.get(name), after=value)
        for name, value in after.items()
        if before.get(name) != value
    ]


def moderation_queue(
    *, session: Session, organisation_id: int | None, offset: int, limit: int
) -> tuple[int, list[ModerationItem]]:
    """What waits for an admin, longest waiting first: submitted offers, and published offers
    with a pending revision (with the revision's field-by-field changes)."""
    query = select(Offer, Organisation.name).join(
        Organisation, col(Organisation.id) == col(Offer.organisation_id)
    )
    query = query.where(_WAITING)
    if organisation_id is not None:
        query = query.where(Offer.organisation_id == organisation_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(
        session.exec(query.order_by(_WAITING_SINCE, col(Offer.id)).offset(offset).limit(limit))
    )
    revised = [o.id for o, _ in rows if o.status == OfferStatus.published and o.id is not None]
    dates = offers.load_dates(session=session, offer_ids=revised)
    items = []
    for offer, organisation_name in rows:
        assert offer.id is not None
        revision = offer.status == OfferStatus.published and offer.pending_revision is not None
        changes = (
            field_changes(offers.snapshot(offer, dates[offer.id]), offer.pending_revision or {})
            if revision
            else []
        )
        items.append(
            ModerationItem(
                offer_id=offer.id,
                organisation_id=offer.organisation_id,
                organisation_name=organisation_name,
                external_id=offer.external_id,
                title=offer.title,
                kind="revision" if revision else "new",
                waiting_since=(offer.revision_at if revision else None) or offer.updated_at,
                changes=changes,
            )
        )
    return int(total), items


def _decide(
    *,
    session: Session,
    offer_ids: list[int],
    decide: Callable[[int], Decision],
    verb: str,
) -> ModerationResult:
    """Run `decide` for each id in its own savepoint; a failure is that id's outcome. When no
    id could be decided, nothing changed and the whole request is invalid input."""
    outcomes: list[ModerationOutcome] = []
    for index, offer_id in enumerate(offer_ids):
        try:
            with savepoint(session):
                outcome = decide(offer_id)
        except DomainError as exc:
            detail = ErrorDetail(loc=["offer_ids", index], message=exc.message)
            error = ErrorInfo(code=exc.code, message=exc.message, details=[detail])
            outcomes.append(ModerationOutcome(offer_id=offer_id, ok=False, error=error))
            continue
        outcomes.append(ModerationOutcome(offer_id=offer_id, ok=True, outcome=outcome))
    if not any(o.ok for o in outcomes):
        details = [d.model_dump() for o in outcomes if o.error for d in o.error.details]
        raise InvalidInput(f"none of the offers could be {verb}", details=details)
    done = sum(1 for o in outcomes if o.ok)
    return ModerationResult(done=done, failed=len(outcomes) - done, results=outcomes)


def publish_many(*, session: Session, actor: Actor, offer_ids: list[int]) -> ModerationResult:
    """Publish submitted offers and pending revisions."""

    def publish(offer_id: int) -> Decision:
        offer = session.get(Offer, offer_id)
        revision = offer is not None and offer.status == OfferStatus.published
        if revision and offer is not None and offer.pending_revision is None:
            raise Conflict(f"offer {offer_id} is published already and has no changes waiting")
        offers.publish_offer(session=session, actor=actor, offer_id=offer_id)
        return "revision_published" if revision else "published"

    return _decide(session=session, offer_ids=offer_ids, decide=publish, verb="published")


def reject_many(
    *, session: Session, actor: Actor, offer_ids: list[int], reason: str
) -> ModerationResult:
    """Reject submitted offers and pending revisions with one reason the providers see."""

    def reject(offer_id: int) -> Decision:
        offer = session.get(Offer, offer_id)
        revision = offer is not None and offer.status == OfferStatus.published
        offers.reject_offer(session=session, actor=actor, offer_id=offer_id, reason=reason)
        return "revision_rejected" if revision else "rejected"

    return _decide(session=session, offer_ids=offer_ids, decide=reject, verb="rejected")

"""Organisations: create, read, update; trust and quality seals are admin matters."""

from sqlmodel import Session, col, func, select

from app.errors import NotFound
from app.models.offer import Offer
from app.models.organisation import (
    Organisation,
    OrganisationIn,
    OrganisationPatch,
    organisation_values,
)
from app.models.types import utcnow
from app.services import audit, outbox
from app.services.auth import Actor


def create_organisation(*, session: Session, actor: Actor, data: OrganisationIn) -> Organisation:
    """Create an organisation."""
    org = Organisation(**organisation_values(data))
    session.add(org)
    session.flush()
    assert org.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="organisation",
        entity_id=org.id,
        action="create",
        fields=list(data.model_fields_set),
    )
    return org


def get_organisation(*, session: Session, organisation_id: int) -> Organisation:
    """One organisation or NotFound."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


def list_organisations(
    *, session: Session, offset: int, limit: int
) -> tuple[int, list[Organisation]]:
    """A page of organisations by name."""
    total = session.exec(select(func.count()).select_from(Organisation)).one()
    rows = session.exec(
        select(Organisation)
        .order_by(col(Organisation.name), col(Organisation.id))
        .offset(offset)
        .limit(limit)
    )
    return int(total), list(rows)


def update_organisation(
    *, session: Session, actor: Actor, organisation_id: int, data: OrganisationPatch
) -> Organisation:
    """Apply a partial update; the offers' search documents carry the name, so requeue them."""
    org = get_organisation(session=session, organisation_id=organisation_id)
    values = organisation_values(data, exclude_unset=True)
    changed = [k for k, v in values.items() if getattr(org, k) != v]
    for key in changed:
        setattr(org, key, values[key])
    if changed:
        org.updated_at = utcnow()
        session.add(org)
        audit.record(
            session=session,
            actor=actor,
            entity="organisation",
            entity_id=organisation_id,
            action="update",
            fields=changed,
        )
        offer_ids = session.exec(select(Offer.id).where(Offer.organisation_id == organisation_id))
        outbox.enqueue(session=session, offer_ids=[i for i in offer_ids if i is not None])
        session.flush()
    return org

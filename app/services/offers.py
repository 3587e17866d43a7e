"""Offers: create, read, change, upsert, archive, and the moderation workflow."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.codelists import CATEGORY_LABELS, OfferStatus
from app.db import savepoint
from app.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from app.geo import place_locations
from app.models.offer import (
    CompletenessPublic,
    MissingPublic,
    Offer,
    OfferCreate,
    OfferDate,
    OfferDateIn,
    OfferDatePublic,
    OfferFields,
    OfferPatch,
    OfferPublic,
)
from app.models.organisation import Organisation
from app.models.types import utcnow
from app.search.documents import is_current
from app.services import audit, outbox
from app.services.auth import Actor
from app.services.quality import duplicate_queue, freshness
from app.services.quality.completeness import completeness, score

# Edits to these keep a published offer published even for untrusted organisations:
# they are routine (new dates, a new phone number), not what moderation looks at.
MINOR_FIELDS = frozenset(
    {
        "dates",
        "contact",
        "price_note",
        "visible_from",
        "visible_until",
        "links",
        "reduction_available",
        "course_number",
    }
)
OPEN_FOR_EDITS = {
    OfferStatus.submitted,
    OfferStatus.published,
    OfferStatus.rejected,
    OfferStatus.withdrawn,
}


class UpsertOutcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


@dataclass(frozen=True)
class OfferView:
    """An offer with what is needed to show it: its dates and its organisation."""

    offer: Offer
    dates: list[OfferDate]
    organisation: Organisation


# --- conversions ----------------------------------------------------------------------------


def column_values(fields: OfferFields) -> dict[str, Any]:
    data = fields.model_dump(mode="python", exclude={"dates", "external_id"})
    price: Decimal | None = data.pop("price")
    data["price_cents"] = None if price is None else int(price * 100)
    data["url"] = None if fields.url is None else str(fields.url)
    data["contact"] = {k: v for k, v in data["contact"].items() if v is not None}
    data["category"] = fields.category.value
    data["education_type"] = fields.education_type.value
    data["format"] = fields.format.value
    data["funding"] = [f.value for f in fields.funding]
    data["links"] = [link.model_dump(mode="json") for link in fields.links]
    data["completeness"] = score(fields)
    return data


def _date_rows(offer_id: int, dates: list[OfferDateIn]) -> list[OfferDate]:
    rows = []
    for position, d in enumerate(dates):
        loc = d.location
        rows.append(
            OfferDate(
                offer_id=offer_id,
                position=position,
                external_id=d.external_id,
                start_date=d.start_date,
                end_date=d.end_date,
                flexible_start=d.flexible_start,
                schedule=d.schedule.value,
                schedule_note=d.schedule_note,
                registration_deadline=d.registration_deadline,
                seats=d.seats,
                min_participants=d.min_participants,
                free_seats=d.free_seats,
                session_count=d.session_count,
                weekdays=[w.value for w in d.weekdays],
                sessions=[x.model_dump(mode="json") for x in d.sessions],
                teaching_language=d.teaching_language,
                online=d.online,
                location_name=loc.name if loc else None,
                street=loc.street if loc else None,
                postcode=loc.postcode if loc else None,
                city=loc.city if loc else None,
                lat=loc.lat if loc else None,
                lon=loc.lon if loc else None,
                approximate_location=loc.approximate if loc else False,
                barrier_free=loc.barrier_free if loc else None,
            )
        )
    return rows


def date_location(d: OfferDate) -> dict[str, Any] | None:
    if d.postcode is None or d.city is None:
        return None
    return {
        "name": d.location_name,
        "street": d.street,
        "postcode": d.postcode,
        "city": d.city,
        "lat": d.lat,
        "lon": d.lon,
        "approximate": d.approximate_location,
        "barrier_free": d.barrier_free,
    }


def _date_snapshot(d: OfferDate) -> dict[str, Any]:
    return {
        "external_id": d.external_id,
        "start_date": d.start_date,
        "end_date": d.end_date,
        "flexible_start": d.flexible_start,
        "schedule": d.schedule,
        "schedule_note": d.schedule_note,
        "registration_deadline": d.registration_deadline,
        "seats": d.seats,
        "min_participants": d.min_participants,
        "free_seats": d.free_seats,
        "session_count": d.session_count,
        "weekdays": d.weekdays,
        "sessions": d.sessions,
        "teaching_language": d.teaching_language,
        "online": d.online,
        "location": date_location(d),
    }


def price_eur(offer: Offer) -> Decimal | None:
    return (
        None
        if offer.price_cents is None
        else (Decimal(offer.price_cents) / 100).quantize(Decimal("0.01"))
    )


def snapshot(offer: Offer, dates: list[OfferDate]) -> dict[str, Any]:
    """The offer as a provider would send it (OfferFields as JSON), for diffs and revisions."""
    raw = {name: getattr(offer, name) for name in OfferFields.model_fields if hasattr(offer, name)}
    raw["price"] = price_eur(offer)
    raw["dates"] = [_date_snapshot(d) for d in dates]
    return OfferFields.model_validate(raw).model_dump(mode="json")


def content_hash(fields_json: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(fields_json, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _completeness_of(offer: Offer, dates: list[OfferDate]) -> CompletenessPublic:
    """Of what the provider sent last: the pending revision when one waits."""
    fields = OfferFields.model_validate(offer.pending_revision or snapshot(offer, dates))
    return completeness_public(fields)


def completeness_public(fields: OfferFields) -> CompletenessPublic:
    result = completeness(fields)
    return CompletenessPublic(
        score=result.score,
        missing=[
            MissingPublic(rule=m.rule, gain=m.gain, hint=m.hint, text=str(m))
            for m in result.missing
        ],
    )


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in new if old.get(k) != new[k])


def _substantial(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The changed fields that a published offer of an untrusted organisation has reviewed."""
    return [k for k in _changed_fields(old, new) if k not in MINOR_FIELDS]


# --- reading --------------------------------------------------------------------------------


def load_dates(*, session: Session, offer_ids: list[int]) -> dict[int, list[OfferDate]]:
    """Dates of several offers in one query, in their given order."""
    result: dict[int, list[OfferDate]] = {i: [] for i in offer_ids}
    if not offer_ids:
        return result
    rows = session.exec(
        select(OfferDate)
        .where(col(OfferDate.offer_id).in_(offer_ids))
        .order_by(col(OfferDate.offer_id), col(OfferDate.position))
    )
    for row in rows:
        result[row.offer_id].append(row)
    return result


def _view(session: Session, offer: Offer) -> OfferView:
    assert offer.id is not None
    dates = load_dates(session=session, offer_ids=[offer.id])[offer.id]
    org = session.get(Organisation, offer.organisation_id)
    assert org is not None
    return OfferView(offer=offer, dates=dates, organisation=org)


def is_public(offer: Offer, *, today: date | None = None) -> bool:
    """Published and inside its announcement window."""
    today = today or date.today()
    return (
        offer.status == OfferStatus.published
        and (offer.visible_from is None or offer.visible_from <= today)
        and (offer.visible_until is None or offer.visible_until >= today)
    )


def has_ended(view: OfferView, *, today: date | None = None) -> bool:
    """Every date has passed (the rule search uses: such an offer is found no more). An offer
    without dates runs on request and never ends this way."""
    today = today or date.today()
    return bool(view.dates) and not any(is_current(d, today) for d in view.dates)


def get_offer(
    *, session: Session, actor: Actor | None, offer_id: int, ended_ok: bool = False
) -> OfferView:
    """An offer as the caller may see it: anyone sees public offers, owners and admins all.
    A public offer whose dates have all passed is Gone for the public (unless `ended_ok`:
    the portal page says so in its own words)."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"offer {offer_id} does not exist")
    owner_or_admin = actor is not None and actor.may_manage_organisation(offer.organisation_id)
    if not owner_or_admin and not is_public(offer):
        # Same answer as for a missing offer: nobody learns that an unpublished one exists.
        raise NotFound(f"offer {offer_id} does not exist")
    view = _view(session, offer)
    if not owner_or_admin and not ended_ok and has_ended(view):
        raise Gone(f"offer {offer_id} is no longer offered: all its dates have passed")
    return view


def _get_for_change(*, session: Session, actor: Actor, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"offer {offer_id} does not exist")
    if not actor.may_manage_organisation(offer.organisation_id):
        if is_public(offer):
            raise Forbidden("this offer belongs to another organisation")
        raise NotFound(f"offer {offer_id} does not exist")
    return offer


def to_public(view: OfferView, *, internal: bool) -> OfferPublic:
    """The API shape; moderation notes only for owners and admins."""
    o = view.offer
    assert o.id is not None
    return OfferPublic(
        id=o.id,
        organisation_id=o.organisation_id,
        organisation_name=view.organisation.name,
        external_id=o.external_id,
        title=o.title,
        subtitle=o.subtitle,
        course_number=o.course_number,
        description=o.description,
        keywords=o.keywords,
        category=o.category,
        category_label=CATEGORY_LABELS.get(o.category, o.category),
        education_type=o.education_type,
        degree=o.degree,
        awarding_body=o.awarding_body,
        dqr_level=o.dqr_level,
        leads_to_qualification=o.leads_to_qualification,
        level=o.level,
        dvv_category=o.dvv_category,
        target_groups=o.target_groups,
        entry_requirements=o.entry_requirements,
        languages=o.languages,
        funding=o.funding,
        price=price_eur(o),
        price_note=o.price_note,
        reduction_available=o.reduction_available,
        duration_hours=o.duration_hours,
        format=o.format,
        barrier_free=o.barrier_free,
        digital_accessibility=o.digital_accessibility,
        childcare=o.childcare,
        url=o.url,
        links=o.links,
        contact=o.contact,
        visible_from=o.visible_from,
        visible_until=o.visible_until,
        dates=[
            OfferDatePublic.model_validate({**_date_snapshot(d), "id": d.id}) for d in view.dates
        ],
        status=o.status,
        rejection_reason=o.rejection_reason if internal else None,
        pending_revision=o.pending_revision if internal else None,
        completeness=_completeness_of(o, view.dates) if internal else None,
        stale=freshness.is_stale(o) if internal else None,
        created_at=o.created_at,
        updated_at=o.updated_at,
        published_at=o.published_at,
        reviewed_at=o.reviewed_at if internal else None,
    )


def list_offers(
    *,
    session: Session,
    actor: Actor,
    status: OfferStatus | None,
    organisation_id: int | None,
    offset: int,
    limit: int,
    stale: bool | None = None,
) -> tuple[int, list[OfferView]]:
    """The caller's own offers (admins: all, optionally one organisation's), newest first;
    `stale=true`: only those unchanged for half a year, longest unchanged first."""
    query = select(Offer)
    order: list[Any] = [col(Offer.id).desc()]
    if stale is True:
        query = query.where(freshness.stale_clause())
        order = [col(Offer.updated_at), col(Offer.id)]
    elif stale is False:
        query = query.where(~freshness.stale_clause())
    if not actor.is_admin:
        query = query.where(Offer.organisation_id == actor.organisation_id)
    elif organisation_id is not None:
        query = query.where(Offer.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Offer.status == status.value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    offers = list(session.exec(query.order_by(*order).offset(offset).limit(limit)))
    ids = [o.id for o in offers if o.id is not None]
    dates = load_dates(session=session, offer_ids=ids)
    orgs = {
        org.id: org
        for org in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_({o.organisation_id for o in offers})
            )
        )
    }
    views = [OfferView(o, dates[o.id], orgs[o.organisation_id]) for o in offers if o.id]
    return int(total), views


# --- writing --------------------------------------------------------------------------------


def _write_fields(
    session: Session, offer: Offer, fields: OfferFields, fields_json: dict[str, Any]
) -> None:
    """Store new public content. A change of what moderation looks at clears `reviewed_at`:
    portals that show reviewed offers only must not show content no admin has seen."""
    values = column_values(fields)
    if any(
        getattr(offer, key) != value
        for key, value in values.items()
        if key not in MINOR_FIELDS and key != "completeness"
    ):
        offer.reviewed_at = None
    for key, value in values.items():
        setattr(offer, key, value)
    offer.content_hash = content_hash(fields_json)
    offer.updated_at = utcnow()
    new_offer = offer.id is None
    session.add(offer)
    session.flush()
    assert offer.id is not None
    old_rows = [] if new_offer else load_dates(session=session, offer_ids=[offer.id])[offer.id]
    _write_dates(session, old_rows, _date_rows(offer.id, fields.dates))


def _date_key(d: OfferDate) -> tuple[Any, ...]:
    """What makes a date the same date across edits: the provider's id for it, else its start
    and place."""
    if d.external_id is not None:
        return ("id", d.external_id)
    return ("at", d.start_date, d.flexible_start, d.postcode, d.online)


def _write_dates(session: Session, old_rows: list[OfferDate], new_rows: list[OfferDate]) -> None:
    """Replace an offer's dates, keeping the row (and so its id) of each date that stays: its
    calendar file's link and event UID are built from that id."""
    unused: dict[tuple[Any, ...], list[OfferDate]] = {}
    for row in old_rows:
        unused.setdefault(_date_key(row), []).append(row)
    for new in new_rows:
        matches = unused.get(_date_key(new))
        if not matches:
            session.add(new)
            continue
        row = matches.pop(0)
        for name, value in new.model_dump(exclude={"id"}).items():
            setattr(row, name, value)
        session.add(row)
    for rows in unused.values():
        for row in rows:
            session.delete(row)
    session.flush()


def _organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


def _resolve_owner(actor: Actor, organisation_id: int | None) -> int:
    if actor.is_admin:
        if organisation_id is None:
            raise InvalidInput.at(
                ["query", "organisation_id"], "admins must say which organisation owns the offer"
            )
        return organisation_id
    assert actor.organisation_id is not None
    if organisation_id is not None and organisation_id != actor.organisation_id:
        raise Forbidden("a provider key can only create offers for its own organisation")
    return actor.organisation_id


def create_offer(
    *, session: Session, actor: Actor, data: OfferCreate, organisation_id: int | None = None
) -> Offer:
    """Create an offer: published at once for trusted organisations, otherwise submitted."""
    owner_id = _resolve_owner(actor, organisation_id)
    org = _organisation(session, owner_id)
    data = place_locations(data)
    if data.external_id is not None and _find_by_external_id(session, owner_id, data.external_id):
        raise Conflict(f"an offer with external_id {data.external_id!r} exists already")
    return _insert_offer(session, actor, org, data)


def _insert_offer(session: Session, actor: Actor, org: Organisation, data: OfferCreate) -> Offer:
    """Write a new offer; its first statement is the INSERT, it reads nothing before."""
    assert org.id is not None
    offer = Offer(
        organisation_id=org.id,
        external_id=data.external_id,
        status="",
        title="",
        category="",
        education_type="",
        format="",
    )
    fields_json = OfferFields.model_validate(data.model_dump(exclude={"external_id"})).model_dump(
        mode="json"
    )
    _start_afresh(session, actor, offer, org, data, fields_json, action="create")
    return offer


def _start_afresh(
    session: Session,
    actor: Actor,
    offer: Offer,
    org: Organisation,
    fields: OfferFields,
    fields_json: dict[str, Any],
    *,
    action: str,
) -> None:
    """New content with the initial status (create, or revive an archived offer)."""
    _set_initial_status(offer, org)
    _write_fields(session, offer, fields, fields_json)
    assert offer.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="offer",
        entity_id=offer.id,
        action=action,
        fields=list(fields_json),
        detail={"status": offer.status},
    )
    outbox.enqueue(session=session, offer_ids=[offer.id])


def _set_initial_status(offer: Offer, org: Organisation) -> None:
    now = utcnow()
    if org.trusted:
        offer.status = OfferStatus.published.value
        offer.published_at = now
    else:
        offer.status = OfferStatus.submitted.value
    offer.rejection_reason = None
    offer.pending_revision = None
    offer.revision_at = None


def _find_by_external_id(session: Session, organisation_id: int, external_id: str) -> Offer | None:
    return session.exec(
        select(Offer).where(
            Offer.organisation_id == organisation_id, Offer.external_id == external_id
        )
    ).first()


def _apply_change(
    *, session: Session, actor: Actor, offer: Offer, fields: OfferFields
) -> list[str]:
    """Apply new content; substantial edits of an untrusted published offer wait for review,
    routine ones (MINOR_FIELDS) apply at once, also while a revision waits."""
    assert offer.id is not None
    if offer.status == OfferStatus.archived:
        raise Conflict("this offer is archived; create or upsert it again to revive it")
    fields = place_locations(fields)
    dates = load_dates(session=session, offer_ids=[offer.id])[offer.id]
    current = snapshot(offer, dates)
    new = fields.model_dump(mode="json", exclude={"external_id"})
    revision = offer.pending_revision
    changed = _changed_fields(revision or current, new)
    if not changed:
        if revision is None and offer.content_hash != content_hash(new):
            # Stored before the content's shape grew a field: record the hash of the same
            # content as it is spelled now, so bulk re-imports recognise it as unchanged.
            offer.content_hash = content_hash(new)
            session.add(offer)
        return []
    org = _organisation(session, offer.organisation_id)
    moderated = offer.status == OfferStatus.published and not org.trusted and not actor.is_admin
    if moderated and _substantial(current, new):
        _submit_revision(session, actor, offer, current=current, new=new)
        return changed
    # Applied whole, so no revision waits any more: the new content was built on it (PATCH)
    # or replaces it (PUT, upsert, import).
    offer.pending_revision = None
    offer.revision_at = None
    public_changes = _changed_fields(current, new)
    if not public_changes:
        # The public content sent again: the changes that waited are no longer asked for.
        assert revision is not None
        session.add(offer)
        audit.record(
            session=session,
            actor=actor,
            entity="offer",
            entity_id=offer.id,
            action="revision_withdrawn",
            fields=_changed_fields(current, revision),
        )
        session.flush()
        return changed
    _write_fields(session, offer, OfferFields.model_validate(new), new)
    if offer.status == OfferStatus.rejected:
        # Editing a rejected offer is how a provider answers the rejection.
        _set_initial_status(offer, org)
        session.add(offer)
    _record_public_change(session, actor, offer, public_changes)
    session.flush()
    return changed


def _record_public_change(session: Session, actor: Actor, offer: Offer, fields: list[str]) -> None:
    """A change the public sees: audited, and queued for the index and the change feed."""
    assert offer.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="offer",
        entity_id=offer.id,
        action="update",
        fields=fields,
        detail={"status": offer.status},
    )
    outbox.enqueue(session=session, offer_ids=[offer.id])


def _submit_revision(
    session: Session,
    actor: Actor,
    offer: Offer,
    *,
    current: dict[str, Any],
    new: dict[str, Any],
) -> None:
    """Keep `new` as the revision that waits for review and apply its routine fields at once.
    The revision carries them too, so publishing it later does not undo them. Only a public
    change moves `updated_at` and reaches the change feed: a waiting revision shows in
    neither."""
    assert offer.id is not None
    before = offer.pending_revision or current
    public = {**current, **{k: v for k, v in new.items() if k in MINOR_FIELDS}}
    at_once = _changed_fields(current, public)
    if at_once:
        _write_fields(session, offer, OfferFields.model_validate(public), public)
        _record_public_change(session, actor, offer, at_once)
    submitted = _substantial(before, new)
    if offer.pending_revision is None or offer.revision_at is None:
        # The moderation queue's "waiting since": the public updated_at does not move.
        offer.revision_at = utcnow()
    offer.pending_revision = new
    if submitted:
        offer.rejection_reason = None
        audit.record(
            session=session,
            actor=actor,
            entity="offer",
            entity_id=offer.id,
            action="revision_submitted",
            fields=submitted,
        )
    session.add(offer)
    session.flush()


def replace_offer(*, session: Session, actor: Actor, offer_id: int, data: OfferFields) -> Offer:
    """PUT: the body is the whole offer."""
    offer = _get_for_change(session=session, actor=actor, offer_id=offer_id)
    _apply_change(session=session, actor=actor, offer=offer, fields=data)
    return offer


def patch_offer(*, session: Session, actor: Actor, offer_id: int, data: OfferPatch) -> Offer:
    """PATCH: merge the fields sent into the current content and validate the result whole."""
    offer = _get_for_change(session=session, actor=actor, offer_id=offer_id)
    assert offer.id is not None
    dates = load_dates(session=session, offer_ids=[offer.id])[offer.id]
    merged = dict(offer.pending_revision or snapshot(offer, dates))
    merged.update(data.model_dump(mode="json", exclude_unset=True))
    try:
        fields = OfferFields.model_validate(merged)
    except Exception as exc:  # pydantic.ValidationError: cross-field rules on the merged whole
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            details = [
                {"loc": list(e["loc"]), "message": e["msg"].removeprefix("Value error, ")}
                for e in exc.errors()
            ]
            raise InvalidInput(
                f"the offer would be invalid: {details[0]['message']}", details=details
            ) from None
        raise
    _apply_change(session=session, actor=actor, offer=offer, fields=fields)
    return offer


def upsert_offer_by_external_id(
    *,
    session: Session,
    actor: Actor,
    external_id: str,
    data: OfferFields,
    organisation_id: int | None = None,
) -> tuple[Offer, UpsertOutcome]:
    """Idempotent create-or-update keyed by the provider's own id. The body may repeat the id
    (what POST accepts and GET returns), but not name another one."""
    sent = getattr(data, "external_id", None)
    if sent is not None and sent != external_id:
        raise InvalidInput.at(
            ["external_id"],
            f"external_id {sent!r} differs from the one in the path ({external_id!r}); "
            "send the same or leave it out",
        )
    owner_id = _resolve_owner(actor, organisation_id)
    data = place_locations(data)
    offer = _find_by_external_id(session, owner_id, external_id)
    if offer is None:
        org = _organisation(session, owner_id)
        create = OfferCreate.model_validate({**data.model_dump(), "external_id": external_id})
        try:
            # Nothing is read inside the savepoint before the INSERT: on SQLite such a read
            # would pin a snapshot that the other request's commit makes stale, and the
            # INSERT would fail with "database is locked" instead of the conflict below.
            with savepoint(session):
                return _insert_offer(session, actor, org, create), UpsertOutcome.created
        except IntegrityError:
            # The same PUT sent twice at once, and the other one stored the offer first:
            # this one goes on as an update of what it stored.
            offer = _find_by_external_id(session, owner_id, external_id)
            if offer is None:
                raise
    new_json = data.model_dump(mode="json", exclude={"external_id"})
    if offer.status == OfferStatus.archived:
        org = _organisation(session, owner_id)
        _start_afresh(session, actor, offer, org, data, new_json, action="revive")
        return offer, UpsertOutcome.updated
    changed = _apply_change(session=session, actor=actor, offer=offer, fields=data)
    return offer, (UpsertOutcome.updated if changed else UpsertOutcome.unchanged)


def archive_offer(*, session: Session, actor: Actor, offer_id: int) -> Offer:
    """DELETE: keep the row for the audit trail, remove it from every public read."""
    offer = _get_for_change(session=session, actor=actor, offer_id=offer_id)
    return _move(
        session=session,
        actor=actor,
        offer=offer,
        to=OfferStatus.archived,
        allowed=set(OfferStatus) - {OfferStatus.archived},
    )


def _move(
    *,
    session: Session,
    actor: Actor,
    offer: Offer,
    to: OfferStatus,
    allowed: set[OfferStatus],
    detail: dict[str, Any] | None = None,
) -> Offer:
    assert offer.id is not None
    if OfferStatus(offer.status) not in allowed:
        raise Conflict(f"an offer that is {offer.status} cannot become {to.value}")
    before = offer.status
    offer.status = to.value
    offer.updated_at = utcnow()
    if to != OfferStatus.published:
        offer.pending_revision = None
        offer.revision_at = None
    session.add(offer)
    audit.record(
        session=session,
        actor=actor,
        entity="offer",
        entity_id=offer.id,
        action=to.value,
        fields=["status"],
        detail={"from": before, "to": to.value, **(detail or {})},
    )
    twins = duplicate_queue.same_as(session=session, offer_id=offer.id)
    outbox.enqueue(session=session, offer_ids=[offer.id, *twins])
    session.flush()
    return offer


def publish_offer(*, session: Session, actor: Actor, offer_id: int) -> Offer:
    """Admin approval: publishes a submitted offer or a published offer's pending revision."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"offer {offer_id} does not exist")
    if offer.pending_revision is not None:
        fields = place_locations(OfferFields.model_validate(offer.pending_revision))
        _write_fields(session, offer, fields, fields.model_dump(mode="json"))
    now = utcnow()
    if offer.status != OfferStatus.published:
        # Published (again): new to citizens, so it leads the "new offers" feeds.
        offer.published_at = now
    offer.reviewed_at = now
    offer.rejection_reason = None
    if offer.status == OfferStatus.published:
        assert offer.id is not None
        offer.pending_revision = None
        offer.revision_at = None
        session.add(offer)
        audit.record(
            session=session,
            actor=actor,
            entity="offer",
            entity_id=offer.id,
            action="revision_published",
            fields=["status"],
        )
        outbox.enqueue(session=session, offer_ids=[offer.id])
        session.flush()
        return offer
    return _move(
        session=session,
        actor=actor,
        offer=offer,
        to=OfferStatus.published,
        allowed={OfferStatus.submitted, OfferStatus.rejected},
    )


def reject_offer(*, session: Session, actor: Actor, offer_id: int, reason: str) -> Offer:
    """Admin rejection with a reason the provider sees; a published offer keeps its public
    version and only loses the pending revision."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"offer {offer_id} does not exist")
    offer.rejection_reason = reason
    offer.reviewed_at = utcnow()
    if offer.status == OfferStatus.published:
        if offer.pending_revision is None:
            raise Conflict(
                "a published offer without a pending revision cannot be rejected; "
                "archive it instead"
            )
        assert offer.id is not None
        offer.pending_revision = None
        offer.revision_at = None
        session.add(offer)
        audit.record(
            session=session,
            actor=actor,
            entity="offer",
            entity_id=offer.id,
            action="revision_rejected",
            fields=["pending_revision"],
            detail={"reason": reason},
        )
        session.flush()
        return offer
    return _move(
        session=session,
        actor=actor,
        offer=offer,
        to=OfferStatus.rejected,
        allowed={OfferStatus.submitted},
        detail={"reason": reason},
    )


def withdraw_offer(*, session: Session, actor: Actor, offer_id: int) -> Offer:
    """The provider takes an offer off the catalogue (it can submit it again later)."""
    offer = _get_for_change(session=session, actor=actor, offer_id=offer_id)
    return _move(
        session=session,
        actor=actor,
        offer=offer,
        to=OfferStatus.withdrawn,
        allowed={OfferStatus.submitted, OfferStatus.published, OfferStatus.rejected},
    )


def resubmit_offer(*, session: Session, actor: Actor, offer_id: int) -> Offer:
    """Bring a withdrawn or rejected offer back: to review, or published if trusted."""
    offer = _get_for_change(session=session, actor=actor, offer_id=offer_id)
    org = _organisation(session, offer.organisation_id)
    target = OfferStatus.published if org.trusted else OfferStatus.submitted
    if target == OfferStatus.published:
        offer.published_at = utcnow()  # back in the catalogue: new to citizens again
    offer.rejection_reason = None
    return _move(
        session=session,
        actor=actor,
        offer=offer,
        to=target,
        allowed={OfferStatus.withdrawn, OfferStatus.rejected},
    )


def offer_history(*, session: Session, actor: Actor, offer_id: int) -> list[Any]:
    """The audit trail of one offer, for its owner and admins."""
    _get_for_change(session=session, actor=actor, offer_id=offer_id)
    return audit.history(session=session, entity="offer", entity_id=offer_id)


def view_of(*, session: Session, offer: Offer) -> OfferView:
    """Dates and organisation for an offer already loaded."""
    return _view(session, offer)

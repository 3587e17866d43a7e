"""The duplicate candidates as admins see them, and their decisions: not a duplicate (never
proposed again) or the same offer with one canonical (the other is no hit of its own).
Every decision is in the audit log and re-indexes both offers."""

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.codelists import OfferStatus
from app.errors import Conflict, InvalidInput, NotFound
from app.models.duplicate import (
    DuplicateCandidate,
    DuplicateDecision,
    DuplicatePair,
    PairOffer,
    PairStatus,
)
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.models.types import utcnow
from app.search.documents import is_current, merged_away
from app.services import audit, outbox
from app.services.auth import Actor
from app.services.quality.duplicates import LIVE, reason_text


def same_as(*, session: Session, offer_id: int) -> list[int]:
    """Offers an admin marked as the same as this one: their search documents depend on its
    status (a canonical offer that leaves hides its twin no more, and back)."""
    pair = DuplicateCandidate
    rows = session.execute(
        select(col(pair.offer_a_id), col(pair.offer_b_id)).where(
            col(pair.status) == PairStatus.same.value,
            or_(col(pair.offer_a_id) == offer_id, col(pair.offer_b_id) == offer_id),
        )
    )
    return [b if a == offer_id else a for a, b in rows]


def merged_into(*, session: Session, offer_ids: Collection[int], today: date) -> dict[int, int]:
    """Of these offers, those hidden as another's duplicate, each with the canonical offer it
    was merged into: the rule of the search documents (`merged_away`), so only while the
    canonical offer can be found today. Portal pages and the change feed decide by it."""
    if not offer_ids:
        return {}
    pair = DuplicateCandidate
    rows = [
        (a, b, canonical)
        for a, b, canonical in session.execute(
            select(col(pair.offer_a_id), col(pair.offer_b_id), col(pair.canonical_offer_id)).where(
                col(pair.status) == PairStatus.same.value,
                or_(col(pair.offer_a_id).in_(offer_ids), col(pair.offer_b_id).in_(offer_ids)),
            )
        )
    ]
    findable = _findable(session, {c for _, _, c in rows if c is not None}, today)
    hidden = merged_away(rows, findable) & set(offer_ids)
    merged: dict[int, int] = {}
    for a, b, canonical in rows:
        twin = b if canonical == a else a
        if twin in hidden and canonical is not None:
            merged[twin] = canonical
    return merged


def _findable(session: Session, offer_ids: set[int], today: date) -> set[int]:
    """Of these offers, those a citizen can find today: published, announced, and with a
    current date or none at all (the rules of the search documents)."""
    if not offer_ids:
        return set()
    announced = {
        offer_id
        for offer_id, visible_from, visible_until in session.execute(
            select(col(Offer.id), col(Offer.visible_from), col(Offer.visible_until)).where(
                col(Offer.id).in_(offer_ids), col(Offer.status) == OfferStatus.published.value
            )
        )
        if (visible_from is None or visible_from <= today)
        and (visible_until is None or visible_until >= today)
    }
    dated: set[int] = set()
    current: set[int] = set()
    for d in session.scalars(select(OfferDate).where(col(OfferDate.offer_id).in_(announced))):
        dated.add(d.offer_id)
        if is_current(d, today):
            current.add(d.offer_id)
    return {i for i in announced if i not in dated or i in current}


def _offers(session: Session, ids: set[int]) -> dict[int, PairOffer]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            col(Offer.id),
            col(Offer.organisation_id),
            col(Organisation.name),
            col(Offer.title),
            col(Offer.status),
        )
        .join(Organisation, col(Organisation.id) == col(Offer.organisation_id))
        .where(col(Offer.id).in_(ids))
    )
    return {
        r[0]: PairOffer(
            id=r[0], organisation_id=r[1], organisation_name=r[2], title=r[3], status=r[4]
        )
        for r in rows
    }


def _public(pair: DuplicateCandidate, offers: dict[int, PairOffer]) -> DuplicatePair:
    assert pair.id is not None
    return DuplicatePair(
        id=pair.id,
        score=pair.score,
        reason=reason_text(pair.reason),
        details=pair.reason,
        status=PairStatus(pair.status),
        canonical_offer_id=pair.canonical_offer_id,
        found_at=pair.found_at,
        decided_at=pair.decided_at,
        offers=[offers[pair.offer_a_id], offers[pair.offer_b_id]],
    )


def list_pairs(
    *, session: Session, status: PairStatus, offset: int, limit: int
) -> tuple[int, list[DuplicatePair]]:
    """Pairs in this state, most alike first; open pairs only while both offers are live."""
    a, b = aliased(Offer), aliased(Offer)
    query = (
        select(DuplicateCandidate)
        .join(a, col(a.id) == col(DuplicateCandidate.offer_a_id))
        .join(b, col(b.id) == col(DuplicateCandidate.offer_b_id))
        .where(col(DuplicateCandidate.status) == status.value)
    )
    if status == PairStatus.open:
        query = query.where(and_(col(a.status).in_(LIVE), col(b.status).in_(LIVE)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pairs = list(
        session.execute(
            query.order_by(col(DuplicateCandidate.score).desc(), col(DuplicateCandidate.id))
            .offset(offset)
            .limit(limit)
        ).scalars()
    )
    offers = _offers(session, {i for p in pairs for i in (p.offer_a_id, p.offer_b_id)})
    return int(total), [_public(p, offers) for p in pairs]


def _refuse_chains(session: Session, *, pair_id: int, canonical: int, other: int) -> None:
    """A canonical offer is never itself hidden as another's twin, and a twin is no other
    pair's canonical offer: chains (and cycles, which would hide every offer in them) of
    "same" decisions cannot arise, and each twin depends on exactly one findable offer."""
    decided = select(DuplicateCandidate).where(
        col(DuplicateCandidate.status) == PairStatus.same.value,
        col(DuplicateCandidate.id) != pair_id,
    )
    as_twin = session.scalars(
        decided.where(
            or_(
                col(DuplicateCandidate.offer_a_id) == canonical,
                col(DuplicateCandidate.offer_b_id) == canonical,
            ),
            col(DuplicateCandidate.canonical_offer_id) != canonical,
        )
    ).first()
    if as_twin is not None:
        raise Conflict(
            f"offer {canonical} is marked as the same as offer {as_twin.canonical_offer_id} "
            f"(pair {as_twin.id}); choose that offer's pair, or undo that decision first"
        )
    as_canonical = session.scalars(
        decided.where(col(DuplicateCandidate.canonical_offer_id) == other)
    ).first()
    if as_canonical is not None:
        raise Conflict(
            f"offer {other} is the canonical offer of pair {as_canonical.id}; choose it as "
            "the canonical offer here, or undo that decision first"
        )


def decide(
    *, session: Session, actor: Actor, pair_id: int, decision: DuplicateDecision
) -> DuplicatePair:
    """Record the admin's decision on one pair; both offers are indexed again."""
    pair = session.get(DuplicateCandidate, pair_id)
    if pair is None:
        raise NotFound(f"duplicate candidate {pair_id} does not exist")
    offers = _offers(session, {pair.offer_a_id, pair.offer_b_id})
    for offer in offers.values():
        if offer.status not in LIVE:
            raise Conflict(
                f"offer {offer.id} is {offer.status}; a pair is decided while both are live"
            )
    canonical = decision.canonical_offer_id
    if canonical is not None and canonical not in (pair.offer_a_id, pair.offer_b_id):
        raise InvalidInput.at(
            ["canonical_offer_id"],
            f"offer {canonical} is not in this pair; choose {pair.offer_a_id} or {pair.offer_b_id}",
        )
    if canonical is not None:
        other = pair.offer_b_id if canonical == pair.offer_a_id else pair.offer_a_id
        _refuse_chains(session, pair_id=pair_id, canonical=canonical, other=other)
    before = pair.status
    pair.status = decision.decision
    pair.canonical_offer_id = canonical
    pair.decided_at = utcnow()
    pair.decided_by = actor.label
    session.add(pair)
    assert pair.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="duplicate_candidate",
        entity_id=pair.id,
        action=decision.decision,
        fields=["status", "canonical_offer_id"],
        detail={
            "from": before,
            "offers": [pair.offer_a_id, pair.offer_b_id],
            "canonical_offer_id": canonical,
            "score": pair.score,
        },
    )
    outbox.enqueue(session=session, offer_ids=[pair.offer_a_id, pair.offer_b_id])
    session.flush()
    return _public(pair, offers)

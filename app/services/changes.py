"""The public change feed: what the indexer records once a batch is searchable, and how
partners read it, for the whole catalogue or as one portal sees it, from an opaque cursor."""

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Text, cast, delete, exists, func, text
from sqlalchemy import select as columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.errors import Gone, InvalidInput
from app.models.changes import ChangeEvent, ChangeKind, PublicChange, RemovalReason
from app.models.offer import Offer
from app.models.organisation import Organisation
from app.models.portal import Portal
from app.models.search import SearchScope
from app.search.state import get_state, set_state
from app.services.offers import OfferView, has_ended, is_public, load_dates, to_public
from app.services.portals import in_scope, is_stale_for_portals, portal_scope

CURSOR_VERSION = 1
# 1 version byte + 8 id bytes, url-safe base64 without padding.
_CURSOR = re.compile(r"[A-Za-z0-9_-]{12}")
# Everything up to this change id may have been pruned: older cursors get 410.
PRUNED_THROUGH = "feed_pruned_through"
# Advisory lock taken (PostgreSQL) before change ids are handed out and held until commit:
# several indexer workers then commit their changes in id order, so a reader that saw id n
# never meets a smaller id later.
_FEED_LOCK = 727_003
# A portal feed reads at most this many changes per page looking for its own.
PORTAL_SCAN = 5_000
SINCE: list[str | int] = ["query", "since"]


def encode_cursor(change_id: int) -> str:
    raw = bytes([CURSOR_VERSION]) + change_id.to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, loc: list[str | int] = SINCE) -> int:
    """The change id a cursor stands for; 422 at `loc` for anything we did not hand out."""
    problem = "not a cursor of this feed; use next_cursor of a page, or leave it out to start"
    if not _CURSOR.fullmatch(cursor):
        raise InvalidInput.at(loc, problem)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    value = int.from_bytes(raw[1:], "big")
    if raw[0] != CURSOR_VERSION or value >= 2**63:
        raise InvalidInput.at(loc, problem)
    return value


# --- what the public sees of an offer --------------------------------------------------------


@dataclass(frozen=True)
class PublicState:
    document: dict[str, Any] | None
    reason: RemovalReason | None
    facts: dict[str, Any] | None = None

    @property
    def digest(self) -> str | None:
        if self.document is None:
            return None
        body = orjson.dumps([self.document, self.facts], option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(body).hexdigest()


_STATUS_REASONS = {
    OfferStatus.withdrawn: RemovalReason.withdrawn,
    OfferStatus.archived: RemovalReason.archived,
    OfferStatus.rejected: RemovalReason.rejected,
    OfferStatus.submitted: RemovalReason.in_review,
}


def public_state(view: OfferView | None, *, today: date) -> PublicState:
    """The offer as GET /api/v1/offers/{id} shows it to anyone, or why nobody sees it."""
    if view is None:
        return PublicState(None, RemovalReason.archived)
    offer = view.offer
    if offer.status != OfferStatus.published:
        return PublicState(None, _STATUS_REASONS.get(OfferStatus(offer.status)))
    if offer.visible_from is not None and offer.visible_from > today:
        return PublicState(None, RemovalReason.not_yet_announced)
    if not is_public(offer, today=today) or has_ended(view, today=today):
        return PublicState(None, RemovalReason.expired)
    document = to_public(view, internal=False).model_dump(mode="json")
    facts = {
        "category": offer.category,
        "organisation_id": offer.organisation_id,
        "reviewed": offer.reviewed_at is not None,
        "completeness": offer.completeness,
        # Judged when the change is recorded: the daily sweep requeues offers that cross the
        # mark, so a portal hiding stale offers gets its tombstone (indexer/sweep.py).
        "stale": is_stale_for_portals(offer.updated_at),
        # every date's place, as the portal's offer page judges it (app/services/portals.py)
        "places": [[d.postcode, d.lat, d.lon] for d in view.dates],
    }
    return PublicState(document, None, facts)


def _views(session: Session, offer_ids: list[int]) -> dict[int, OfferView]:
    offers = list(session.exec(select(Offer).where(col(Offer.id).in_(offer_ids))))
    ids = [o.id for o in offers if o.id is not None]
    dates = load_dates(session=session, offer_ids=ids)
    org_ids = {o.organisation_id for o in offers}
    orgs = {
        org.id: org
        for org in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    return {
        o.id: OfferView(offer=o, dates=dates[o.id], organisation=orgs[o.organisation_id])
        for o in offers
        if o.id is not None
    }


@dataclass(frozen=True)
class LastChange:
    kind: str
    digest: str | None
    facts: dict[str, Any] | None


def _latest(session: Session, offer_ids: list[int]) -> dict[int, LastChange]:
    """The last change of each offer."""
    newest = (
        select(func.max(PublicChange.id))
        .where(col(PublicChange.offer_id).in_(offer_ids))
        .group_by(col(PublicChange.offer_id))
    )
    rows = session.execute(
        columns(
            col(PublicChange.offer_id),
            col(PublicChange.kind),
            col(PublicChange.digest),
            col(PublicChange.facts),
        ).where(col(PublicChange.id).in_(newest))
    )
    return {offer_id: LastChange(kind, digest, facts) for offer_id, kind, digest, facts in rows}


def record_changes(*, session: Session, offer_ids: Iterable[int], today: date) -> int:
    """Write a change for each offer whose public face differs from its last change (called
    by the indexer once Meilisearch confirmed the offers' documents). Returns how many."""
    ids = sorted(set(offer_ids))
    if not ids:
        return 0
    views = _views(session, ids)
    latest = _latest(session, ids)
    rows: list[PublicChange] = []
    for offer_id in ids:
        state = public_state(views.get(offer_id), today=today)
        last = latest.get(offer_id)
        was_public = last is not None and last.kind == ChangeKind.upsert
        before = last.facts if last is not None and was_public else None
        if state.document is None:
            if not was_public:
                continue  # never seen by the public, or its removal is already in the feed
            rows.append(
                PublicChange(
                    offer_id=offer_id,
                    kind=ChangeKind.removed,
                    event=ChangeEvent.removed,
                    reason=state.reason,
                    previous_facts=before,
                )
            )
            continue
        digest = state.digest
        if was_public and last is not None and last.digest == digest:
            continue  # indexed again, nothing the public sees changed
        rows.append(
            PublicChange(
                offer_id=offer_id,
                kind=ChangeKind.upsert,
                event=ChangeEvent.updated if was_public else ChangeEvent.published,
                document=state.document,
                digest=digest,
                facts=state.facts,
                previous_facts=before,
            )
        )
    if rows:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _FEED_LOCK})
        session.add_all(rows)
        session.flush()
    return len(rows)


# --- reading -----------------------------------------------------------------------------


_COLUMNS = [
    col(PublicChange.id),
    col(PublicChange.offer_id),
    col(PublicChange.kind),
    col(PublicChange.event),
    col(PublicChange.reason),
    col(PublicChange.facts),
    col(PublicChange.previous_facts),
    col(PublicChange.created_at),
]
# The document as stored, unparsed: a page passes 1,000 of them through as they are.
_DOCUMENT = cast(col(PublicChange.document), Text).label("document")
# What a portal's reader needs to decide on a change: its facts as stored text, which
# `ScopeJudge` parses once per distinct text; the time and the document are read afterwards
# for the changes the portal gets (a portal feed page looks at up to 5,000 changes for its
# 1,000 items).
_SCOPE_COLUMNS = [
    col(PublicChange.id),
    col(PublicChange.offer_id),
    col(PublicChange.kind),
    col(PublicChange.event),
    col(PublicChange.reason),
    cast(col(PublicChange.facts), Text).label("facts"),
    cast(col(PublicChange.previous_facts), Text).label("previous_facts"),
]


def start_after(*, session: Session, since: str | None) -> int:
    """The change id a reader continues after; 410 when changes after it were pruned."""
    if since is None:
        return 0
    after = decode_cursor(since)
    pruned = int(get_state(session, PRUNED_THROUGH) or 0)
    if after < pruned:
        raise Gone(
            "this cursor is older than the feed's retained history: changes after it were "
            "pruned. Start over without `since` (the feed from the beginning holds every "
            "public offer) and replace what you kept"
        )
    return after


def feed_item(
    row: Any,
    *,
    event: str | None = None,
    reason: str | None = None,
    tombstone: bool = False,
    parsed: bool = False,
    created_at: datetime | None = None,
    document: str | None = None,
) -> dict[str, Any]:
    """A change as partners get it. The offer stays the stored JSON text (an orjson
    Fragment), unless `parsed` (webhook payloads are stored as JSON values). `created_at`
    and `document` are the row's own unless given (read apart for a portal's changes)."""
    removed = tombstone or row.kind == ChangeKind.removed
    offer: Any = None
    if document is None:
        document = getattr(row, "document", None)
    if not removed and document is not None:
        offer = orjson.loads(document) if parsed else orjson.Fragment(document)
    return {
        "cursor": encode_cursor(row.id),
        "offer_id": row.offer_id,
        "kind": ChangeKind.removed if removed else ChangeKind.upsert,
        "event": event or row.event,
        "reason": (reason or row.reason) if removed else None,
        "changed_at": (created_at or row.created_at).isoformat(),
        "offer": offer,
    }


def rows_after(session: Session, after: int, limit: int, *, documents: bool = True) -> list[Any]:
    """Changes after an id, oldest first; without `documents`, what deciding on a portal's
    changes needs (for `scoped_items`; no time, no document: not for `feed_item` as they
    are). Plain rows, not the ORM's: a page reads thousands."""
    return list(
        session.connection()
        .execute(
            columns(*(_COLUMNS + [_DOCUMENT] if documents else _SCOPE_COLUMNS))
            .where(col(PublicChange.id) > after)
            .order_by(col(PublicChange.id))
            .limit(limit)
        )
        .all()
    )


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    next_after: int
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "next_cursor": encode_cursor(self.next_after),
            "has_more": self.has_more,
        }


def read_changes(*, session: Session, after: int, limit: int) -> FeedPage:
    """Changes after a change id, oldest first."""
    rows = rows_after(session, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage(
        items=[feed_item(r) for r in rows],
        next_after=rows[-1].id if rows else after,
        has_more=more,
    )


def facts_in_scope(facts: dict[str, Any] | None, scope: SearchScope) -> bool:
    if facts is None:
        return False
    return in_scope(
        scope,
        category=facts["category"],
        organisation_id=facts["organisation_id"],
        reviewed=facts["reviewed"],
        # Changes recorded before portals had these rules: complete and fresh.
        completeness=facts.get("completeness", 100),
        stale=facts.get("stale", False),
        places=[(pc, lat, lon) for pc, lat, lon in facts["places"]],
    )


class ScopeJudge:
    """Whether stored facts (JSON text) are in a portal's scope, each distinct text parsed and
    judged once: a change's previous facts are the offer's facts of the change before, and
    an offer updated again and again repeats its facts."""

    def __init__(self, scope: SearchScope) -> None:
        self.scope = scope
        self._judged: dict[str | None, bool] = {None: False}

    def __call__(self, facts: str | None) -> bool:
        judged = self._judged.get(facts)
        if judged is None:
            judged = facts is not None and facts_in_scope(orjson.loads(facts), self.scope)
            self._judged[facts] = judged
        return judged


def scoped_event(row: Any, judge: ScopeJudge) -> tuple[str, str | None, bool] | None:
    """(event, removal reason, tombstone) of a change as a portal sees it: its own offers'
    upserts and removals, a tombstone when an offer leaves its region or rules; None for
    offers it never showed."""
    was = judge(row.previous_facts)
    if row.kind == ChangeKind.upsert and judge(row.facts):
        return (ChangeEvent.updated if was else ChangeEvent.published), None, False
    if not was:
        return None
    if row.kind == ChangeKind.upsert:
        return ChangeEvent.removed, RemovalReason.left_portal, True
    return row.event, row.reason, False


def scoped_items(
    session: Session, rows: list[Any], scope: SearchScope, *, parsed: bool = False
) -> list[tuple[int, dict[str, Any]]]:
    """(change id, item) for the rows (read by `rows_after` without documents) a portal's
    consumer needs; their times and documents are then read for those changes only."""
    judge = ScopeJudge(scope)
    chosen = [(row, found) for row in rows if (found := scoped_event(row, judge))]
    if not chosen:
        return []
    rest = {
        change_id: (created_at, document)
        for change_id, created_at, document in session.connection().execute(
            columns(col(PublicChange.id), col(PublicChange.created_at), _DOCUMENT).where(
                col(PublicChange.id).in_([row.id for row, _ in chosen])
            )
        )
    }
    items = []
    for row, (event, reason, tombstone) in chosen:
        if row.id not in rest:
            continue  # pruned between the two reads (only changes past the retention are)
        created_at, document = rest[row.id]
        item = feed_item(
            row,
            event=event,
            reason=reason,
            tombstone=tombstone,
            parsed=parsed,
            created_at=created_at,
            document=document,
        )
        items.append((row.id, item))
    return items


def read_portal_changes(
    *, session: Session, portal: Portal, after: int, limit: int, scan: int = PORTAL_SCAN
) -> FeedPage:
    """The changes a portal's consumer needs, oldest first. Reads at most `scan` changes per
    page: a page may come back short (or empty) with `has_more` and a cursor further on."""
    scope = portal_scope(portal)
    items: list[dict[str, Any]] = []
    position = after
    scanned = 0
    while len(items) < limit and scanned < scan:
        rows = rows_after(session, position, min(1000, scan - scanned), documents=False)
        if not rows:
            break
        found = scoped_items(session, rows, scope)
        if len(items) + len(found) > limit:
            found = found[: limit - len(items)]
            position = found[-1][0]
        else:
            position = rows[-1].id
        scanned += len(rows)
        items += [item for _, item in found]
    more = session.execute(
        select(PublicChange.id).where(col(PublicChange.id) > position).limit(1)
    ).first()
    return FeedPage(items=items, next_after=position, has_more=more is not None)


# --- retention ---------------------------------------------------------------------------


def pruned_through(session: Session) -> int:
    """The newest change id pruning has passed: cursors before it have lost changes."""
    return int(get_state(session, PRUNED_THROUGH) or 0)


def prune_changes(*, session: Session, older_than: datetime) -> int:
    """Drop changes older than the retention that no consumer starting over needs: those a
    later change of the same offer replaced, and removals. The feed from the beginning still
    holds every public offer; cursors from before the pruned changes get 410."""
    later = aliased(PublicChange)
    superseded = exists().where(
        col(later.offer_id) == col(PublicChange.offer_id), col(later.id) > col(PublicChange.id)
    )
    condition = (col(PublicChange.created_at) < older_than) & (
        (col(PublicChange.kind) == ChangeKind.removed) | superseded
    )
    newest = session.execute(select(func.max(PublicChange.id)).where(condition)).scalar()
    if newest is None:
        return 0
    result = session.execute(delete(PublicChange).where(condition))
    pruned = int(get_state(session, PRUNED_THROUGH) or 0)
    set_state(session, PRUNED_THROUGH, str(max(pruned, int(newest))))
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of a DELETE

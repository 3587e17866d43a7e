"""The public change feed: what the indexer records once a batch is searchable, and how
partners read it, for the whole catalogue or as one portal sees it, from an opaque cursor."""

import base64
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Text,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    text,
)
from sqlalchemy import select as columns
from sqlalchemy import update as update_rows
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.errors import Gone, InvalidInput
from app.models.changes import ChangeEvent, ChangeKind, PublicChange, RemovalReason
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.models.portal import Portal
from app.models.search import SearchScope
from app.models.types import UTCDateTime, utcnow
from app.search.documents import is_current
from app.search.state import get_state, set_state
from app.services.offers import OfferView, has_ended, is_public, load_dates, to_public
from app.services.portals import PortalScope, in_scope, is_stale_for_portals, portal_scope
from app.services.quality.duplicate_queue import merged_into

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
# The changes of offers (ChangeKind), what every reader gets.
OFFER_KINDS = (ChangeKind.upsert.value, ChangeKind.removed.value)
# Beside them, rows of one portal's feed, written when its region or rules change:
# PORTAL_RULES holds the rules before and after (its offer_id is minus the portal's id), and
# each PORTAL_ITEM an offer that left (reason `left_portal`) or joined the portal then, with the
# document it had; its facts name the PORTAL_RULES row. Their events are no webhook event type,
# so an endpoint of the whole catalogue passes them by; the whole-catalogue feed skips them.
PORTAL_RULES = "portal_rules"
PORTAL_ITEM = "portal_item"
_RULES_EVENT = "portal.rules"
_ITEM_EVENT = "portal.item"


def encode_cursor(change_id: int) -> str:
    raw = bytes([CURSOR_VERSION]) + change_id.to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, loc: Sequence[str | int] = SINCE) -> int:
    """The change id a cursor stands for; 422 at `loc` for anything we did not hand out."""
    problem = "not a cursor of this feed; use next_cursor of a page, or leave it out to start"
    if not _CURSOR.fullmatch(cursor):
        raise InvalidInput.at(list(loc), problem)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    value = int.from_bytes(raw[1:], "big")
    if raw[0] != CURSOR_VERSION or value >= 2**63:
        raise InvalidInput.at(list(loc), problem)
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


def public_state(
    view: OfferView | None, *, today: date, merged_into: int | None = None
) -> PublicState:
    """The offer as GET /api/v1/offers/{id} shows it to anyone and search finds it, or why
    search does not: an offer `merged_into` another (app.search.documents.merged_away) is gone
    from the feed too, its removal naming the canonical offer in its facts."""
    if view is None:
        return PublicState(None, RemovalReason.archived)
    offer = view.offer
    if offer.status != OfferStatus.published:
        return PublicState(None, _STATUS_REASONS.get(OfferStatus(offer.status)))
    if offer.visible_from is not None and offer.visible_from > today:
        return PublicState(None, RemovalReason.not_yet_announced)
    if not is_public(offer, today=today) or has_ended(view, today=today):
        return PublicState(None, RemovalReason.expired)
    if merged_into is not None:
        return PublicState(None, RemovalReason.merged, {"canonical_offer_id": merged_into})
    document = to_public(view, internal=False).model_dump(mode="json")
    facts = {
        "category": offer.category,
        "organisation_id": offer.organisation_id,
        "reviewed": offer.reviewed_at is not None,
        "completeness": offer.completeness,
        # Judged when the change is recorded: the daily sweep requeues offers that cross the
        # mark, so a portal hiding stale offers gets its tombstone (indexer/sweep.py).
        "stale": is_stale_for_portals(offer.updated_at),
        # The places of the dates one can still take, as search and the portal's offer page
        # judge the region (app/services/portals.py: offer_in_scope); each once, so that a
        # passing date changes the facts only when its place goes. The daily sweep requeues
        # offers whose dates pass.
        "places": _current_places(view.dates, today),
    }
    return PublicState(document, None, facts)


def _current_places(dates: Iterable[OfferDate], today: date) -> list[list[Any]]:
    places: list[list[Any]] = []
    for d in dates:
        place = [d.postcode, d.lat, d.lon]
        if is_current(d, today) and place not in places:
            places.append(place)
    return places


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
        .where(col(PublicChange.offer_id).in_(offer_ids), col(PublicChange.kind).in_(OFFER_KINDS))
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
    merged = merged_into(session=session, offer_ids=ids, today=today)
    latest = _latest(session, ids)
    rows: list[PublicChange] = []
    for offer_id in ids:
        state = public_state(views.get(offer_id), today=today, merged_into=merged.get(offer_id))
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
                    facts=state.facts,
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
        _lock_feed(session)
        _withdraw_content(session, [r for r in rows if r.kind == ChangeKind.removed])
        session.add_all(rows)
        session.flush()
    return len(rows)


def _lock_feed(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _FEED_LOCK})


def _withdraw_content(session: Session, removals: list[PublicChange]) -> None:
    """The feed holds only what the public sees: when an offer leaves public view, its earlier
    upserts (and portals' joins) keep their place in the feed but lose their document, and
    read as the removal they led to, with its reason. Tombstones of a portal are left alone."""
    by_reason: dict[str | None, list[int]] = {}
    for row in removals:
        by_reason.setdefault(row.reason, []).append(row.offer_id)
    for reason, offer_ids in by_reason.items():
        session.execute(
            update_rows(PublicChange)
            .where(
                col(PublicChange.offer_id).in_(offer_ids),
                (col(PublicChange.kind) == ChangeKind.upsert.value)
                | ((col(PublicChange.kind) == PORTAL_ITEM) & col(PublicChange.reason).is_(None)),
                col(PublicChange.document).is_not(None),
            )
            .values(document=null(), reason=reason)
            .execution_options(synchronize_session=False)
        )


def _has_document(document: str | None) -> bool:
    # Removals are stored with JSON null, withdrawn content with SQL NULL.
    return document is not None and document != "null"


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


def newest_position(session: Session, pruned: int) -> int:
    """The furthest a cursor we handed out can point: the newest change, or the last pruned
    one (`pruned`, pruned_through) when pruning took the newest."""
    newest = session.execute(select(func.max(PublicChange.id))).scalar()
    return max(int(newest or 0), pruned)


def start_after(*, session: Session, since: str | None, loc: Sequence[str | int] = SINCE) -> int:
    """The change id a reader continues after; 422 at `loc` for a cursor beyond the newest
    change (not one we handed out: taken at face value, it would skip every change up to it),
    410 when changes after it were pruned."""
    if since is None:
        return 0
    after = decode_cursor(since, loc=loc)
    pruned = pruned_through(session)
    if after > newest_position(session, pruned):
        raise InvalidInput.at(
            list(loc),
            "this cursor lies beyond the newest change of the feed, so it was not handed out "
            "here; use next_cursor of a page, or leave it out to start at the beginning",
        )
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
    and `document` are the row's own unless given (read apart for a portal's changes). An
    upsert whose content was withdrawn (`_withdraw_content`) reads as the removal it led to."""
    if document is None:
        document = getattr(row, "document", None)
    removed = tombstone or row.kind == ChangeKind.removed or not _has_document(document)
    offer: Any = None
    if not removed and document is not None:
        offer = orjson.loads(document) if parsed else orjson.Fragment(document)
    if event is None and row.kind in (PORTAL_RULES, PORTAL_ITEM):
        # A portal's own row as a reader of the whole catalogue meets it (a webhook endpoint's
        # fan-out): its own event, which no endpoint subscribes to.
        event = row.event
    elif removed:
        event = ChangeEvent.removed
    item = {
        "cursor": encode_cursor(row.id),
        "offer_id": row.offer_id,
        "kind": ChangeKind.removed if removed else ChangeKind.upsert,
        "event": event or row.event,
        "reason": (reason or row.reason) if removed else None,
        "changed_at": (created_at or row.created_at).isoformat(),
        "offer": offer,
    }
    if item["reason"] == RemovalReason.merged and row.kind == ChangeKind.removed:
        facts = orjson.loads(row.facts) if isinstance(row.facts, str) else row.facts
        if isinstance(facts, dict) and "canonical_offer_id" in facts:
            item["canonical_offer_id"] = facts["canonical_offer_id"]
    return item


def rows_after(
    session: Session,
    after: int,
    limit: int,
    *,
    documents: bool = True,
    offers_only: bool = False,
) -> list[Any]:
    """Changes after an id, oldest first; without `documents`, what deciding on a portal's
    changes needs (for `scoped_items`; no time, no document: not for `feed_item` as they
    are); `offers_only` leaves out the portals' own rows (PORTAL_RULES, PORTAL_ITEM). Plain
    rows, not the ORM's: a page reads thousands."""
    query = columns(*(_COLUMNS + [_DOCUMENT] if documents else _SCOPE_COLUMNS)).where(
        col(PublicChange.id) > after
    )
    if offers_only:
        query = query.where(col(PublicChange.kind).in_(OFFER_KINDS))
    return list(
        session.connection().execute(query.order_by(col(PublicChange.id)).limit(limit)).all()
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
    """Changes of offers after a change id, oldest first."""
    rows = rows_after(session, after, limit + 1, offers_only=True)
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


# --- a portal's rules over time --------------------------------------------------------------

# The fields of a scope that decide which offers a portal shows (not how it shows them).
_DISPLAY_ONLY = ("show_also_offered", "portal_id", "portal_created")


def scope_rules(scope: SearchScope) -> dict[str, Any]:
    """A scope's membership rules as JSON values (stored with a PORTAL_RULES change)."""
    rules = asdict(scope)
    for name in _DISPLAY_ONLY:
        rules.pop(name, None)
    rules["center"] = list(scope.center) if scope.center is not None else None
    return rules


def _scope_of(rules: dict[str, Any]) -> SearchScope:
    known = {k: v for k, v in rules.items() if k in SearchScope.__dataclass_fields__}
    centre = rules.get("center")
    return SearchScope(**{**known, "center": tuple(centre) if centre else None})


class PortalJudge:
    """Judges each change as the portal's rules stood when it was recorded: before a change
    of rules by the rules before it, after it by the new ones. A consumer who read the older
    changes under the old rules is brought to the new ones by the PORTAL_ITEMs written with
    the change of rules, and one who starts later meets the same history."""

    def __init__(self, scope: SearchScope, history: list[tuple[int, dict[str, Any]]]) -> None:
        self._bounds = [change_id for change_id, _ in history]
        judges = [ScopeJudge(_scope_of(rules["before"])) for _, rules in history]
        last = _scope_of(history[-1][1]["after"]) if history else scope
        self._judges = [*judges, ScopeJudge(last)]
        self._own: dict[str | None, bool] = {None: False}

    def at(self, change_id: int) -> ScopeJudge:
        return self._judges[bisect_right(self._bounds, change_id)]

    def owns(self, facts: str | None) -> bool:
        """Whether a PORTAL_ITEM (by its facts) belongs to one of this portal's changes."""
        owned = self._own.get(facts)
        if owned is None:
            parsed = orjson.loads(facts) if facts is not None else None
            owned = isinstance(parsed, dict) and parsed.get("rules") in self._bounds
            self._own[facts] = owned
        return owned


def portal_judge(session: Session, scope: SearchScope) -> PortalJudge:
    """The judge of a portal's changes. Read after the changes it judges: a change of rules
    committed in between is then in the history, with the rules the earlier changes were
    recorded under."""
    history: list[tuple[int, dict[str, Any]]] = []
    if isinstance(scope, PortalScope) and scope.portal_id is not None:
        rows = session.connection().execute(
            columns(col(PublicChange.id), col(PublicChange.created_at), col(PublicChange.facts))
            .where(
                col(PublicChange.offer_id) == -scope.portal_id,
                col(PublicChange.kind) == PORTAL_RULES,
            )
            .order_by(col(PublicChange.id))
        )
        history = [
            (change_id, facts)
            for change_id, created_at, facts in rows
            # A portal created later under an id used before (SQLite) has its own history.
            if scope.portal_created is None or created_at >= scope.portal_created
        ]
    return PortalJudge(scope, history)


def scoped_event(row: Any, judge: PortalJudge) -> tuple[str, str | None, bool] | None:
    """(event, removal reason, tombstone) of a change as a portal sees it: its own offers'
    upserts and removals, a tombstone when an offer leaves its region or rules, the offers
    that left or joined when its rules changed; None for offers it never showed."""
    if row.kind == PORTAL_RULES:
        return None
    if row.kind == PORTAL_ITEM:
        if not judge.owns(row.facts):
            return None
        if row.reason == RemovalReason.left_portal:
            return ChangeEvent.removed, RemovalReason.left_portal, True
        return ChangeEvent.published, None, False
    rules = judge.at(row.id)
    was = rules(row.previous_facts)
    if row.kind == ChangeKind.upsert and rules(row.facts):
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
    consumer needs, judged by the portal's rules of the time (`portal_scope` gives a scope
    that knows its portal); their times and documents are then read for those changes only."""
    judge = portal_judge(session, scope)
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


# --- a portal's rules change -----------------------------------------------------------------

# Offers whose documents are copied into a portal's feed per statement.
_COPY_BATCH = 1_000


def record_portal_rules(*, session: Session, before: PortalScope, after: PortalScope) -> int:
    """When a portal's region or rules change, its feed says so in the same transaction: a
    tombstone (`left_portal`) for every public offer that leaves it, an upsert for every one
    that joins. Returns how many; nothing when the offers it shows stay the same rules."""
    old, new = scope_rules(before), scope_rules(after)
    if old == new or after.portal_id is None:
        return 0
    # Under the feed's lock the newest change of every offer is committed and stays newest
    # until this commits, and what follows is judged by the new rules.
    _lock_feed(session)
    was, now = ScopeJudge(before), ScopeJudge(after)
    leaving: list[int] = []
    joining: list[int] = []
    for change_id, offer_id, facts in _public_offers(session):
        if was(facts) and not now(facts):
            leaving.append(offer_id)
        elif now(facts) and not was(facts):
            joining.append(change_id)
    at = utcnow()
    rules = PublicChange(
        offer_id=-after.portal_id,
        kind=PORTAL_RULES,
        event=_RULES_EVENT,
        facts={"portal_id": after.portal_id, "before": old, "after": new},
        created_at=at,
    )
    session.add(rules)
    session.flush()
    tag = {"rules": rules.id}
    if leaving:
        session.execute(
            insert(PublicChange),
            [
                {
                    "offer_id": offer_id,
                    "kind": PORTAL_ITEM,
                    "event": _ITEM_EVENT,
                    "reason": RemovalReason.left_portal.value,
                    "facts": tag,
                    "created_at": at,
                }
                for offer_id in leaving
            ],
        )
    for start in range(0, len(joining), _COPY_BATCH):
        copied = (
            columns(
                col(PublicChange.offer_id),
                literal(PORTAL_ITEM),
                literal(_ITEM_EVENT),
                col(PublicChange.document),
                # Typed binds: PostgreSQL's driver casts them (`::JSON`), SQLite takes the text.
                bindparam("tag", tag, type_=JSON),
                bindparam("at", at, type_=UTCDateTime),
            )
            .where(col(PublicChange.id).in_(joining[start : start + _COPY_BATCH]))
            .order_by(col(PublicChange.offer_id))
        )
        names = ["offer_id", "kind", "event", "document", "facts", "created_at"]
        session.execute(insert(PublicChange).from_select(names, copied))
    session.flush()
    return len(leaving) + len(joining)


def _public_offers(session: Session) -> list[tuple[int, int, str | None]]:
    """(change id, offer id, facts as text) of the newest change of every offer the public
    sees, by offer id."""
    newest = (
        select(func.max(PublicChange.id))
        .where(col(PublicChange.kind).in_(OFFER_KINDS))
        .group_by(col(PublicChange.offer_id))
    )
    rows = session.connection().execute(
        columns(
            col(PublicChange.id),
            col(PublicChange.offer_id),
            cast(col(PublicChange.facts), Text),
        )
        .where(col(PublicChange.id).in_(newest), col(PublicChange.kind) == ChangeKind.upsert)
        .order_by(col(PublicChange.offer_id))
    )
    return [(int(change_id or 0), offer_id, facts) for change_id, offer_id, facts in rows]


# --- retention ---------------------------------------------------------------------------


def pruned_through(session: Session) -> int:
    """The newest change id pruning has passed: cursors before it have lost changes."""
    return int(get_state(session, PRUNED_THROUGH) or 0)


def prune_changes(*, session: Session, older_than: datetime) -> int:
    """Drop changes older than the retention that no consumer starting over needs: those a
    later change of the same offer replaced, removals, and the portals' own rows (a change of
    rules with its tombstones and upserts, written at one time, goes at once; changes before
    it are then judged by the rules it left). The feed from the beginning still holds every
    public offer; cursors from before the pruned changes get 410."""
    later = aliased(PublicChange)
    superseded = exists().where(
        col(later.offer_id) == col(PublicChange.offer_id),
        col(later.id) > col(PublicChange.id),
        col(later.kind).in_(OFFER_KINDS),
    )
    condition = (col(PublicChange.created_at) < older_than) & (
        col(PublicChange.kind).in_((ChangeKind.removed.value, PORTAL_RULES, PORTAL_ITEM))
        | ((col(PublicChange.kind) == ChangeKind.upsert.value) & superseded)
    )
    newest = session.execute(select(func.max(PublicChange.id)).where(condition)).scalar()
    if newest is None:
        return 0
    result = session.execute(delete(PublicChange).where(condition))
    pruned = int(get_state(session, PRUNED_THROUGH) or 0)
    set_state(session, PRUNED_THROUGH, str(max(pruned, int(newest))))
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of a DELETE

"""Finds duplicate candidates across providers: offers of two organisations with a similar title
and description, dates that overlap, taught in the same city or both online.

Two ways in, one comparison (`compare`):
- `check_offers` for offers just written: candidates come from one indexed query (other
  organisations' live offers in the same city or online whose title shares a word), then
  rapidfuzz scores each. `check_pending` runs it for every offer written since its last check
  (created, changed, imported, published); the quality worker calls it every few seconds.
- `scan_all` for the whole catalogue at once: MinHash LSH (datasketch) over the titles'
  character trigrams proposes pairs without comparing every offer with every other.

Pairs are stored once (lower offer id first). An open pair that no longer matches after a
change is dropped; a decided pair is never touched again (not_duplicate: never proposed
again).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz, utils
from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.codelists import Format, OfferStatus
from app.models.duplicate import DuplicateCandidate, PairStatus
from app.models.offer import Offer, OfferDate
from app.models.types import utcnow

# What counts: both titles alike (TITLE_MIN) and the whole alike (SCORE_MIN), 0-100.
TITLE_MIN = 75
SCORE_MIN = 80
DESCRIPTION_CHARS = 1_000
# Titles share at least one of their longest words; at most this many are looked for.
TITLE_WORDS = 3
MIN_WORD = 4
# Candidates scored per written offer at most (the most alike titles are not guaranteed to
# be first; a title so common that it matches more offers in one city is no good signal).
MAX_CANDIDATES = 200
# Offers a provider still shows or wants shown.
LIVE = (OfferStatus.published.value, OfferStatus.submitted.value)
# MinHash LSH for the full scan: trigram Jaccard above ~0.5 is proposed and then scored.
NUM_PERM = 64
LSH_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Facts:
    """What the comparison looks at, for one offer."""

    id: int
    organisation_id: int
    title: str  # processed: lower case, punctuation as spaces
    description: str
    online: bool
    cities: set[str] = field(default_factory=set)
    # (start, end) per date; None: a flexible start, any time
    runs: list[tuple[date, date] | None] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Match:
    score: int
    reason: dict[str, Any]


def _load(session: Session, offer_ids: Iterable[int]) -> dict[int, Facts]:
    ids = list(offer_ids)
    facts: dict[int, Facts] = {}
    if not ids:
        return facts
    conn = session.connection()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = conn.execute(
            select(
                col(Offer.id),
                col(Offer.organisation_id),
                col(Offer.title),
                func.substr(col(Offer.description), 1, DESCRIPTION_CHARS),
                col(Offer.format),
            ).where(col(Offer.id).in_(chunk), col(Offer.status).in_(LIVE))
        )
        for offer_id, org_id, title, description, format_ in rows:
            facts[offer_id] = Facts(
                offer_id,
                org_id,
                utils.default_process(title),
                utils.default_process(description or ""),
                format_ == Format.online.value,
            )
        dates = conn.execute(
            select(
                col(OfferDate.offer_id),
                col(OfferDate.city),
                col(OfferDate.online),
                col(OfferDate.start_date),
                col(OfferDate.end_date),
                col(OfferDate.flexible_start),
            ).where(col(OfferDate.offer_id).in_([i for i in chunk if i in facts]))
        )
        for offer_id, city, online, start_date, end_date, flexible in dates:
            f = facts[offer_id]
            if city:
                f.cities.add(city)
            f.online = f.online or bool(online)
            if flexible or start_date is None:
                f.runs.append(None)
            else:
                f.runs.append((start_date, end_date or start_date))
    return facts


def _dates(a: Facts, b: Facts) -> str | None:
    """How the dates fit: "overlap", "on request" (one has none or starts any time), or None
    when every run of one lies outside every run of the other."""
    runs_a = [r for r in a.runs if r is not None]
    runs_b = [r for r in b.runs if r is not None]
    if len(runs_a) < len(a.runs) or len(runs_b) < len(b.runs) or not runs_a or not runs_b:
        return "on request or flexible"
    for ra in runs_a:
        for rb in runs_b:
            if ra[0] <= rb[1] and rb[0] <= ra[1]:
                return f"overlap from {max(ra[0], rb[0]).isoformat()}"
    return None


def compare(a: Facts, b: Facts) -> Match | None:
    """A candidate when two offers of different organisations are taught in the same city (or
    both online), their dates overlap, and title and description are alike."""
    if a.organisation_id == b.organisation_id:
        return None
    common = sorted(a.cities & b.cities)
    if common:
        place = ", ".join(common[:3])
    elif a.online and b.online:
        place = "online"
    else:
        return None
    dates = _dates(a, b)
    if dates is None:
        return None
    title = round(
        (fuzz.token_sort_ratio(a.title, b.title) + fuzz.token_set_ratio(a.title, b.title)) / 2
    )
    if title < TITLE_MIN:
        return None
    description: int | None = None
    if len(a.description) >= 20 and len(b.description) >= 20:
        description = round(fuzz.token_set_ratio(a.description, b.description))
    score = title if description is None else round(0.6 * title + 0.4 * description)
    if score < SCORE_MIN:
        return None
    return Match(
        score, {"title": title, "description": description, "place": place, "dates": dates}
    )


def reason_text(reason: dict[str, Any]) -> str:
    """`title 96, description 88, both in Bochum, dates overlap from 2027-03-01`."""
    parts = [f"title {reason.get('title')}"]
    if reason.get("description") is not None:
        parts.append(f"description {reason['description']}")
    place = reason.get("place")
    parts.append("both online" if place == "online" else f"both in {place}")
    parts.append(f"dates {reason.get('dates')}")
    return ", ".join(parts)


def _title_words(title: str) -> list[str]:
    words = sorted({w for w in _WORD.findall(title) if len(w) >= MIN_WORD}, key=len, reverse=True)
    return words[:TITLE_WORDS]


def _candidate_query(f: Facts) -> Select[Any] | None:
    words = _title_words(f.title)
    if not words:
        return None
    place: list[ColumnElement[bool]] = []
    if f.cities:
        place.append(
            col(Offer.id).in_(
                select(col(OfferDate.offer_id)).where(col(OfferDate.city).in_(f.cities))
            )
        )
    if f.online:
        place.append(col(Offer.format) == Format.online.value)
        place.append(
            col(Offer.id).in_(
                select(col(OfferDate.offer_id)).where(col(OfferDate.online).is_(True))
            )
        )
    if not place:
        return None
    return (
        select(col(Offer.id))
        .where(
            col(Offer.organisation_id) != f.organisation_id,
            col(Offer.status).in_(LIVE),
            or_(*place),
            or_(*(col(Offer.title).icontains(w, autoescape=True) for w in words)),
        )
        .limit(MAX_CANDIDATES)
    )


@dataclass
class CheckResult:
    checked: int = 0
    compared: int = 0
    found: int = 0  # pairs that match now (new or still open)
    new: int = 0
    dropped: int = 0


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _store(
    session: Session,
    offer_id: int,
    matches: dict[int, Match],
    result: CheckResult,
    *,
    prune: bool,
) -> None:
    """Keep the offer's matches: new pairs inserted, open ones updated, decided ones left;
    with `prune`, open pairs that no longer match are dropped."""
    existing = {
        (p.offer_b_id if p.offer_a_id == offer_id else p.offer_a_id): p
        for p in session.execute(
            select(DuplicateCandidate).where(
                or_(
                    col(DuplicateCandidate.offer_a_id) == offer_id,
                    col(DuplicateCandidate.offer_b_id) == offer_id,
                )
            )
        ).scalars()
    }
    for other, match in matches.items():
        pair = existing.get(other)
        result.found += 1
        if pair is None:
            a, b = _pair(offer_id, other)
            session.add(
                DuplicateCandidate(
                    offer_a_id=a, offer_b_id=b, score=match.score, reason=match.reason
                )
            )
            result.new += 1
        elif pair.status == PairStatus.open and (pair.score, pair.reason) != (
            match.score,
            match.reason,
        ):
            pair.score, pair.reason = match.score, match.reason
            session.add(pair)
    if prune:
        for other, pair in existing.items():
            if other not in matches and pair.status == PairStatus.open:
                session.delete(pair)
                result.dropped += 1


def _mark_checked(session: Session, offer_ids: list[int], at: datetime) -> None:
    table = Offer.__table__  # type: ignore[attr-defined]
    for start in range(0, len(offer_ids), 1000):
        session.execute(
            update(table)
            .where(table.c.id.in_(offer_ids[start : start + 1000]))
            .values(duplicates_checked_at=at)
        )


def check_offers(*, session: Session, offer_ids: list[int]) -> CheckResult:
    """Look for duplicates of these offers among other organisations' live offers, store what
    matches, and note that they were checked."""
    now = utcnow()
    result = CheckResult()
    facts = _load(session, offer_ids)
    known: dict[int, Facts] = dict(facts)
    for offer_id, f in facts.items():
        query = _candidate_query(f)
        candidates = list(session.execute(query).scalars()) if query is not None else []
        missing = [c for c in candidates if c not in known]
        known.update(_load(session, missing))
        matches = {}
        for other in candidates:
            if other in known:
                result.compared += 1
                match = compare(f, known[other])
                if match is not None:
                    matches[other] = match
        try:
            with session.begin_nested():
                _store(session, offer_id, matches, result, prune=True)
        except IntegrityError:
            # Another check stored the same pair a moment ago; the next check sees it.
            continue
        result.checked += 1
    _mark_checked(session, list(offer_ids), now)
    session.flush()
    return result


def pending_ids(*, session: Session, limit: int) -> list[int]:
    """Live offers written since their last check (or never checked), oldest change first."""
    return list(
        session.execute(
            select(col(Offer.id))
            .where(
                col(Offer.status).in_(LIVE),
                or_(
                    col(Offer.duplicates_checked_at).is_(None),
                    col(Offer.duplicates_checked_at) < col(Offer.updated_at),
                ),
            )
            .order_by(col(Offer.updated_at), col(Offer.id))
            .limit(limit)
        ).scalars()
    )


def check_pending(*, session: Session, limit: int = 500) -> CheckResult:
    """Check up to `limit` offers that wait for the duplicate check."""
    return check_offers(session=session, offer_ids=pending_ids(session=session, limit=limit))


# --- the full scan ----------------------------------------------------------------------------


def _trigrams(title: str) -> set[bytes]:
    padded = f"  {title} "
    return {padded[i : i + 3].encode() for i in range(len(padded) - 2)}


def _all_live_ids(session: Session) -> list[int]:
    return list(
        session.execute(
            select(col(Offer.id)).where(col(Offer.status).in_(LIVE)).order_by(col(Offer.id))
        ).scalars()
    )


def candidate_pairs(facts: dict[int, Facts]) -> Iterator[tuple[int, int]]:
    """Pairs of different organisations whose titles MinHash LSH deems alike, each once."""
    ids = list(facts)
    hashes = MinHash.bulk((_trigrams(facts[i].title) for i in ids), num_perm=NUM_PERM)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for offer_id, h in zip(ids, hashes, strict=True):
            session.insert(offer_id, h, check_duplication=False)
    for offer_id, h in zip(ids, hashes, strict=True):
        org = facts[offer_id].organisation_id
        for other in lsh.query(h):
            if other > offer_id and facts[other].organisation_id != org:
                yield offer_id, other


def scan_all(*, session: Session) -> CheckResult:
    """Compare the whole catalogue (live offers) and store every pair that matches. Open pairs
    are kept even when the scan does not propose them: the per-write check finds more."""
    now = utcnow()
    result = CheckResult()
    ids = _all_live_ids(session)
    facts = _load(session, ids)
    matches: dict[int, dict[int, Match]] = {}
    for a, b in candidate_pairs(facts):
        result.compared += 1
        match = compare(facts[a], facts[b])
        if match is not None:
            matches.setdefault(a, {})[b] = match
    for offer_id, found in matches.items():
        with session.begin_nested():
            _store(session, offer_id, found, result, prune=False)
    result.checked = len(facts)
    _mark_checked(session, ids, now)
    session.flush()
    return result

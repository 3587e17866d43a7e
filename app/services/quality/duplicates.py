"""Finds duplicate candidates across providers: offers of two organisations with a similar title
and description and a date at the same place (a city, or both online) starting at about the
same time (within START_WINDOW_DAYS, or both any time). An offer without dates (on request)
has no place or time to compare by and is not a candidate.

Two ways in, one comparison (`compare`):
- `check_offers` for offers just written: candidates come from one indexed query (other
  organisations' live offers with a date at the same place and time whose title shares a
  word), then rapidfuzz scores each. `check_pending` runs it for every offer written since
  its last check (created, changed, imported, published); the duplicate check worker
  (workers/duplicates.py) calls it every few seconds.
- `scan_all` for the whole catalogue at once: offers grouped by place and week-long start
  slot, and within neighbouring slots MinHash LSH (datasketch) over the titles' character
  trigrams proposes pairs without comparing every offer with every other.

Pairs are stored once (lower offer id first). An open pair that no longer matches after a
change is dropped; a decided pair is never touched again (not_duplicate: never proposed
again).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from rapidfuzz import fuzz, utils
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.codelists import OfferStatus
from app.db import savepoint
from app.models.duplicate import DuplicateCandidate, PairStatus
from app.models.offer import Offer, OfferDate
from app.models.types import utcnow

# What counts: both titles alike (TITLE_MIN) and the whole alike (SCORE_MIN), 0-100.
TITLE_MIN = 75
SCORE_MIN = 80
DESCRIPTION_CHARS = 1_000
# Titles alike enough share their longest word (candidates are looked up by it).
TITLE_WORDS = 1
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


ONLINE = "online"
# Two runs are "the same dates" when they are taught at the same place (city, or both online)
# and start within this many days of each other, or both start any time.
START_WINDOW_DAYS = 7
# Runs of one offer looked at (a course with more runs is compared by its first ones).
MAX_RUNS = 20


@dataclass(frozen=True, slots=True)
class Run:
    """One date of an offer: where (a city, or ONLINE) and when it starts (None: any time)."""

    place: str
    start: date | None


@dataclass(slots=True)
class Facts:
    """What the comparison looks at, for one offer."""

    id: int
    organisation_id: int
    title: str  # processed: lower case, punctuation as spaces
    description: str
    runs: list[Run] = field(default_factory=list)

    @property
    def places(self) -> set[str]:
        return {r.place for r in self.runs}


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
            ).where(col(Offer.id).in_(chunk), col(Offer.status).in_(LIVE))
        )
        for offer_id, org_id, title, description in rows:
            facts[offer_id] = Facts(
                offer_id,
                org_id,
                utils.default_process(title),
                utils.default_process(description or ""),
            )
        dates = conn.execute(
            select(
                col(OfferDate.offer_id),
                col(OfferDate.city),
                col(OfferDate.online),
                col(OfferDate.start_date),
                col(OfferDate.flexible_start),
            )
            .where(col(OfferDate.offer_id).in_([i for i in chunk if i in facts]))
            .order_by(col(OfferDate.offer_id), col(OfferDate.position))
        )
        for offer_id, city, online, start_date, flexible in dates:
            runs = facts[offer_id].runs
            place = ONLINE if online else city
            if len(runs) >= MAX_RUNS or not place:
                continue
            run = Run(place, None if flexible else start_date)
            if run not in runs:
                runs.append(run)
    return facts


def _same_dates(a: Facts, b: Facts) -> tuple[str, str] | None:
    """(place, how the dates fit) of the first pair of runs taught at one place at about the
    same time (or both starting any time); None when there is none."""
    window = START_WINDOW_DAYS
    for ra in a.runs:
        for rb in b.runs:
            if ra.place != rb.place:
                continue
            if ra.start is None or rb.start is None:
                if ra.start is None and rb.start is None:
                    return ra.place, "start any time"
                continue
            if abs((ra.start - rb.start).days) <= window:
                starts = sorted({ra.start.isoformat(), rb.start.isoformat()})
                return ra.place, "start " + " / ".join(starts)
    return None


def compare(a: Facts, b: Facts) -> Match | None:
    """A candidate when two offers of different organisations have a run at the same place (a
    city, or both online) starting within START_WINDOW_DAYS, and title and description are
    alike."""
    if a.organisation_id == b.organisation_id:
        return None
    fit = _same_dates(a, b)
    if fit is None:
        return None
    place, dates = fit
    title = title_score(a.title, b.title)
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


def title_score(a: str, b: str) -> int:
    """How alike two processed titles are, 0-100: word order and extra words count half."""
    return round((fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 2)


def reason_text(reason: dict[str, Any]) -> str:
    """`title 96, description 88, both in Bochum, start 2027-03-01 / 2027-03-08`."""
    parts = [f"title {reason.get('title')}"]
    if reason.get("description") is not None:
        parts.append(f"description {reason['description']}")
    place = reason.get("place")
    parts.append("both online" if place == ONLINE else f"both in {place}")
    parts.append(str(reason.get("dates")))
    return ", ".join(parts)


def _title_words(title: str) -> list[str]:
    words = sorted(
        {w for w in _WORD.findall(title) if len(w) >= MIN_WORD}, key=lambda w: (-len(w), w)
    )
    return words[:TITLE_WORDS]


def _run_clause(run: Run) -> ColumnElement[bool]:
    """Dates of other offers at this run's place that start about when it does; one range of
    an index on offer_date: (city, start_date), (online, start_date), (flexible_start, city)
    or (flexible_start, online).
    `= true`, not `IS 1`: SQLite ranges an index only for the former."""
    place = (
        col(OfferDate.online) == true() if run.place == ONLINE else col(OfferDate.city) == run.place
    )
    if run.start is None:
        return and_(col(OfferDate.flexible_start) == true(), place)
    # Clamped: a date stored at the calendar's edge (year 1 or 9999, from before input was
    # checked) must not stop the check for everyone with an OverflowError.
    low = date.fromordinal(max(1, run.start.toordinal() - START_WINDOW_DAYS))
    high = date.fromordinal(min(date.max.toordinal(), run.start.toordinal() + START_WINDOW_DAYS))
    return and_(
        place,
        col(OfferDate.flexible_start) == false(),
        col(OfferDate.start_date).between(low, high),
    )


def _candidate_query(f: Facts, dialect: str) -> Select[int | None, str] | None:
    """Other organisations' live offers with a run at the same place and time whose title
    contains this title's longest word (titles alike enough share it); the indexes on
    offer_date keep it to a few rows. Returns (id, title).

    On PostgreSQL the dates' offer ids are gathered first (`= ANY(ARRAY(...))`, an init
    plan) and then looked up by id: with `IN (...)` its planner preferred to read every
    offer's title (~100 ms at 100,000 offers for an online course with dated runs)."""
    words = _title_words(f.title)
    if not words or not f.runs:
        return None
    runs = select(col(OfferDate.offer_id)).where(or_(*(_run_clause(r) for r in f.runs)))
    dated = (
        col(Offer.id) == func.any(func.array(runs.scalar_subquery()))
        if dialect == "postgresql"
        else col(Offer.id).in_(runs)
    )
    return (
        select(col(Offer.id), col(Offer.title))
        .where(
            dated,
            col(Offer.organisation_id) != f.organisation_id,
            col(Offer.status).in_(LIVE),
            col(Offer.title).icontains(words[0], autoescape=True),
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


_PAIRS = cast(Any, DuplicateCandidate).__table__


# A stored pair as the writers need it: row id, status, score, reason.
StoredPair = tuple[int, str, int, dict[str, Any]]


def _stored_pairs(
    session: Session, *where: ColumnElement[bool]
) -> dict[tuple[int, int], StoredPair]:
    """The stored pairs (those matching `where`), by their offer ids lower first."""
    t = _PAIRS
    rows = session.execute(
        select(t.c.id, t.c.offer_a_id, t.c.offer_b_id, t.c.status, t.c.score, t.c.reason).where(
            *where
        )
    )
    return {
        _pair(a, b): (pair_id, status, score, reason)
        for pair_id, a, b, status, score, reason in rows
    }


def _write_pairs(
    session: Session,
    matches: dict[tuple[int, int], Match],
    existing: dict[tuple[int, int], StoredPair],
    result: CheckResult,
) -> None:
    """Matches by their offer ids lower first: new pairs inserted, open ones given the new score
    and reason, decided ones left as the admin decided. Plain statements, no ORM objects: a
    written offer of a crowded course has dozens of pairs, the full scan thousands."""
    now = utcnow()
    new_rows = []
    for (a, b), match in matches.items():
        result.found += 1
        known = existing.get((a, b))
        if known is None:
            new_rows.append(
                {
                    "offer_a_id": a,
                    "offer_b_id": b,
                    "score": match.score,
                    "reason": match.reason,
                    "status": PairStatus.open.value,
                    "found_at": now,
                }
            )
        elif known[1] == PairStatus.open and (known[2], known[3]) != (match.score, match.reason):
            session.execute(
                update(_PAIRS)
                .where(_PAIRS.c.id == known[0])
                .values(score=match.score, reason=match.reason)
            )
    for start in range(0, len(new_rows), 1000):
        session.execute(insert(_PAIRS), new_rows[start : start + 1000])
    result.new += len(new_rows)


def _store(
    session: Session,
    offer_id: int,
    matches: dict[int, Match],
    result: CheckResult,
    *,
    prune: bool,
) -> None:
    """Keep the offer's matches (`_write_pairs`); with `prune`, open pairs that no longer match
    are dropped."""
    t = _PAIRS
    existing = _stored_pairs(session, or_(t.c.offer_a_id == offer_id, t.c.offer_b_id == offer_id))
    pairs = {_pair(offer_id, other): match for other, match in matches.items()}
    _write_pairs(session, pairs, existing, result)
    if prune:
        gone = [
            known[0]
            for pair, known in existing.items()
            if pair not in pairs and known[1] == PairStatus.open
        ]
        if gone:
            session.execute(t.delete().where(t.c.id.in_(gone)))
            result.dropped += len(gone)


def _mark_checked(session: Session, offer_ids: list[int], at: datetime) -> None:
    table = cast(Any, Offer).__table__
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
    dialect = session.get_bind().dialect.name
    known: dict[int, Facts] = dict(facts)
    retry: set[int] = set()
    for offer_id, f in facts.items():
        query = _candidate_query(f, dialect)
        rows = list(session.execute(query)) if query is not None else []
        # Titles first: only candidates whose title is alike are loaded whole.
        candidates = [
            other
            for other, title in rows
            if title_score(f.title, utils.default_process(title)) >= TITLE_MIN
        ]
        result.compared += len(rows) - len(candidates)
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
            with savepoint(session):
                _store(session, offer_id, matches, result, prune=True)
        except IntegrityError:
            # Another check stored the same pair a moment ago: left waiting, checked again.
            retry.add(offer_id)
            continue
        result.checked += 1
    _mark_checked(session, [i for i in offer_ids if i not in retry], now)
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


def _bucket(run: Run) -> tuple[str, int | None]:
    """The run's place and its start's week-long slot: runs that can match share a place and
    lie in the same or neighbouring slots (any-time runs: one slot of their own)."""
    if run.start is None:
        return run.place, None
    return run.place, run.start.toordinal() // START_WINDOW_DAYS


def candidate_pairs(facts: dict[int, Facts]) -> Iterator[tuple[int, int]]:
    """Pairs of different organisations with runs at one place and about one time whose titles
    MinHash LSH deems alike, each once. Blocking by place and start slot first keeps the pairs
    proposed to those that can match at all (a common course taught by many providers in
    every city and every month would otherwise pair them all)."""
    # Imported here: datasketch brings scipy (~2 s, tens of MB) that only the scan needs.
    from datasketch import MinHash, MinHashLSH

    buckets: dict[tuple[str, int | None], list[int]] = {}
    for offer_id, f in facts.items():
        for key in {_bucket(r) for r in f.runs}:
            buckets.setdefault(key, []).append(offer_id)
    ids = list(facts)
    hashes = dict(
        zip(
            ids,
            MinHash.bulk((_trigrams(facts[i].title) for i in ids), num_perm=NUM_PERM),
            strict=True,
        )
    )
    indexes: dict[tuple[str, int | None], MinHashLSH] = {}
    for key, members in buckets.items():
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        with lsh.insertion_session() as inserting:
            for offer_id in members:
                inserting.insert(offer_id, hashes[offer_id], check_duplication=False)
        indexes[key] = lsh
    seen: set[tuple[int, int]] = set()
    for (place, slot), members in buckets.items():
        near = [(place, None)] if slot is None else [(place, slot + d) for d in (-1, 0, 1)]
        lshs = [indexes[k] for k in near if k in indexes]
        for offer_id in members:
            org = facts[offer_id].organisation_id
            for lsh in lshs:
                for other in lsh.query(hashes[offer_id]):
                    if other > offer_id and facts[other].organisation_id != org:
                        pair = (offer_id, other)
                        if pair not in seen:
                            seen.add(pair)
                            yield pair


def _store_all(
    session: Session, matches: dict[tuple[int, int], Match], result: CheckResult
) -> None:
    """The scan's matches in bulk (`_write_pairs`); open pairs it did not find are kept."""
    _write_pairs(session, matches, _stored_pairs(session), result)


def scan_all(*, session: Session) -> CheckResult:
    """Compare the whole catalogue (live offers) and store every pair that matches. Open pairs
    are kept even when the scan does not propose them: the per-write check finds more."""
    now = utcnow()
    result = CheckResult()
    ids = _all_live_ids(session)
    facts = _load(session, ids)
    matches: dict[tuple[int, int], Match] = {}
    for a, b in candidate_pairs(facts):
        result.compared += 1
        match = compare(facts[a], facts[b])
        if match is not None:
            matches[a, b] = match
    _store_all(session, matches, result)
    result.checked = len(facts)
    _mark_checked(session, ids, now)
    session.flush()
    return result

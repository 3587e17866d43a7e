"""Which demand counts may be shown, and which are deleted because none ever may.

Demand is published per calendar month (UTC, the days the recorder counts in) once the month
has closed, each month's counts thresholded on their own; a period of several months is the
sum of what each month shows. Periods of any length would let two overlapping ones be
subtracted (the 1st to the 6th minus the 1st to the 5th is one day: 11 clients against 10 is
one person's search on that day). A closed month takes no more counts (the recorder drops
late ones), and its hidden rows are deleted, never added back: two reads of it never differ,
and nothing below the threshold can be worked out from them.

A month closes at the end of the next month's first UTC day, not at midnight: by then the
searches of its last minutes have been written (every few seconds), and an office in any
time zone asks on its own calendar day without reaching into a month still being counted.
With the month, the marks of the clients it counted (and what their key was derived from)
are deleted: they exist only to count each client once in a month still counting.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, bindparam, delete
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from app.models.index_state import IndexerState
from app.models.monitoring import DemandClient, DemandCount
from app.search.state import get_state, set_state

ZERO = "0-results"  # the value of a term's zero-result row (dimension "")
# The last day of the last month whose unpublishable counts were deleted (IndexerState).
PRUNED_THROUGH = "demand_pruned_through"
# + "YYYY-MM": the random value the month's client key is derived from (IndexerState),
# kept only while the month is counted.
CLIENT_SALT = "demand_client_salt:"

# (month, portal, term, dimension, value)
Cell = tuple[date, str, str, str, str]
_Search = TypeVar("_Search", bound=tuple[Any, ...])


def utc_today() -> date:
    return datetime.now(UTC).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    if day.month == 12:  # computed without the next month: 9999-12 has none
        return day.replace(day=31)
    return day.replace(month=day.month + 1, day=1) - timedelta(days=1)


def last_closed(today: date) -> date:
    """The last day of the newest closed month: the month before this one, except on this
    month's first day, when that one still takes its last counts."""
    end = month_start(today) - timedelta(days=1)
    if today.day == 1:
        end = month_start(end) - timedelta(days=1)
    return end


def shown(counts: Counter[Cell], threshold: int) -> set[Cell]:
    """The month cells an output may show: a term's own cell (dimension and value "") that
    reaches the threshold, and each of its rows that reaches it. Publication, deletion and
    the zero-result classes all decide by this one rule."""
    terms = {
        (month, portal, term)
        for (month, portal, term, dimension, value), n in counts.items()
        if dimension == "" and value == "" and n >= threshold
    }
    return {cell for cell, n in counts.items() if n >= threshold and cell[:3] in terms}


def _by_month(rows: Iterable[Sequence[Any]]) -> Counter[Cell]:
    counts: Counter[Cell] = Counter()
    for day, portal, term, dimension, value, clients in rows:
        counts[(month_start(day), portal, term, dimension, value)] += int(clients)
    return counts


def _read(session: Session, *where: ColumnElement[bool]) -> list[Any]:
    # Six columns: more than sqlmodel's `select` types, so SQLAlchemy's own.
    statement = sql_select(
        col(DemandCount.day),
        col(DemandCount.portal),
        col(DemandCount.term),
        col(DemandCount.dimension),
        col(DemandCount.value),
        col(DemandCount.clients),
    ).where(*where)
    return list(session.connection().execute(statement).all())


def demand_rows(
    *, session: Session, portal: str, start: date, end: date, threshold: int
) -> list[tuple[str, str, str, int]]:
    """(term, dimension, value, clients) of the months from `start` to `end`, each month as
    `shown` allows, summed; the caller asks only for closed months (reports.demand_period)."""
    counts = _by_month(
        _read(
            session,
            col(DemandCount.portal) == portal,
            col(DemandCount.day) >= start,
            col(DemandCount.day) <= end,
        )
    )
    totals: Counter[tuple[str, str, str]] = Counter()
    for month, _, term, dimension, value in shown(counts, threshold):
        totals[(term, dimension, value)] += counts[(month, portal, term, dimension, value)]
    return sorted(
        ((t, d, v, n) for (t, d, v), n in totals.items()),
        key=lambda r: (-totals[(r[0], "", "")], r[0], r[1], -r[3], r[2]),
    )


def zero_result_terms(
    *, session: Session, today: date, portals: list[str], threshold: int
) -> dict[str, list[str]]:
    """Per portal, the terms with a zero-result count `shown` in the newest closed month or
    in a month still counting (what the demand table shows, or will show once the month
    closes): only those are classified."""
    counts = _by_month(
        _read(
            session,
            col(DemandCount.portal).in_(portals),
            col(DemandCount.day) >= month_start(last_closed(today)),
            col(DemandCount.day) <= today,
        )
    )
    result: dict[str, set[str]] = {}
    for _, portal, term, dimension, value in shown(counts, threshold):
        if term and dimension == "" and value == ZERO:
            result.setdefault(portal, set()).add(term)
    return {portal: sorted(terms) for portal, terms in result.items()}


def still_counted(pending: Iterable[_Search], today: date) -> set[_Search]:
    """The searches (day first) of days whose month has not closed (a write delayed past the
    close, by an outage, would change a month already shown): the others are dropped."""
    closed = last_closed(today)
    return {row for row in pending if row[0] > closed}


def forget_clients(*, session: Session, through: date) -> None:
    """Delete the client marks of the months up to `through`, and what their keys were
    derived from: once a month takes no more counts, nothing may recognise its clients."""
    connection = session.connection()
    connection.execute(delete(DemandClient).where(col(DemandClient.month) <= through))
    salt_keys = col(IndexerState.key).startswith(CLIENT_SALT, autoescape=True)
    salts = connection.execute(sql_select(col(IndexerState.key)).where(salt_keys)).scalars()
    # Compared here, not in SQL: a database's collation may order the keys otherwise.
    closed = [key for key in salts if key.removeprefix(CLIENT_SALT) <= f"{through:%Y-%m}"]
    if closed:
        connection.execute(delete(IndexerState).where(col(IndexerState.key).in_(closed)))


def prune_closed_months(*, session: Session, today: date, threshold: int) -> int:
    """Delete the counts of the months closed since the last pruning which no output can
    ever show (a term below the threshold in its month with all its rows, and every row
    below it): a rare search text, which may name a person, is kept only while its month is
    counted. The closed months' client marks go every time (a write that raced the close
    leaves none behind). Returns how many daily rows went."""
    through = last_closed(today)
    forget_clients(session=session, through=through)
    done = get_state(session, PRUNED_THROUGH)
    if done is not None and date.fromisoformat(done) >= through:
        return 0
    where = [col(DemandCount.day) <= through]
    if done is not None:
        where.append(col(DemandCount.day) > date.fromisoformat(done))
    rows = _read(session, *where)
    keep = shown(_by_month(rows), threshold)
    doomed = [
        {"d": day, "p": portal, "t": term, "dim": dimension, "v": value}
        for day, portal, term, dimension, value, _ in rows
        if (month_start(day), portal, term, dimension, value) not in keep
    ]
    if doomed:
        # By the whole primary key: one row each, whatever the month holds.
        session.connection().execute(
            delete(DemandCount).where(
                col(DemandCount.day) == bindparam("d"),
                col(DemandCount.portal) == bindparam("p"),
                col(DemandCount.term) == bindparam("t"),
                col(DemandCount.dimension) == bindparam("dim"),
                col(DemandCount.value) == bindparam("v"),
            ),
            doomed,
        )
    set_state(session, PRUNED_THROUGH, through.isoformat())
    return len(doomed)

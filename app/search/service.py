"""Public search: turns validated parameters into one Meilisearch multi-search and its
answer into hits and facets. Only published, current offers are ever asked for."""

import html
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from app.codelists import CODE_LISTS
from app.config import get_settings
from app.errors import InvalidInput, SearchUnavailable
from app.geo import distance_km, postcode_centre
from app.models.search import (
    FacetValue,
    HitLocation,
    SearchHit,
    SearchParams,
    SearchResult,
    SearchScope,
    SortOrder,
    Suggestion,
    SuggestResult,
)
from app.search import documents as f
from app.search import filters as sf
from app.search.cache import AnswerCache, KnownQueries
from app.search.http import MeiliHttp
from app.search.index_settings import DISPLAYED, QUERY_LOCALES

log = logging.getLogger("bildungsraum.search")

DEFAULT_RADIUS_KM = 25.0
SNIPPET_WORDS = 28
MAX_RESULT_WINDOW = 10_000
FACET_LABELS = {
    "category": "category",
    "education_type": "education_type",
    "format": "format",
    "schedule": "schedule",
    "funding": "funding",
    "level": "level",
    "dvv_category": "dvv_category",
}
# What hits are built from: every displayed field but the document id (an offer has one
# document per place), the stored next start (recomputed for the search's start window) and
# the city list (a hit names the city of its nearest place).
_RETRIEVE = [name for name in DISPLAYED if name not in (f.ID, f.NEXT_START, f.CITIES)]
_RETRIEVE_WITH_SNIPPET = [name for name in _RETRIEVE if name != f.DESCRIPTION]


_EMPTY_INDEX_CODE = b'"invalid_search_attributes_to_search_on"'


class SearchBackend:
    """The API's calls to Meilisearch, over pooled keep-alive connections (MeiliHttp)."""

    def __init__(self, url: str, key: str, index: str, timeout_s: float) -> None:
        self.index = index
        self.timeout_s = timeout_s
        # Identity encoding: a gzip answer comes back chunked, and those small chunked writes
        # meet Nagle and the delayed ACK, a ~40 ms floor under every request (measured: 44 ms
        # with gzip, 2 ms without, on loopback). Loopback bandwidth makes compression moot.
        headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.http = MeiliHttp(url.rstrip("/"), headers)

    async def multi_search(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # A query without locales would be split as German (see QUERY_LOCALES); this module's
        # queries carry them, others (the monitoring's) get them here.
        queries = [q if "locales" in q else {**q, "locales": QUERY_LOCALES} for q in queries]
        body = orjson.dumps({"queries": queries})
        # Searches change nothing, so the client may send one again on a fresh connection.
        status, answer = await self.http.request(
            "POST", "/multi-search", body, timeout_s=self.timeout_s, idempotent=True
        )
        if status != 200:
            if status == 400 and _EMPTY_INDEX_CODE in answer:
                # An index without documents knows no searchable attribute, and refuses
                # `attributesToSearchOn`: nothing can be found, which is an empty answer.
                return [{"hits": [], "estimatedTotalHits": 0} for _ in queries]
            log.error("Meilisearch refused a search (%s): %s", status, answer[:500])
            raise SearchUnavailable(f"Meilisearch answered {status}")
        return list(orjson.loads(answer)["results"])

    async def healthy(self) -> bool:
        try:
            status, _ = await self.http.request("GET", "/health", timeout_s=1.0, idempotent=True)
        except SearchUnavailable:
            return False
        return status == 200

    async def close(self) -> None:
        await self.http.close()


_backend: SearchBackend | None = None
_cache: AnswerCache[SearchResult] | None = None
_known: KnownQueries[SearchParams] | None = None


def configure_backend() -> SearchBackend:
    """Create the process's backend and answer cache from the settings (at application start)."""
    global _backend, _cache, _known
    settings = get_settings()
    _known = KnownQueries(settings.search_cache_entries)
    if _cache is not None:
        _cache.stop()
    _cache = AnswerCache(
        entries=settings.search_cache_entries,
        check_s=settings.search_cache_check_s,
        max_age_s=settings.search_cache_max_age_s,
    )
    _backend = SearchBackend(
        settings.meili_url, settings.search_key, settings.meili_index, settings.meili_timeout_s
    )
    return _backend


async def close_backend() -> None:
    global _backend
    if _cache is not None:
        _cache.stop()
    if _backend is not None:
        await _backend.close()
        _backend = None


def backend() -> SearchBackend:
    return _backend or configure_backend()


def known_queries() -> KnownQueries[SearchParams]:
    """The validated search parameters of query strings read before (see KnownQueries)."""
    if _known is None:
        configure_backend()
    assert _known is not None
    return _known


def answer_cache() -> AnswerCache[SearchResult]:
    if _cache is None:
        configure_backend()
    assert _cache is not None
    return _cache


# --- queries ------------------------------------------------------------------------------


def located(
    params: SearchParams, *, default_radius: bool = True
) -> tuple[SearchParams, tuple[float, float] | None]:
    """The search centre, if any, and the parameters with the default radius filled in
    when a centre came without one (a new value; the input is left as it was). Without
    `default_radius` a centre without radius only measures distances ("Umkreis: egal")."""
    if params.lat is not None and params.lon is not None:
        centre = (params.lat, params.lon)
    elif params.postcode:
        centre = postcode_centre(params.postcode, loc=["query", "postcode"])
    else:
        return params, None
    if params.radius_km is None and default_radius and not params.radius_any:
        params = params.model_copy(update={"radius_km": DEFAULT_RADIUS_KM})
    return params, centre


def _query_error(name: str, message: str) -> InvalidInput:
    return InvalidInput.at(["query", name], message)


def check(params: SearchParams, centre: tuple[float, float] | None) -> None:
    """The rules that span several parameters (each field is checked by the model)."""
    if (params.lat is None) != (params.lon is None):
        raise _query_error("lat" if params.lat is None else "lon", "give lat and lon together")
    if params.sort == SortOrder.distance and centre is None:
        raise _query_error("sort", "sort=distance needs a postcode or lat and lon")
    if params.radius_km is not None and centre is None:
        raise _query_error("radius_km", "radius_km needs a postcode or lat and lon")
    if params.radius_any and params.radius_km is not None:
        raise _query_error("radius_any", "give radius_km or radius_any, not both")
    if params.page * params.per_page > MAX_RESULT_WINDOW:
        raise _query_error(
            "page",
            f"only the first {MAX_RESULT_WINDOW:,} results can be paged through; narrow the search",
        )
    if params.start_from and params.start_to and params.start_to < params.start_from:
        raise _query_error("start_to", "start_to is before start_from")


def _sort(params: SearchParams, centre: tuple[float, float] | None, geo_mode: bool) -> list[str]:
    if params.sort == SortOrder.start:
        # In geo mode every place is a document and the first one per offer is kept: by its
        # own earliest start, the place the hit shows and the start it is sorted by agree.
        # Documents written before that field existed follow, by the offer's earliest start.
        if geo_mode:
            return [f"{f.PLACE_NEXT_START}:asc", f"{f.NEXT_START}:asc"]
        return [f"{f.NEXT_START}:asc"]
    if params.sort == SortOrder.price:
        return [f"{f.PRICE}:asc"]
    if params.sort == SortOrder.distance and centre is not None:
        return [f"_geoPoint({sf.number(centre[0])}, {sf.number(centre[1])}):asc"]
    return []


def build_queries(
    params: SearchParams,
    scope: SearchScope | None,
    *,
    centre: tuple[float, float] | None,
    now_ts: int,
    index: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The main query plus one facet-only query per narrowed facet group (disjunctive
    facets: a group's own choice does not shrink its counts), for parameters as `located`
    returns them. Returns queries and the facet names each extra query answers."""
    check(params, centre)
    geo_mode = sf.needs_geo_mode(params, scope, centre)
    base = (
        sf.visibility(now_ts)
        + sf.scope_filters(scope, now_ts=now_ts)
        + sf.other_filters(params, centre, now_ts=now_ts, geo_mode=geo_mode)
    )
    if not geo_mode:
        base.append(f"{f.PRIMARY} = true")
    chosen = sf.facet_filters(params)
    common: dict[str, Any] = {"indexUid": index, "q": params.q, "locales": QUERY_LOCALES}
    if geo_mode:
        common["distinct"] = f.OFFER_ID
    main = {
        **common,
        "filter": sf.join(base + list(chosen.values())),
        "page": params.page,
        "hitsPerPage": params.per_page,
        "facets": list(sf.FACET_FIELDS.values()),
        "attributesToRetrieve": _RETRIEVE,
    }
    if params.q.strip():
        # Highlighting and cropping are a large part of Meilisearch's work per query (measured
        # ~2 of 10 ms at 100k offers, half of it at 2k); with no words the lead is cut here.
        # With words the snippet comes from `_formatted`, so the whole description stays
        # behind (a third of the answer's bytes; 0.3-0.7 ms of Meilisearch time at 100k).
        main["attributesToRetrieve"] = _RETRIEVE_WITH_SNIPPET
        main |= {
            "attributesToHighlight": [f.TITLE, f.DESCRIPTION],
            "attributesToCrop": [f.DESCRIPTION],
            "cropLength": SNIPPET_WORDS,
            "cropMarker": "…",
            "highlightPreTag": f.HIGHLIGHT_PRE,
            "highlightPostTag": f.HIGHLIGHT_POST,
        }
    sort = _sort(params, centre, geo_mode)
    if sort:
        main["sort"] = sort
    queries = [main]
    names = []
    for name in chosen:
        others = [clause for other, clause in chosen.items() if other != name]
        queries.append(
            {
                **common,
                "filter": sf.join(base + others),
                "limit": 0,
                "facets": [sf.FACET_FIELDS[name]],
            }
        )
        names.append(name)
    return queries, names


# --- answers ------------------------------------------------------------------------------


# What `_marked` has to change: markup characters and our highlight marks.
_TO_MARK = re.compile(f"[&<>\"'{f.HIGHLIGHT_PRE}{f.HIGHLIGHT_POST}]")


def _marked(text: str) -> str:
    """Escape everything, then turn our private highlight marks into <mark>."""
    if _TO_MARK.search(text) is None:  # most titles: nothing to escape, nothing marked
        return text
    # Marks that touch (two matched parts of one word) read better as one.
    joined = text.replace(f.HIGHLIGHT_POST + f.HIGHLIGHT_PRE, "")
    return (
        html.escape(joined, quote=True)
        .replace(f.HIGHLIGHT_PRE, "<mark>")
        .replace(f.HIGHLIGHT_POST, "</mark>")
    )


def _lead(text: str) -> str:
    """The first words of a description, cut the way Meilisearch crops a snippet."""
    words = text.split()
    if len(words) <= SNIPPET_WORDS:
        return " ".join(words)
    return " ".join(words[:SNIPPET_WORDS]) + "…"


def _start_window(params: SearchParams, today_ts: int) -> tuple[int, int, int]:
    """(today, low, high): which starts count as "next" for these parameters."""
    low = max(today_ts, f.day_start(params.start_from) if params.start_from else 0)
    high = f.day_end(params.start_to) if params.start_to else f.OPEN_END
    return today_ts, low, high


def _next_start(starts: list[int], window: tuple[int, int, int]) -> date | None:
    """The earliest start inside the window, else the earliest from today on."""
    today_ts, low, high = window
    inside: int | None = None
    later: int | None = None
    for start in starts:
        if low <= start <= high:
            if inside is None or start < inside:
                inside = start
        elif start >= today_ts and (later is None or start < later):
            later = start
    first = later if inside is None else inside
    return None if first is None else f.day_of(first)


@dataclass(frozen=True, slots=True)
class Placing:
    """What decides the place a hit shows: where the search looks from, how far (its own
    radius), the portal's region (its postcodes and prefixes, its circle), whether it asked
    for a start window, and whether hits are sorted by start."""

    centre: tuple[float, float] | None = None
    radius_km: float | None = None
    region: tuple[str, ...] = ()
    circle: tuple[tuple[float, float], float] | None = None
    window_asked: bool = False
    by_start: bool = False

    def outside(self, loc: dict[str, Any], km: float | None) -> bool:
        """Whether the place lies outside the search's radius or the portal's region (a
        place without coordinates cannot be shown to lie inside a radius or circle)."""
        if self.radius_km is not None and (km is None or km > self.radius_km):
            return True
        if not self.region and self.circle is None:
            return False
        postcode = loc.get("postcode")
        if self.region and postcode and postcode.startswith(self.region):
            return False
        lat, lon = loc.get("lat"), loc.get("lon")
        if self.circle is None or lat is None or lon is None:
            return True
        centre, radius = self.circle
        return distance_km(centre, (lat, lon)) > radius


_NEVER = float("inf")


def _first_start(starts: list[int], window: tuple[int, int, int]) -> tuple[int, float]:
    """(0, the earliest start inside the window), else (1, the earliest from today on), else
    (2, never)."""
    today_ts, low, high = window
    inside: float = _NEVER
    later: float = _NEVER
    for start in starts:
        if low <= start <= high:
            inside = min(inside, start)
        elif start >= today_ts:
            later = min(later, start)
    if inside < _NEVER:
        return 0, inside
    return (1, later) if later < _NEVER else (2, _NEVER)


def _start_rank(
    own: list[int] | None, any_time: bool, placing: Placing, window: tuple[int, int, int]
) -> tuple[int, float]:
    """How a place's starts rank (see _first_start); a place where one can start any time
    meets every start window, at its beginning."""
    if own is None:
        return 0, 0.0
    rank, first = _first_start(own, window)
    if rank and any_time and placing.window_asked:
        return 0, float(window[1])
    return rank, first


def _place(
    locations: list[dict[str, Any]],
    location_starts: list[list[int]] | None,
    placing: Placing,
    window: tuple[int, int, int],
    location_flexible: list[bool] | None = None,
) -> tuple[dict[str, Any], float | None, list[int] | None, int]:
    """The place a hit shows, its distance, its own starts (None: the offer's, as for a
    single place, or documents written before they were kept) and its position in
    LOCATIONS. Places inside the search's radius and the portal's region come first. From a
    centre: the nearest — with a start window, the nearest with a start in it (or where one
    can start any time); a place whose postcode has no known centre after those with
    coordinates. Without a centre, or sorted by start: the place with the earliest start in
    the window (or to come), as "sort by start" orders hits. So the place and the start a
    hit names belong together, and the place lies where the search looked."""
    count = len(locations)
    per_place = location_starts if location_starts and len(location_starts) == count else None
    any_time = location_flexible if location_flexible and len(location_flexible) == count else None
    centre = placing.centre
    if count == 1:  # most offers: nothing to choose
        loc = locations[0]
        lat = loc.get("lat")
        km = distance_km(centre, (lat, loc["lon"])) if centre and lat is not None else None
        return loc, km, per_place[0] if per_place else None, 0
    best: tuple[dict[str, Any], float | None, list[int] | None, int] | None = None
    best_key: tuple[bool, int, float, int] | None = None
    by_distance = centre is not None and not placing.by_start
    for i, loc in enumerate(locations):
        lat, lon = loc.get("lat"), loc.get("lon")
        own = per_place[i] if per_place else None
        km = (
            distance_km(centre, (lat, lon))
            if centre is not None and lat is not None and lon is not None
            else None
        )
        flexible = bool(any_time and any_time[i])
        if by_distance:
            # From a centre the distance decides; the starts only whether one is in the window.
            rank = _start_rank(own, flexible, placing, window)[0] if placing.window_asked else 0
            key = (placing.outside(loc, km), rank, km if km is not None else _NEVER, i)
        else:
            rank, first = _start_rank(own, flexible, placing, window)
            key = (placing.outside(loc, km), rank, first, i)
        if best_key is None or key < best_key:
            best_key, best = key, (loc, km, own, i)
    assert best is not None
    return best


def _seats_of(seats: list[list[int]], next_start: date | None) -> int | None:
    if next_start is None:
        return None
    day = f.day_start(next_start)
    return next((n for start, n in seats if start == day), None)


@lru_cache(maxsize=4096)
def _price(cents_as_euros: float) -> Decimal:
    # Prices are whole cents in the database, so two decimals are exact. Kept per value: a
    # catalogue has few distinct prices, and a Decimal from text costs more than the look-up.
    return Decimal(f"{cents_as_euros:.2f}")


_NO_FORMAT: dict[str, Any] = {}


def _hit(
    doc: dict[str, Any],
    placing: Placing,
    window: tuple[int, int, int],
    also_offered: bool = True,
) -> SearchHit:
    # The hot loop of every search (20 hits a page): fields read once, empty lists and
    # absent values take the short way. The lists are the parsed answer's own, used by
    # this hit only, so they are not copied.
    get = doc.get
    formatted = get("_formatted") or _NO_FORMAT
    locations = get(f.LOCATIONS)
    seats = get(f.SEATS)
    if locations:
        best, best_km, starts, index = _place(
            locations, get(f.LOCATION_STARTS), placing, window, get(f.LOCATION_FLEXIBLE)
        )
        per_place_seats = get(f.LOCATION_SEATS)
        if per_place_seats and len(per_place_seats) == len(locations):
            seats = per_place_seats[index]  # the free seats of the place shown
    else:
        best, best_km, starts = None, None, None
    if starts is None:
        starts = get(f.STARTS)
    price = get(f.PRICE)
    next_start = _next_start(starts, window) if starts else None
    azav_until = int(get(f.AZAV_UNTIL) or 0)
    azav_valid = azav_until >= window[0]  # window[0] is today's start: valid through today
    title = doc[f.TITLE]
    description = formatted.get(f.DESCRIPTION)
    return SearchHit(
        id=doc[f.OFFER_ID],
        title=title,
        provider=doc[f.PROVIDER],
        provider_id=doc[f.PROVIDER_ID],
        category=doc[f.CATEGORY],
        category_label=doc[f.CATEGORY_LABEL],
        education_type=doc[f.EDUCATION_TYPE],
        format=doc[f.FORMAT],
        next_start=next_start,
        flexible_start=bool(get(f.FLEXIBLE)),
        city=best.get("city") if best else None,
        location=HitLocation(**best) if best else None,
        price=None if price is None else _price(price),
        funding=get(f.FUNDING) or [],
        distance_km=None if best_km is None else round(best_km, 1),
        also_offered_by=(get(f.ALSO_OFFERED_BY) or []) if also_offered else [],
        azav=azav_valid,
        azav_valid_until=(f.day_of(azav_until) if azav_valid and azav_until < f.OPEN_END else None),
        azav_certifier=get(f.AZAV_CERTIFIER) if azav_valid else None,
        certificates=get(f.CERTIFICATES) or [],
        free_seats=_seats_of(seats, next_start) if seats else None,
        snippet=_marked(str(description or _lead(get(f.DESCRIPTION) or ""))),
        title_html=_marked(str(formatted.get(f.TITLE) or title)),
    )


def _facet_values(name: str, counts: dict[str, int]) -> list[FacetValue]:
    labels = CODE_LISTS.get(FACET_LABELS.get(name, ""), {})
    values = [FacetValue(value=v, label=labels.get(v, v), count=c) for v, c in counts.items()]
    return sorted(values, key=lambda fv: (-fv.count, fv.label))


async def search_offers(
    params: SearchParams, *, scope: SearchScope | None = None, default_radius: bool = True
) -> SearchResult:
    """Search the public catalogue, optionally inside a portal's scope; `default_radius=False`
    searches around a postcode without limiting the distance."""
    now = time.time()
    today = datetime.fromtimestamp(now, tz=UTC).date()
    today_ts = f.day_start(today)
    params, centre = located(
        params, default_radius=default_radius
    )  # before the key: the default radius is part of it
    cache = answer_cache()
    # Every field's value, in the model's order (a third of the time of the model's repr).
    key = repr((tuple(params.__dict__.values()), scope, today))
    cached = await cache.get(key)
    if cached is not None:
        return cached
    asked_at = cache.clock()
    queries, names = build_queries(
        params, scope, centre=centre, now_ts=int(now), index=backend().index
    )
    results = await backend().multi_search(queries)
    main = results[0]
    distribution: dict[str, dict[str, int]] = main.get("facetDistribution") or {}
    for name, extra in zip(names, results[1:], strict=True):
        field = sf.FACET_FIELDS[name]
        distribution[field] = (extra.get("facetDistribution") or {}).get(field, {})
    window = _start_window(params, today_ts)
    placing = Placing(
        centre=centre,
        radius_km=params.radius_km if centre is not None else None,
        region=(*scope.postcodes, *scope.postcode_prefixes) if scope is not None else (),
        circle=(scope.center, scope.radius_km)
        if scope is not None and scope.center is not None and scope.radius_km is not None
        else None,
        window_asked=params.start_from is not None or params.start_to is not None,
        by_start=params.sort == SortOrder.start,
    )
    also_offered = scope is None or scope.show_also_offered
    result = SearchResult.model_construct(
        total=int(main.get("totalHits", 0)),
        page=params.page,
        per_page=params.per_page,
        hits=[_hit(doc, placing, window, also_offered) for doc in main.get("hits", [])],
        facets={
            name: _facet_values(name, distribution.get(field, {}))
            for name, field in sf.FACET_FIELDS.items()
        },
    )
    cache.put(key, result, asked_at=asked_at)
    return result


async def count_offers(
    variants: list[tuple[SearchParams, bool]], *, scope: SearchScope | None = None
) -> list[int]:
    """How many offers each variant of a search finds (parameters, default radius or not):
    no hits, no facets, no highlighting — the count alone, the uncached ones in one round
    trip. For the page's ways out, which count up to seven variants of a search that found
    little. Counts share the answer cache (as empty results), so they go stale with it."""
    now = time.time()
    today = datetime.fromtimestamp(now, tz=UTC).date()
    cache = answer_cache()
    counts: list[int | None] = []
    missing: list[tuple[int, str, dict[str, Any]]] = []
    for n, (params, default_radius) in enumerate(variants):
        located_params, centre = located(params, default_radius=default_radius)
        key = repr(("count", located_params, scope, today))
        cached = await cache.get(key)
        counts.append(None if cached is None else cached.total)
        if cached is None:
            [main, *_], _ = build_queries(
                located_params, scope, centre=centre, now_ts=int(now), index=backend().index
            )
            query = {
                k: main[k] for k in ("indexUid", "q", "locales", "filter", "distinct") if k in main
            }
            missing.append((n, key, query | {"page": 1, "hitsPerPage": 0}))
    if missing:
        asked_at = cache.clock()
        results = await backend().multi_search([query for _, _, query in missing])
        for (n, key, _), answer in zip(missing, results, strict=True):
            total = int(answer.get("totalHits", 0))
            counts[n] = total
            empty = SearchResult.model_construct(
                total=total, page=1, per_page=0, hits=[], facets={}
            )
            cache.put(key, empty, asked_at=asked_at)
    return [c or 0 for c in counts]


async def suggest_offers(
    q: str, *, scope: SearchScope | None = None, limit: int = 10
) -> SuggestResult:
    """Search-as-you-type: up to `limit` distinct titles for what has been typed so far."""
    q = q.strip()
    if len(q) < 2:
        return SuggestResult(q=q, suggestions=[])
    now_ts = int(time.time())
    clauses = sf.visibility(now_ts) + sf.scope_filters(scope, now_ts=now_ts)
    geo = scope is not None and scope.center is not None and scope.radius_km is not None
    query: dict[str, Any] = {
        "indexUid": backend().index,
        "q": q,
        "locales": QUERY_LOCALES,
        "limit": limit * 3,
        "attributesToRetrieve": [f.OFFER_ID, f.TITLE],
        # The compound parts too: "Fachkraft" suggests "Pflegefachkraft", as the search finds it.
        "attributesToSearchOn": [f.TITLE, f.KEYWORDS, f.COMPOUND_PARTS],
    }
    if geo:
        query["distinct"] = f.OFFER_ID
    else:
        clauses.append(f"{f.PRIMARY} = true")
    query["filter"] = sf.join(clauses)
    [result] = await backend().multi_search([query])
    seen: set[str] = set()
    suggestions = []
    for doc in result.get("hits", []):
        title = doc[f.TITLE]
        if title.casefold() in seen:
            continue
        seen.add(title.casefold())
        suggestions.append(Suggestion(text=title, offer_id=doc[f.OFFER_ID]))
        if len(suggestions) == limit:
            break
    return SuggestResult(q=q, suggestions=suggestions)


async def matching_offer_ids(
    params: SearchParams, *, scope: SearchScope | None, offer_ids: list[int]
) -> set[int]:
    """Which of these offers the search finds (published, current, in scope): the Atom feed
    asks this of the newest publications, so its entries are the search's own hits."""
    if not offer_ids:
        return set()
    params, centre = located(params)
    params = params.model_copy(update={"page": 1, "per_page": len(offer_ids)})
    queries, _ = build_queries(
        params, scope, centre=centre, now_ts=int(time.time()), index=backend().index
    )
    main = queries[0]
    query: dict[str, Any] = {k: main[k] for k in ("indexUid", "q", "distinct") if k in main}
    query |= {
        "filter": sf.join([main["filter"], sf.ids_in(f.OFFER_ID, offer_ids)]),
        "limit": len(offer_ids),
        "attributesToRetrieve": [f.OFFER_ID],
    }
    [result] = await backend().multi_search([query])
    return {int(doc[f.OFFER_ID]) for doc in result.get("hits", [])}

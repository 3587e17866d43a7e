"""Builds Meilisearch filter expressions. Every client string passes through `quote()`;
numbers are formatted from parsed values, never pasted from the request."""

from collections.abc import Iterable, Sequence

from app.models.search import SearchParams, SearchScope
from app.search import documents as f
from app.search.index_settings import FACETS


def quote(value: str) -> str:
    """A Meilisearch string literal: inside double quotes, `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number(value: float | int) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("filter numbers must be int or float")
    return repr(int(value)) if isinstance(value, int) else f"{value:.6f}"


def one_of(field: str, values: Iterable[str]) -> str:
    return f"{field} IN [{', '.join(quote(v) for v in values)}]"


def ids_in(field: str, values: Iterable[int]) -> str:
    return f"{field} IN [{', '.join(number(int(v)) for v in values)}]"


def geo_radius(lat: float, lon: float, radius_km: float) -> str:
    return (
        f"_geoRadius({number(float(lat))}, {number(float(lon))}, {number(int(radius_km * 1000))})"
    )


def visibility(now_ts: int) -> list[str]:
    """What is public right now, whatever the index was told yesterday; offers marked as the
    same as another provider's canonical offer are no hits of their own (NOT, so documents
    indexed before the field existed stay visible)."""
    return [
        f"{f.VISIBLE_UNTIL} >= {number(now_ts)}",
        f"{f.VISIBLE_FROM} <= {number(now_ts)}",
        f"NOT {f.DUPLICATE} = true",
    ]


# facet name in the API -> document field
FACET_FIELDS = FACETS


def facet_filters(params: SearchParams) -> dict[str, str]:
    """One clause per facet group the user narrowed, keyed by facet name."""
    chosen: dict[str, Sequence[str]] = {
        "category": params.category,  # code enums are str
        "education_type": params.education_type,
        "format": params.format,
        "schedule": params.schedule,
        "funding": params.funding,
        "city": params.city,
        "level": params.level,
        "dvv_category": params.dvv_category,
    }
    return {name: one_of(FACET_FIELDS[name], values) for name, values in chosen.items() if values}


def other_filters(
    params: SearchParams,
    centre: tuple[float, float] | None,
    *,
    now_ts: int,
    geo_mode: bool = False,
) -> list[str]:
    """`geo_mode`: every place of an offer is its own document (needs_geo_mode), so a start
    window asks for a start at the document's own place."""
    clauses: list[str] = []
    if params.azav is not None:
        # Valid today: an approval that has run out no longer lets a Bildungsgutschein pay.
        clauses.append(f"{f.AZAV_UNTIL} {'>=' if params.azav else '<'} {number(now_ts)}")
    if params.language:
        clauses.append(one_of(f.LANGUAGES, params.language))
    if params.provider:
        clauses.append(ids_in(f.PROVIDER_ID, params.provider))
    if params.barrier_free is not None:
        clauses.append(f"{f.BARRIER_FREE} = {str(params.barrier_free).lower()}")
    if params.childcare is not None:
        clauses.append(f"{f.CHILDCARE} = {str(params.childcare).lower()}")
    if params.free is not None:
        clauses.append(f"{f.FREE} = {str(params.free).lower()}")
    if params.price_max is not None:
        clauses.append(f"{f.PRICE} <= {number(float(params.price_max))}")
    if params.start_from or params.start_to:
        # Never before today, as the hit's "next start" (service._start_window): a course that
        # began last month and is still open to join has no start the card could show inside
        # the window, so "Beginn bis" alone must not find it by that past start.
        today = f.day_start(f.day_of(now_ts))
        low = max(today, f.day_start(params.start_from) if params.start_from else 0)
        high = f.day_end(params.start_to) if params.start_to else f.OPEN_END
        window = f"{number(low)} TO {number(high)}"
        if geo_mode:
            # By a start at the document's own place, or one can start there any time.
            # Documents written before these were kept per place match as they did then.
            clauses.append(
                f"({f.PLACE_STARTS} {window} OR {f.PLACE_FLEXIBLE} = true"
                f" OR ({f.PLACE_FLEXIBLE} NOT EXISTS AND {f.FLEXIBLE} = true)"
                f" OR ({f.PLACE_STARTS} NOT EXISTS AND {f.STARTS} {window}))"
            )
        else:
            # Courses one can join any time fit every start window.
            clauses.append(f"({f.STARTS} {window} OR {f.FLEXIBLE} = true)")
    if centre is not None and params.radius_km is not None:
        radius = geo_radius(centre[0], centre[1], params.radius_km)
        if params.include_online:
            clauses.append(f'({radius} OR {f.FORMAT} = "online")')
        else:
            clauses.append(radius)
    return clauses


# A portal that hides stale offers hides those their provider has not changed for a year.
STALE_HIDE_DAYS = 365


def stale_cutoff(now_ts: int) -> int:
    """Offers last changed before this Unix time count as stale for portals that hide them."""
    return now_ts - STALE_HIDE_DAYS * 86_400


def scope_filters(scope: SearchScope | None, *, now_ts: int) -> list[str]:
    if scope is None:
        return []
    clauses: list[str] = []
    region: list[str] = []
    if scope.postcodes or scope.postcode_prefixes:
        region.append(one_of(f.POSTCODE_PREFIXES, [*scope.postcodes, *scope.postcode_prefixes]))
    if scope.center is not None and scope.radius_km is not None:
        region.append(geo_radius(scope.center[0], scope.center[1], scope.radius_km))
    if region:
        clauses.append("(" + " OR ".join(region) + ")")
    if scope.categories_allow:
        clauses.append(one_of(f.CATEGORY, scope.categories_allow))
    if scope.categories_block:
        clauses.append(f"NOT {one_of(f.CATEGORY, scope.categories_block)}")
    if scope.providers_allow:
        clauses.append(ids_in(f.PROVIDER_ID, scope.providers_allow))
    if scope.providers_block:
        clauses.append(f"NOT {ids_in(f.PROVIDER_ID, scope.providers_block)}")
    if scope.reviewed_only:
        clauses.append(f"{f.REVIEWED} = true")
    if scope.min_completeness > 0:
        # Below the minimum an offer waits for review: an admin's approval lets it in.
        clauses.append(
            f"({f.COMPLETENESS} >= {number(int(scope.min_completeness))} OR {f.REVIEWED} = true)"
        )
    if scope.hide_stale:
        clauses.append(f"{f.UPDATED} >= {number(stale_cutoff(now_ts))}")
    return clauses


def needs_geo_mode(
    params: SearchParams, scope: SearchScope | None, centre: tuple[float, float] | None
) -> bool:
    """Geo filters and sorts look at every place of an offer, not only its primary one."""
    return (centre is not None) or (
        scope is not None and scope.center is not None and scope.radius_km is not None
    )


def join(clauses: list[str]) -> str:
    return " AND ".join(clauses)

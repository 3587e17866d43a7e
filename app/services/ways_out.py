"""Ways out of a search that found little: the same search without its radius, with online
courses, without one of its filters, or with a corrected word — each with its count, so a
citizen sees which step helps before taking it. Counted only when results are few."""

from dataclasses import dataclass

from app.models.search import SearchResult, SearchScope
from app.search import service as search
from app.services.page_form import Chip, PageForm, page_url, read_form
from app.services.page_texts import texts
from app.services.query_hints import did_you_mean

# At most this many hits count as "little"; the extra searches run only then.
FEW = 3
MAX_WAYS = 6


@dataclass(frozen=True)
class WayOut:
    label: str
    url: str
    count: int


@dataclass(frozen=True)
class Hints:
    ways: list[WayOut]
    # "Meinten Sie …": the corrected query, its link and count.
    suggestion: WayOut | None = None


async def find_ways_out(
    *,
    form: PageForm,
    result: SearchResult,
    chips: list[Chip],
    scope: SearchScope | None,
    base: str,
    lang: str,
    facet_words: list[str],
) -> Hints:
    """The ways out worth showing (those that find more than now), best first."""
    if result.total > FEW:
        return Hints(ways=[])
    t = texts(lang)
    candidates: list[tuple[str, list[tuple[str, str]]]] = []
    if form.radius_km is not None:
        query = [(k, v) for k, v in form.query if k != "radius_km"] + [("radius_km", "any")]
        candidates.append((t.gettext("way_no_radius"), query))
        if not form.params.include_online:
            candidates.append((t.gettext("way_online"), [*form.query, ("include_online", "1")]))
    for chip in chips:
        if chip.name != "radius_km":
            candidates.append((t.gettext("way_without").format(label=chip.label), chip.query))
    if form.params.q and chips:
        candidates.append((t.gettext("way_no_words"), [(k, v) for k, v in form.query if k != "q"]))
    candidates = candidates[:MAX_WAYS]
    forms = [read_form(query, lang=lang) for _, query in candidates]
    suggestion_q = did_you_mean(form.params.q, extra=facet_words) if form.params.q else None
    if suggestion_q:
        suggested = [(k, v) for k, v in form.query if k != "q"] + [("q", suggestion_q)]
        forms.append(read_form(suggested, lang=lang))
    # All counted in one round trip, hits and facets left out. The caller shows the page
    # without ways out when the search service cannot answer.
    counts = await search.count_offers(
        [(f.params.model_copy(update={"page": 1}), not f.radius_any) for f in forms],
        scope=scope,
    )
    ways = [
        WayOut(label, page_url(base, query), n)
        for (label, query), n in zip(candidates, counts, strict=False)
        if n > result.total
    ]
    suggestion = None
    if suggestion_q:
        n = counts[-1]
        if n > 0:
            query = [(k, v) for k, v in form.query if k != "q"] + [("q", suggestion_q)]
            suggestion = WayOut(suggestion_q, page_url(base, query), n)
    ways.sort(key=lambda w: -w.count)
    return Hints(ways=ways, suggestion=suggestion)

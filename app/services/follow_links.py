"""Links that carry a portal search elsewhere: to its feed, its map view, back to its list.
The page templates reach them through `follow_links` (a Jinja global)."""

from typing import Any
from urllib.parse import urlencode

from app.models.portal import Portal
from app.models.search import SearchParams

# Page and page size belong to one list page, not to the search.
_NOT_SEARCH = {"page", "per_page"}


def search_query(params: SearchParams, *, lang: str) -> list[tuple[str, str]]:
    """The query string of a search as the page's form writes it (lists repeated, flags as
    "1"), for links that carry the search."""
    items: list[tuple[str, str]] = []
    data = params.model_dump(mode="json", exclude_defaults=True, exclude=_NOT_SEARCH)
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            items.append((name, "1" if v is True else "0" if v is False else str(v)))
    if lang != "de":
        items.append(("lang", lang))
    return items


def _with(path: str, query: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def feed_path(slug: str, params: SearchParams, *, lang: str) -> str:
    return _with(f"/p/{slug}/neu.atom", search_query(params, lang=lang))


def follow_links(portal: Portal, params: SearchParams | None, lang: str) -> dict[str, Any]:
    """The feed, OpenSearch and map URLs of a page (of a search, or of no search: an offer)."""
    params = params or SearchParams()
    query = search_query(params, lang=lang)
    slug = portal.slug
    lang_query = [("lang", lang)] if lang != "de" else []
    return {
        "feed": _with(f"/p/{slug}/neu.atom", query),
        "opensearch": _with(f"/p/{slug}/opensearch.xml", lang_query),
        "map": _with(f"/p/{slug}/karte", query),
        "list": _with(f"/p/{slug}/", query),
        "watch": _with(f"/p/{slug}/merkliste", lang_query),
    }

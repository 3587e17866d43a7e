"""The monitoring's queries to the search engine (needs coverage, zero-result classification),
run off the request path with their own connection. Every import from the search layer is
gathered here, so a change of that layer touches this file only."""

import time
from dataclasses import dataclass
from typing import Any

from app.config import get_settings
from app.models.search import SearchScope
from app.search import documents as fields
from app.search import filters as sf
from app.search.service import SearchBackend

# Meilisearch caps how far one can page; counting beyond this is not needed for a needs row.
MAX_MATCHES = 10_000


@dataclass
class EngineQuery:
    """One query: words, how strictly they must match, where, and what to return."""

    q: str
    scope: SearchScope | None = None
    category: str | None = None
    strategy: str = "all"
    limit: int = MAX_MATCHES
    near: tuple[float, float] | None = None


class Engine:
    """A connection to the search engine with the API's search-only key."""

    def __init__(self, backend: SearchBackend | None = None, *, command: bool = False) -> None:
        """`command`: as a command run by hand finds the engine; next to `make run` it has
        no search key of its own, only the master key `make run` keeps (as reindex uses)."""
        settings = get_settings()
        key = settings.command_search_key if command else settings.search_key
        self.backend = backend or SearchBackend(
            settings.meili_url, key, settings.meili_index, timeout_s=30.0
        )

    @classmethod
    def for_commands(cls) -> "Engine":
        return cls(command=True)

    def _query(self, query: EngineQuery, now_ts: int) -> dict[str, Any]:
        f = fields
        clauses = sf.visibility(now_ts) + sf.scope_filters(query.scope, now_ts=now_ts)
        if query.category:
            clauses.append(sf.one_of(f.CATEGORY, [query.category]))
        geo = query.near is not None or (query.scope is not None and query.scope.center is not None)
        body: dict[str, Any] = {
            "indexUid": self.backend.index,
            "q": query.q,
            "matchingStrategy": query.strategy,
            "limit": query.limit,
            "attributesToRetrieve": [f.OFFER_ID],
        }
        if geo:
            # Every place of an offer is its own document: one hit per offer.
            body["distinct"] = f.OFFER_ID
        else:
            clauses.append(f"{f.PRIMARY} = true")
        if query.near is not None:
            lat, lon = query.near
            # Documents without a place sort last; the caller skips offers without one.
            body["sort"] = [f"_geoPoint({sf.number(lat)}, {sf.number(lon)}):asc"]
        body["filter"] = sf.join(clauses)
        return body

    async def offer_ids(self, queries: list[EngineQuery]) -> list[list[int]]:
        """The matching offer ids of each query (nearest first for `near` queries)."""
        if not queries:
            return []
        now_ts = int(time.time())
        results = await self.backend.multi_search([self._query(q, now_ts) for q in queries])
        return [[int(hit[fields.OFFER_ID]) for hit in r.get("hits", [])] for r in results]

    async def close(self) -> None:
        await self.backend.close()

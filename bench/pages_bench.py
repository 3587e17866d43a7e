"""Benchmark: server-side render time of the portal search and offer pages; prints p50/p95.

Against a running, indexed setup (DATABASE_URL, MEILI_URL, MEILI_* keys in the environment):
    .venv/bin/python bench/pages_bench.py --slug bochum
Self-contained (throwaway SQLite, a Meilisearch on a free port, the demo catalogue indexed):
    .venv/bin/python bench/pages_bench.py --setup
Times each request through the ASGI app in-process (TestClient), so the figures include the
database, the Meilisearch round trip and Jinja rendering, but no network or browser.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

QUERIES = [
    "",
    "buchhaltung",
    "deutsch",
    "pflege",
    "excel",
    "staplr",
    "englisch b1",
    "führung",
    "schweißen",
    "python",
]
PAGE_BUDGET_MS = 20.0
WEIGHT_BUDGET = 60 * 1024


def load_large_catalogue(*, offers: int) -> None:
    """N generated offers through the bulk path imports use (per-offer creation would take
    minutes at 100k), all from trusted organisations so they are published."""
    from datetime import date

    from app import db
    from app.demo.catalogue import demo_offers, demo_organisations
    from app.models.organisation import OrganisationIn
    from app.services.auth import Actor
    from app.services.interop.bulk_upsert import BulkUpserter
    from app.services.organisations import create_organisation

    orgs_count = max(36, offers // 250)
    actor = Actor.system("bench")
    with db.session_scope() as session:
        orgs = [
            create_organisation(
                session=session,
                actor=actor,
                data=OrganisationIn(**{**o.model_dump(), "trusted": True}),
            )
            for o in demo_organisations(count=orgs_count)
        ]
        upserters = {
            i: BulkUpserter(session=session, actor=actor, organisation=org)
            for i, org in enumerate(orgs)
        }
        for org_index, payload in demo_offers(
            organisations=orgs_count, count=offers, today=date.today()
        ):
            assert payload.external_id is not None
            fields = payload.model_copy(update={"external_id": None})
            upserters[org_index].upsert(external_id=payload.external_id, fields=fields)
        for upserter in upserters.values():
            upserter.flush()


def setup_throwaway(slug: str, offers: int = 320) -> Callable[[], None]:
    """Temp database and Meilisearch with the demo catalogue and one radius portal."""
    from app import config, db
    from app.migrations import upgrade
    from testkit.meili_server import MeiliServer

    tmp = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    meili = MeiliServer(data_dir=tmp).start()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEILI_URL=meili.url,
        MEILI_MASTER_KEY=meili.master_key,
        MEILI_INDEX="offers",
        DATA_DIR=str(tmp),
        # One client asks thousands of times a minute here; the limits are for the public.
        RATE_LIMIT_SEARCH="100000/second",
    )
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    upgrade(config.get_settings().sqlalchemy_url)

    from app.demo.loader import load_demo_catalogue
    from app.models.portal import PortalCreate
    from app.search.index_admin import create_index_with_settings, meili_client
    from app.services.portals import create_portal
    from indexer.worker import Indexer

    if offers > 320:
        load_large_catalogue(offers=offers)
    with db.session_scope() as session:
        if offers <= 320:
            load_demo_catalogue(session=session, offers=offers, organisations=36)
        # Like the demo portal: a postcode region (Mittleres Ruhrgebiet).
        create_portal(
            session=session,
            data=PortalCreate(
                slug=slug,
                name="Bench",
                postcode_prefixes=["447", "448", "446", "453", "455"],
                contacts=[{"name": "Weiterbildungsberatung", "phone": "0234 1"}],
            ),
        )
    client = meili_client(meili.url, meili.master_key)
    create_index_with_settings(client, "offers")
    Indexer(engine=db.get_engine(), client=client, index_uid="offers").drain()
    return meili.stop


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(client: TestClient, urls: list[str], n: int) -> tuple[list[float], int]:
    times, biggest = [], 0
    for i in range(n):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        biggest = max(biggest, len(response.content))
    return times, biggest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("-n", type=int, default=300, help="requests per page kind")
    parser.add_argument("--setup", action="store_true", help="build a throwaway indexed setup")
    parser.add_argument("--offers", type=int, default=320, help="with --setup: catalogue size")
    args = parser.parse_args()
    stop = setup_throwaway(args.slug, args.offers) if args.setup else None
    from app.main import create_app

    try:
        with TestClient(create_app()) as client:
            api = client.get(f"/api/v1/portals/{args.slug}/search", params={"per_page": 100})
            if api.status_code != 200:
                raise SystemExit(f"portal {args.slug!r}: HTTP {api.status_code} {api.text[:200]}")
            ids = [h["id"] for h in api.json()["hits"]] or [0]
            search_urls = [f"/p/{args.slug}/?q={q}" for q in QUERIES]
            # Filters ticked (start window, price, format), and searches that find little, so
            # that the ways out with their extra counting searches are part of the figure.
            start = date.today().isoformat()
            filtered_urls = [
                f"/p/{args.slug}/?q={q}&format=in_person&price_max=2000&start_from={start}"
                for q in QUERIES
            ]
            few_urls = [
                f"/p/{args.slug}/?q={q}&postcode=44787&radius_km=5&schedule=weekend&azav=1"
                for q in QUERIES
            ] + [f"/p/{args.slug}/?q=quantenchromodynamik", f"/p/{args.slug}/?q=Buchaltung"]
            info_urls = [f"/p/{args.slug}/barrierefreiheit", f"/p/{args.slug}/leichte-sprache"]
            offer_urls = [f"/p/{args.slug}/angebote/{i}" for i in ids]
            timed(client, search_urls + offer_urls, 20)  # warm-up
            static = sum(
                len(client.get(f"/static/{name}").content) for name in ("portal.css", "search.js")
            )
            failed = False
            # The scoped search API alone, to tell the page's own share from Meilisearch's.
            api_urls = [f"/api/v1/portals/{args.slug}/search?q={q}&per_page=10" for q in QUERIES]
            api_times, _ = timed(client, api_urls, args.n)
            print(
                f"{'search API':12} n={len(api_times)} p50={statistics.median(api_times):.1f} ms "
                f"p95={percentile(api_times, 0.95):.1f} ms (for comparison, no budget)"
            )
            pages = (
                ("search page", search_urls),
                ("filtered", filtered_urls),
                ("few found", few_urls),
                ("offer page", offer_urls),
                ("info pages", info_urls),
                # English: another catalogue, English code-list labels and British formats
                ("filtered en", [f"{url}&lang=en" for url in filtered_urls]),
                ("offer en", [f"{url}?lang=en" for url in offer_urls]),
            )
            for name, urls in pages:
                times, biggest = timed(client, urls, args.n)
                p95 = percentile(times, 0.95)
                print(
                    f"{name:12} n={len(times)} p50={statistics.median(times):.1f} ms "
                    f"p95={p95:.1f} ms max={max(times):.1f} ms largest={biggest / 1024:.1f} KB"
                )
                failed |= p95 > PAGE_BUDGET_MS
                if name in ("search page", "filtered"):
                    weight = biggest + static
                    print(
                        f"{name} weight (HTML+CSS+JS) {weight / 1024:.1f} KB "
                        f"(budget {WEIGHT_BUDGET // 1024} KB)"
                    )
                    failed |= weight > WEIGHT_BUDGET
            print("within budget" if not failed else f"OVER BUDGET (p95 > {PAGE_BUDGET_MS} ms)")
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()

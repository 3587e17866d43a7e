"""Benchmark: server-side time of what follows a portal search (Atom feed, map page and its
JSON, calendar files, OpenSearch), beside the search page; prints p50/p95.

Against a running, indexed setup (DATABASE_URL, MEILI_URL, MEILI_* keys in the environment):
    .venv/bin/python bench/follow_bench.py --slug bochum
Self-contained (throwaway SQLite, a Meilisearch on a free port, the demo catalogue indexed):
    .venv/bin/python bench/follow_bench.py --setup [--offers 20000]
In-process through the ASGI app (TestClient), as bench/pages_bench.py.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from bench.pages_bench import QUERIES, percentile, setup_throwaway, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="bench")
    parser.add_argument("-n", type=int, default=200, help="requests per route")
    parser.add_argument("--setup", action="store_true", help="build a throwaway indexed setup")
    parser.add_argument("--offers", type=int, default=320, help="with --setup: catalogue size")
    args = parser.parse_args()
    stop = setup_throwaway(args.slug, args.offers) if args.setup else None
    # One client asks for everything here: the per-client search limit would measure itself.
    os.environ["RATE_LIMIT_SEARCH"] = "1000000/second"
    from app import config
    from app.main import create_app

    config.get_settings.cache_clear()

    slug = args.slug
    try:
        with TestClient(create_app()) as client:
            api = client.get(f"/api/v1/portals/{slug}/search", params={"per_page": 50})
            if api.status_code != 200:
                raise SystemExit(f"portal {slug!r}: HTTP {api.status_code} {api.text[:200]}")
            ids = [h["id"] for h in api.json()["hits"]]
            calendars = []
            for offer_id in ids[:20]:
                for d in client.get(f"/api/v1/offers/{offer_id}").json()["dates"]:
                    if d["start_date"]:
                        calendars.append(f"/p/{slug}/angebote/{offer_id}/termine/{d['id']}.ics")
            routes = {
                "search page": [f"/p/{slug}/?q={q}" for q in QUERIES],
                "atom feed": [f"/p/{slug}/neu.atom?q={q}" for q in QUERIES],
                "map page": [f"/p/{slug}/karte?q={q}" for q in QUERIES],
                "map json": [f"/p/{slug}/karte.json?q={q}" for q in QUERIES],
                "calendar": calendars,
                "opensearch": [f"/p/{slug}/opensearch.xml"],
            }
            for urls in routes.values():
                timed(client, urls, 10)  # warm-up
            for name, urls in routes.items():
                if not urls:
                    continue
                times, biggest = timed(client, urls, args.n)
                print(
                    f"{name:12} n={len(times)} p50={statistics.median(times):.1f} ms "
                    f"p95={percentile(times, 0.95):.1f} ms largest={biggest / 1024:.1f} KB"
                )
            print(f"catalogue: {api.json()['total']} offers in the portal")
    finally:
        if stop:
            stop()


if __name__ == "__main__":
    main()

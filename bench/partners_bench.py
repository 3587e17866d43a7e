"""Benchmark of the partner interfaces: a change-feed page of 1,000 changes (global and as a
portal sees it) and 10,000 changes delivered as signed webhooks to a local receiver.

    .venv/bin/python -m bench.partners_bench --changes 10000
    .venv/bin/python -m bench.partners_bench --changes 10000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench   # its schema is REPLACED

Builds a throwaway database (a temporary SQLite file, or the given PostgreSQL database,
whose `public` schema is dropped and rebuilt) holding N feed changes with public documents of
the size real offers have (~2.5 kB of JSON: a long description, two dates with places), as
the indexer writes them. The feed is timed in-process through the ASGI app (no network); the
webhooks go over HTTP to a receiver on 127.0.0.1 (a threaded http.server that answers 204).
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = 1000
PAGE_BUDGET_MS = 100.0
DELIVERY_BUDGET_S = 60.0
POSTCODES = ["44787", "44623", "58452", "44137", "50667", "45127", "40210", "48143"]


def document(offer_id: int, n: int) -> dict[str, Any]:
    postcode = POSTCODES[offer_id % len(POSTCODES)]
    place = {
        "name": "Bildungszentrum",
        "street": "Kortumstraße 1",
        "postcode": postcode,
        "city": "Stadt",
        "lat": 51.48,
        "lon": 7.21,
        "approximate": False,
        "barrier_free": True,
    }
    date = {
        "external_id": None,
        "start_date": "2027-03-01",
        "end_date": "2027-06-30",
        "flexible_start": False,
        "schedule": "part_time",
        "schedule_note": "Mo und Mi 18–21 Uhr",
        "registration_deadline": "2027-02-20",
        "seats": 16,
        "min_participants": 6,
        "free_seats": 3,
        "session_count": 24,
        "weekdays": ["mon", "wed"],
        "sessions": [],
        "teaching_language": "deu",
        "online": False,
        "location": place,
    }
    return {
        "id": offer_id,
        "organisation_id": 1 + offer_id % 40,
        "organisation_name": "Bildungswerk Ruhr",
        "external_id": f"K-{offer_id}",
        "title": f"Finanzbuchhaltung mit DATEV, Stufe {n % 5}",
        "description": "Sie lernen die doppelte Buchführung und die Arbeit mit DATEV. " * 25,
        "keywords": ["Buchhaltung", "DATEV", "Finanzen"],
        "category": "accounting_finance",
        "category_label": "Buchhaltung, Steuern und Finanzen",
        "education_type": "anpassungsweiterbildung",
        "languages": ["deu"],
        "funding": ["bildungsgutschein"],
        "price": "1290.00",
        "duration_hours": 120,
        "format": "in_person",
        "status": "published",
        "dates": [date, dict(date, start_date="2027-09-01")],
        "created_at": "2026-12-01T10:00:00+00:00",
        "updated_at": "2026-12-04T10:00:00+00:00",
    }


def setup(changes: int, database_url: str | None) -> None:
    from sqlalchemy import insert, text

    from app import config, db
    from app.migrations import upgrade
    from app.models.changes import PublicChange
    from app.models.portal import Portal
    from app.models.types import utcnow

    tmp = Path(tempfile.mkdtemp(prefix="partners-bench-"))
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        DATA_DIR=str(tmp),
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        WEBHOOK_POLL="0.05",
        RATE_LIMIT_SEARCH="off",
        RATE_LIMIT_FEEDS="off",
    )
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    url = config.get_settings().sqlalchemy_url
    if url.startswith("postgresql"):
        with db.build_engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    offers = max(1, changes // 3)
    now = utcnow()
    rows = [
        {
            "offer_id": n % offers + 1,
            "kind": "upsert",
            "event": "offer.updated" if n >= offers else "offer.published",
            "document": document(n % offers + 1, n),
            "digest": None,
            "facts": {
                "category": "accounting_finance",
                "organisation_id": 1 + (n % offers + 1) % 40,
                "reviewed": True,
                "places": [[POSTCODES[(n % offers + 1) % len(POSTCODES)], 51.48, 7.21]] * 2,
            },
            "previous_facts": None,
            "created_at": now,
        }
        for n in range(changes)
    ]
    with db.session_scope() as session:
        for start in range(0, len(rows), 2000):
            session.execute(insert(PublicChange), rows[start : start + 2000])
        session.add(Portal(slug="bochum", name="Bochum", postcode_prefixes=["447", "448"]))


def time_feed(path: str, cursors: list[str | None], rounds: int) -> list[float]:
    from fastapi.testclient import TestClient

    from app.main import create_app

    times = []
    with TestClient(create_app()) as client:
        for n in range(rounds):
            since = cursors[n % len(cursors)]
            params: dict[str, Any] = {"limit": PAGE}
            if since is not None:
                params["since"] = since
            started = time.perf_counter()
            r = client.get(path, params=params)
            times.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, r.text
    return times


def time_deliveries(changes: int) -> tuple[float, int]:
    from app import db
    from app.models.webhooks import WebhookEndpoint
    from app.services.webhooks import new_secret
    from testkit.webhook_receiver import Receiver
    from workers.webhooks import WebhookWorker

    receiver = Receiver().start()
    with db.session_scope() as session:
        session.add(
            WebhookEndpoint(
                url=receiver.url("/ok"),
                secret=new_secret(),
                event_types=["offer.published", "offer.updated", "offer.removed"],
            )
        )
    stop = threading.Event()
    worker = WebhookWorker(db.get_engine())
    thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        while len(receiver.state.received) < changes:
            if time.perf_counter() - started > 10 * DELIVERY_BUDGET_S:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        thread.join()
        receiver.stop()
    return elapsed, len(receiver.state.received)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from app.services.changes import encode_cursor

    print(f"setting up {args.changes:,} feed changes ...", flush=True)
    setup(args.changes, args.database_url)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    cursors: list[str | None] = [None] + [
        encode_cursor(n) for n in range(0, max(1, args.changes - PAGE), 997)
    ]
    feed = time_feed("/api/v1/changes", cursors, args.rounds)
    portal = time_feed("/api/v1/portals/bochum/changes", cursors, args.rounds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{backend}, {args.changes:,} changes, pages of {PAGE:,}; load average {load}")
    for name, times in (("feed page", feed), ("portal feed page", portal)):
        print(
            f"{name:<18} p50 {statistics.median(times):7.1f} ms   "
            f"p95 {percentile(times, 0.95):7.1f} ms   (target p95 <= {PAGE_BUDGET_MS:g} ms)"
        )
    elapsed, delivered = time_deliveries(args.changes)
    rate = delivered / elapsed if elapsed else 0
    print(
        f"webhooks           {delivered:,} of {args.changes:,} delivered in {elapsed:.1f} s "
        f"({rate:,.0f}/s; target <= {DELIVERY_BUDGET_S:g} s)"
    )


if __name__ == "__main__":
    main()

"""Benchmark of the data-quality work at catalogue scale: the duplicate check per written
offer, the full duplicate scan, the completeness score, and the stale list.

    .venv/bin/python -m bench.quality_bench --offers 100000
    .venv/bin/python -m bench.quality_bench --offers 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench   # its schema is REPLACED

Builds a throwaway database (a temporary SQLite file, or the given PostgreSQL database, whose
`public` schema is dropped and rebuilt) with N synthetic offers from the demo generator (about
70 courses with title variants, from N/250 organisations across the demo region: many more
look-alikes per city than a real catalogue has, so the candidate sets are large), then:
- the check per written offer: `check_offers` for one offer at a time, as the duplicate check
  worker runs it after a write (each in its own transaction, rolled back), p50/p95/mean;
- the full scan: `scan_all` over every live offer (MinHash LSH, then the scoring);
- completeness: the score of every offer's content, per offer;
- the daily stale list over the whole catalogue.
Nothing needs Meilisearch.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages_bench import load_large_catalogue, percentile  # noqa: E402

CHECK_BUDGET_MS = 20.0
SCAN_BUDGET_S = 300.0


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup(offers: int, database_url: str | None) -> Path:
    from app import config, db
    from app.migrations import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="quality-bench-"))
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        DATA_DIR=str(tmp),
    )
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    if database_url:
        from sqlalchemy import text

        with db.get_engine().begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(config.get_settings().sqlalchemy_url)
    step(f"loading {offers:,} offers")
    load_large_catalogue(offers=offers)
    if database_url:
        # The planner's statistics, as a catalogue in use has them (autovacuum would take
        # them a while after a bulk load).
        from sqlalchemy import text

        with db.get_engine().connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return tmp


def bench_check(samples: int, seed: int = 1) -> tuple[list[float], int, int]:
    """ms per written offer; and candidates compared and matches found over the sample."""
    from sqlalchemy import select
    from sqlmodel import col

    from app import db
    from app.models.offer import Offer
    from app.services.quality.duplicates import check_offers

    with db.session_scope() as session:
        ids = list(session.execute(select(col(Offer.id))).scalars())
    rng = random.Random(seed)
    chosen = rng.sample(ids, min(samples, len(ids)))
    times: list[float] = []
    compared = found = 0
    engine = db.get_engine()
    from sqlmodel import Session

    for offer_id in chosen:
        with engine.connect() as connection:
            transaction = connection.begin()
            session = Session(bind=connection)
            started = time.perf_counter()
            result = check_offers(session=session, offer_ids=[offer_id])
            times.append((time.perf_counter() - started) * 1000)
            compared += result.compared
            found += result.found
            session.close()
            transaction.rollback()
    return times, compared, found


def bench_scan() -> tuple[float, int, int, int]:
    from app import db
    from app.services.quality.duplicates import scan_all

    started = time.perf_counter()
    with db.session_scope() as session:
        result = scan_all(session=session)
    return time.perf_counter() - started, result.checked, result.compared, result.found


def bench_completeness(limit: int) -> tuple[float, float]:
    """µs per offer for the score alone, and the mean score."""
    from sqlalchemy import select

    from app import db
    from app.models.offer import Offer, OfferFields
    from app.services import offers
    from app.services.quality.completeness import score

    with db.session_scope() as session:
        rows = list(session.execute(select(Offer).limit(limit)).scalars())
        dates = offers.load_dates(session=session, offer_ids=[o.id for o in rows if o.id])
        fields = [OfferFields.model_validate(offers.snapshot(o, dates[o.id])) for o in rows if o.id]
    started = time.perf_counter()
    scores = [score(f) for f in fields]
    elapsed = time.perf_counter() - started
    return elapsed / len(fields) * 1e6, statistics.mean(scores)


def bench_stale() -> tuple[float, int]:
    from datetime import timedelta

    from app import db
    from app.models.types import utcnow
    from app.services.quality.freshness import stale_by_organisation

    started = time.perf_counter()
    with db.session_scope() as session:
        # As if a year had passed: every offer is stale, the list at its largest.
        lists = stale_by_organisation(session=session, now=utcnow() + timedelta(days=365))
    return time.perf_counter() - started, sum(len(x.offers) for x in lists)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300, help="offers checked one by one")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = setup(args.offers, args.database_url)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{args.offers:,} offers, {backend}")

    step("duplicate check per written offer")
    times, compared, found = bench_check(args.samples)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(
        f"check per written offer: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"mean {statistics.mean(times):.1f} ms (budget {CHECK_BUDGET_MS:.0f} ms); "
        f"{compared / len(times):.0f} candidates scored and {found / len(times):.1f} "
        f"matches per offer"
    )

    step("full duplicate scan")
    seconds, checked, pairs, matches = bench_scan()
    print(
        f"full scan: {seconds:.1f} s for {checked:,} offers (budget {SCAN_BUDGET_S:.0f} s); "
        f"{pairs:,} pairs proposed by LSH, {matches:,} match"
    )

    step("completeness")
    per_offer_us, mean_score = bench_completeness(min(args.offers, 20_000))
    print(f"completeness: {per_offer_us:.1f} µs per offer; mean score {mean_score:.0f}")

    step("stale list")
    stale_s, listed = bench_stale()
    print(f"stale list, every offer stale: {stale_s * 1000:.0f} ms for {listed:,} offers")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

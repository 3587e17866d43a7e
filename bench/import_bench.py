"""Benchmark: import generated 10k-offer open-Qcat and Open-vhs files into PostgreSQL, side by
side in one run; offers/s, CPU seconds, rows written by the re-import, and RSS."""

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app import db  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from testkit.openqcat_files import write_openqcat_file  # noqa: E402
from testkit.openvhs_files import write_openvhs_file  # noqa: E402


def _rows_written(session: Any) -> int:
    """Audit and outbox rows: every write of an offer adds one of each."""
    return int(
        session.execute(
            text("SELECT (SELECT count(*) FROM audit_entry) + (SELECT count(*) FROM outbox)")
        ).scalar_one()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    url = normalise_database_url(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    schema = "import_bench"
    admin_engine = db.build_engine(url)
    if db.is_postgres(admin_engine):
        with admin_engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        engine = db.build_engine(url)
        from app.models.organisation import OrganisationIn
        from app.services.auth import Actor
        from app.services.interop import import_file
        from app.services.organisations import create_organisation

        files = {
            "open-Qcat": (Path("/tmp/import_bench.xml"), write_openqcat_file),
            "Open-vhs": (Path("/tmp/import_bench_openvhs.xml"), write_openvhs_file),
        }
        load = os.getloadavg()[0]
        print(f"1-minute load average before: {load:.2f} (2 cores)")
        for name, (path, make) in files.items():
            with db.session_scope(engine) as session:
                org = create_organisation(
                    session=session,
                    actor=Actor.system("bench"),
                    data=OrganisationIn(name=f"Benchmark {name}", kind="provider", trusted=True),
                )
                org_id = org.id
            make(path, args.count)
            print(f"{name}: generated {args.count} offers, {path.stat().st_size / 1e6:.1f} MB")
            for label in ("first import", "re-import"):
                with db.session_scope(engine) as session:
                    rows_before = _rows_written(session)
                started, cpu = time.perf_counter(), time.process_time()
                with db.session_scope(engine) as session, open(path, "rb") as stream:
                    report = import_file(
                        session=session,
                        actor=Actor.system("bench"),
                        organisation_id=org_id,
                        stream=stream,
                    )
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
                with db.session_scope(engine) as session:
                    written = _rows_written(session) - rows_before
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"  {label}: {report.created} created, {report.unchanged} unchanged, "
                    f"{report.failed} failed in {elapsed:.1f}s = {args.count / elapsed:,.0f} "
                    f"offers/s ({cpu:.1f} s CPU in this process); {written} audit/outbox rows "
                    f"written; peak RSS so far {rss:.0f} MB"
                )
        print(f"1-minute load average after: {os.getloadavg()[0]:.2f}")
        engine.dispose()
    finally:
        if db.is_postgres(admin_engine):
            with admin_engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin_engine.dispose()


if __name__ == "__main__":
    main()

"""Benchmark: import a generated 10k-offer open-Qcat file into PostgreSQL; offers/s and RSS."""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app import db  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from testkit.openqcat_files import write_openqcat_file  # noqa: E402


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

        with db.session_scope(engine) as session:
            org = create_organisation(
                session=session,
                actor=Actor.system("bench"),
                data=OrganisationIn(name="Benchmark-Akademie", kind="provider", trusted=True),
            )
            org_id = org.id
        path = Path("/tmp/import_bench.xml")
        write_openqcat_file(path, args.count)
        print(f"generated {args.count} offers, {path.stat().st_size / 1e6:.1f} MB")
        for label in ("first import", "re-import"):
            started = time.perf_counter()
            with db.session_scope(engine) as session, open(path, "rb") as stream:
                report = import_file(
                    session=session,
                    actor=Actor.system("bench"),
                    organisation_id=org_id,
                    stream=stream,
                )
            elapsed = time.perf_counter() - started
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label}: {report.created} created, {report.unchanged} unchanged, "
                f"{report.failed} failed in {elapsed:.1f}s = {args.count / elapsed:,.0f} "
                f"offers/s; peak RSS so far {rss:.0f} MB"
            )
        engine.dispose()
    finally:
        if db.is_postgres(admin_engine):
            with admin_engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin_engine.dispose()


if __name__ == "__main__":
    main()

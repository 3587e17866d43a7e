"""Zero-result searches sorted into vocabulary / regional gap / absent against a real
Meilisearch, from the search the citizen made to the class the dashboard shows."""

import anyio
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import db
from app.models.monitoring import ZeroResultClass
from app.models.search import SearchScope
from app.services.monitoring import classify, demand
from app.services.monitoring.engine import Engine
from tests.monitoring_support import (
    KnownCatalogue,
    take_snapshot,
)
from tests.services.monitoring.conftest import ClientAt

BOCHUM_SCOPE = SearchScope(postcode_prefixes=["447", "448"])


def _classify(terms: list[str], scope: SearchScope | None) -> dict[str, tuple[str, str]]:
    async def run() -> dict[str, tuple[str, str]]:
        engine = Engine()
        try:
            return await classify.classify_terms(engine=engine, scope=scope, terms=terms)
        finally:
            await engine.close()

    return anyio.run(run)


def test_each_class(known: KnownCatalogue) -> None:
    found = _classify(
        ["finanzbuchhaltung", "dortmund python", "deutschkurs", "schweißtechnik"],
        BOCHUM_SCOPE,
    )
    # The same words find O1 in the region: the zero came from filters (vocabulary).
    assert found["finanzbuchhaltung"][0] == classify.VOCABULARY
    # Nothing holds "dortmund", so the search found nothing; "python" alone finds O2.
    assert found["dortmund python"] == (
        classify.VOCABULARY,
        "in the region: the word 'python' alone",
    )
    # The German course exists, in Herne only.
    assert found["deutschkurs"][0] == classify.REGIONAL_GAP
    assert found["schweißtechnik"] == (
        classify.ABSENT,
        "no relaxed search finds an offer anywhere",
    )
    # Without a region (the global search) there is no regional gap.
    assert _classify(["deutschkurs"], None)["deutschkurs"][0] == classify.VOCABULARY


def test_relaxations_skip_generic_words() -> None:
    tries = dict(classify.relaxations("weiterbildung buchhaltung online"))
    assert "weiterbildung" not in tries
    assert "online" not in tries
    assert "buchhaltung" in tries
    assert "buchhalt" in tries


def test_zero_result_searches_are_classified_by_the_snapshot(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    k = demand.min_clients()
    for n in range(k):
        searcher = client_at(f"198.51.100.{n + 1}")
        # Filters exclude O1: zero results, but the words alone find it in the region.
        r = searcher.get(
            "/api/v1/portals/bochum-test/search",
            params={"q": "Finanzbuchhaltung", "category": "it_digital"},
        )
        assert r.status_code == 200
        assert r.json()["total"] == 0
        r = searcher.get("/api/v1/portals/bochum-test/search", params={"q": "Deutschkurs"})
        assert r.json()["total"] == 0
    demand.recorder().flush(db.get_engine())
    take_snapshot()
    with Session(db.get_engine()) as session:
        classes = {
            c.term: c.kind
            for c in session.exec(
                select(ZeroResultClass).where(ZeroResultClass.portal == "bochum-test")
            )
        }
    assert classes == {
        "finanzbuchhaltung": classify.VOCABULARY,
        "deutschkurs": classify.REGIONAL_GAP,
    }
    r = client.get("/api/v1/monitoring/portals/bochum-test/demand", headers=known.analyst)
    kinds = {t["term"]: t["zero_result_kind"] for t in r.json()["terms"]}
    assert kinds == {"finanzbuchhaltung": "vocabulary", "deutschkurs": "regional_gap"}

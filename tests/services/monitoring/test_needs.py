"""Needs coverage through the real search engine, ranked by gap, and the needs CSV."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import config, db
from app.errors import InvalidInput
from app.geo import distance_km
from app.models.monitoring import MonitoringSnapshot
from app.services.monitoring import needs
from app.services.monitoring.whitespots import postcode_centre
from tests.conftest import SearchIndex
from tests.monitoring_support import (
    BOCHUM,
    BOCHUM_POSTCODES,
    HERNE,
    KOELN,
    TODAY,
    KnownCatalogue,
    create_offer,
    day,
    run,
    take_snapshot,
)

NEEDS = (
    "need;search terms;KldB code;category\n"
    "IT-Fachkräfte;Python, Programmieren;43412;it_digital\n"
    "Buchhaltung;Finanzbuchhaltung;72213;\n"
    "Deutsch für den Beruf;Deutschkurs\n"
    "Schweißer/in;Schweißtechnik, WIG-Schweißen;24422;technology_trades\n"
)


def test_coverage_is_matched_by_search_and_ranked_by_gap(
    known: KnownCatalogue, client: TestClient
) -> None:
    r = client.put(
        "/api/v1/monitoring/portals/bochum-test/needs-list",
        content=NEEDS.encode(),
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert [n["need"] for n in r.json()["needs"]] == [
        "IT-Fachkräfte",
        "Buchhaltung",
        "Deutsch für den Beruf",
        "Schweißer/in",
    ]
    taken = take_snapshot()
    assert taken.needs_available
    with Session(db.get_engine()) as session:
        snap = session.exec(
            select(MonitoringSnapshot).where(MonitoringSnapshot.region_key == "bochum-test")
        ).one()
    assert snap.needs is not None
    assert snap.needs["available"]
    rows = {r["need"]: r for r in snap.needs["rows"]}
    # ranked: no offer first (ties by name), then by offers, Bildungsgutschein, part-time
    assert [r["need"] for r in snap.needs["rows"]] == [
        "Deutsch für den Beruf",
        "Schweißer/in",
        "Buchhaltung",
        "IT-Fachkräfte",
    ]
    assert [r["rank"] for r in snap.needs["rows"]] == [1, 2, 3, 4]
    it = rows["IT-Fachkräfte"]
    assert (it["offers"], it["bildungsgutschein"], it["part_time"], it["qualification"]) == (
        1,
        1,
        1,
        0,
    )
    assert it["next_start"] == day(10)
    assert it["kldb"] == "43412"
    fibu = rows["Buchhaltung"]
    assert (
        fibu["offers"],
        fibu["bildungsgutschein"],
        fibu["part_time"],
        fibu["qualification"],
    ) == (1, 1, 1, 1)
    # the German course is in Herne, outside the portal: the nearest offer outside it
    german = rows["Deutsch für den Beruf"]
    assert german["offers"] == 0
    nearest = german["nearest_outside"]
    assert nearest["offer_id"] == known.offers["O3"]
    assert nearest["postcode"] == "44623"
    points = [postcode_centre(p) for p in BOCHUM_POSTCODES]
    centre = (sum(p[0] for p in points if p) / 18, sum(p[1] for p in points if p) / 18)
    assert nearest["distance_km"] == round(distance_km(centre, HERNE[:2]), 1)
    # nothing anywhere
    assert rows["Schweißer/in"]["offers"] == 0
    assert rows["Schweißer/in"]["nearest_outside"] is None


def test_coverage_when_search_is_down_keeps_the_database_figures(
    known: KnownCatalogue, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = client.put(
        "/api/v1/monitoring/portals/bochum-test/needs-list",
        content=NEEDS.encode(),
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:9")  # nothing listens there
    from app import config

    config.get_settings.cache_clear()
    taken = take_snapshot()
    assert not taken.needs_available
    r = client.get("/api/v1/monitoring/portals/bochum-test/needs", headers=known.analyst)
    assert r.status_code == 200
    assert r.json()["available"] is False
    assert r.json()["rows"] == []
    r = client.get("/api/v1/monitoring/portals/bochum-test/indicators", headers=known.analyst)
    assert r.status_code == 200
    assert r.json()["day"] == TODAY.isoformat()


def test_the_next_start_is_a_run_in_the_region(
    known: KnownCatalogue,
    client: TestClient,
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> None:
    """An offer taught in Bochum and in Köln, and online: the Bochum portal's next start is
    its Bochum run, as only that run counts among the portal's runs."""
    create_offer(
        client,
        make_key("provider", known.orgs["A"]),
        title="Gabelstaplerschein",
        keywords=["Gabelstapler"],
        category="technology_trades",
        dates=[
            {"start_date": day(3), "schedule": "full_time", "online": True},
            run(KOELN, 5),
            run(BOCHUM, 50),
        ],
    )
    search_index.drain()
    r = client.put(
        "/api/v1/monitoring/portals/bochum-test/needs-list",
        content=b"need;search terms\nLagerlogistik;Gabelstapler\n",
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert take_snapshot().needs_available
    r = client.get("/api/v1/monitoring/portals/bochum-test/needs", headers=known.analyst)
    [row] = r.json()["rows"]
    assert (row["offers"], row["next_start"]) == (1, day(50))


def test_a_snapshot_without_search_keeps_the_days_earlier_coverage(
    known: KnownCatalogue, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {**known.admin, "Content-Type": "text/csv"}
    url = "/api/v1/monitoring/portals/{}/needs-list"
    assert client.put(url.format("bochum-test"), content=NEEDS.encode(), headers=headers).is_success
    assert take_snapshot().needs_available
    before = client.get("/api/v1/monitoring/portals/bochum-test/needs", headers=known.admin)
    assert before.json()["available"] is True
    # A needs list with no coverage yet today: nothing earlier to keep.
    assert client.put(url.format("far"), content=NEEDS.encode(), headers=headers).is_success
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:9")  # nothing listens there
    config.get_settings.cache_clear()
    assert not take_snapshot().needs_available
    after = client.get("/api/v1/monitoring/portals/bochum-test/needs", headers=known.admin)
    assert after.json()["available"] is True
    assert after.json()["rows"] == before.json()["rows"]
    far = client.get("/api/v1/monitoring/portals/far/needs", headers=known.admin).json()
    assert (far["available"], far["rows"]) == (False, [])


@pytest.mark.parametrize(
    ("text", "loc", "words"),
    [
        ("Bedarf;Begriffe\nPflege;Pflege\n", ["line 1", "header"], "must be"),
        ("need;search terms\nPflege;\n", ["line 2", "search terms"], "at least one"),
        ("need;search terms;KldB code\nPflege;Pflege;81x02\n", ["line 2", "KldB code"], "KldB"),
        (
            "need;search terms;KldB code;category\nPflege;Pflege;;pflege\n",
            ["line 2", "category"],
            "allowed",
        ),
        ("need;search terms\n;Pflege\n", ["line 2", "need"], "name"),
        ("need;search terms\nA;a;b;c;d\n", ["line 2", "row"], "columns"),
    ],
)
def test_a_bad_needs_file_names_line_and_column(text: str, loc: list[str], words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        needs.parse_needs(text)
    assert caught.value.details[0]["loc"] == loc
    assert words in caught.value.details[0]["message"]


def test_a_bad_needs_upload_changes_nothing(known: KnownCatalogue, client: TestClient) -> None:
    headers = {**known.admin, "Content-Type": "text/csv"}
    url = "/api/v1/monitoring/portals/bochum-test/needs-list"
    assert client.put(url, content=NEEDS.encode(), headers=headers).status_code == 200
    bad = NEEDS + "Pflege;Pflege;;unknown_category\n"
    r = client.put(url, content=bad.encode(), headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["line 6", "category"]
    assert len(client.get(url, headers=known.analyst).json()) == 4
    # analysts read, never write
    assert (
        client.put(
            url, content=NEEDS.encode(), headers={**known.analyst, "Content-Type": "text/csv"}
        ).status_code
        == 403
    )

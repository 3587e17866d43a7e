"""The monitoring API: who sees which region (404, never another portal's figures), JSON and
CSV tables, and the operator's uploads (all or nothing, 422 naming line and column)."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.monitoring import regions
from tests.monitoring_support import (
    POSTCODE_TABLE,
    TODAY,
    KnownCatalogue,
    take_snapshot,
)

READS = [
    "/api/v1/monitoring/portals/{p}/snapshots",
    "/api/v1/monitoring/portals/{p}/indicators",
    "/api/v1/monitoring/portals/{p}/indicators?format=csv",
    "/api/v1/monitoring/portals/{p}/series?indicator=offers",
    "/api/v1/monitoring/portals/{p}/white-spots",
    "/api/v1/monitoring/portals/{p}/needs",
    "/api/v1/monitoring/portals/{p}/demand",
    "/api/v1/monitoring/portals/{p}/needs-list",
]


@pytest.fixture
def snapshot_taken(known: KnownCatalogue) -> KnownCatalogue:
    take_snapshot()
    return known


def test_an_analyst_sees_its_portal_and_nothing_else(
    snapshot_taken: KnownCatalogue, client: TestClient
) -> None:
    known = snapshot_taken
    for url in READS:
        mine = client.get(url.format(p="bochum-test"), headers=known.analyst)
        assert mine.status_code == 200, (url, mine.text)
        other = client.get(url.format(p="bochum-test"), headers=known.other_analyst)
        assert other.status_code == 404, url
        assert other.json()["error"]["code"] == "not_found"
        # the same answer as for a portal that does not exist
        missing = client.get(url.format(p="no-such-portal"), headers=known.other_analyst)
        assert missing.status_code == 404
        assert other.json()["error"]["message"].replace("bochum-test", "X") == missing.json()[
            "error"
        ]["message"].replace("no-such-portal", "X")
    assert (
        client.get(
            "/api/v1/monitoring/districts/05911/indicators", headers=known.analyst
        ).status_code
        == 404
    )
    regions_seen = client.get("/api/v1/monitoring/regions", headers=known.analyst).json()
    assert [(r["kind"], r["key"]) for r in regions_seen] == [("portal", "bochum-test")]
    assert regions_seen[0]["latest_day"] == TODAY.isoformat()


def test_admins_see_every_region(snapshot_taken: KnownCatalogue, client: TestClient) -> None:
    known = snapshot_taken
    seen = client.get("/api/v1/monitoring/regions", headers=known.admin).json()
    assert len(seen) == 2 + 401 + 2
    r = client.get("/api/v1/monitoring/districts/05911/indicators", headers=known.admin)
    assert r.status_code == 200
    row = next(x for x in r.json()["rows"] if x["indicator"] == "offers" and not x["dimension"])
    assert row["value"] == 3
    for bad in ("99999", "0591", "abc"):
        assert (
            client.get(
                f"/api/v1/monitoring/districts/{bad}/indicators", headers=known.admin
            ).status_code
            == 404
        )


@pytest.mark.parametrize("who", ["none", "provider"])
def test_without_a_monitoring_key_no_figures(
    snapshot_taken: KnownCatalogue, client: TestClient, make_key: Any, who: str
) -> None:
    headers = {} if who == "none" else make_key("provider", snapshot_taken.orgs["A"])
    r = client.get("/api/v1/monitoring/portals/bochum-test/indicators", headers=headers)
    assert r.status_code == (401 if who == "none" else 403)
    assert "offers" not in r.text


def test_an_analyst_key_manages_nothing(known: KnownCatalogue, client: TestClient) -> None:
    from tests.conftest import offer_payload

    r = client.post("/api/v1/offers", json=offer_payload(), headers=known.analyst)
    assert r.status_code == 403
    assert client.get("/api/v1/offers", headers=known.analyst).status_code == 403
    assert client.post("/api/v1/monitoring/snapshots", headers=known.analyst).status_code == 403


def test_analyst_keys_need_existing_portals(known: KnownCatalogue, client: TestClient) -> None:
    for body, field in (
        ({"role": "analyst"}, "portals"),
        ({"role": "analyst", "portals": ["nope"]}, "portals"),
        ({"role": "provider", "organisation_id": 1, "portals": ["far"]}, ""),
        ({"role": "analyst", "portals": ["Bad Slug"]}, "portals"),
    ):
        r = client.post("/api/v1/api-keys", json=body, headers=known.admin)
        assert r.status_code == 422, body
        if field:
            assert field in repr(r.json()["error"]["details"])
    keys = client.get("/api/v1/api-keys", headers=known.admin).json()
    assert sorted(k["portals"] for k in keys if k["role"] == "analyst") == [
        ["bochum-test"],
        ["far"],
    ]


def test_csv_opens_in_excel(snapshot_taken: KnownCatalogue, client: TestClient) -> None:
    r = client.get(
        "/api/v1/monitoring/portals/bochum-test/indicators",
        params={"format": "csv"},
        headers=snapshot_taken.analyst,
    )
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Stichtag", "Region", "Kennzahl-ID"]
    by_id = {(row[2], row[5], row[6]): row for row in table[1:]}
    share = by_id[("bildungsgutschein_share", "", "")]
    assert share[3].startswith("Anteil mit Bildungsgutschein")
    assert share[9] == "66,6667"  # decimal comma
    assert by_id[("offers", "", "")][9] == "3"
    english = client.get(
        "/api/v1/monitoring/portals/bochum-test/indicators",
        params={"format": "csv", "lang": "en"},
        headers=snapshot_taken.analyst,
    ).content.decode("utf-8-sig")
    assert english.startswith("Reporting day;Region;Indicator id")


def test_series_and_snapshot_days(snapshot_taken: KnownCatalogue, client: TestClient) -> None:
    r = client.get(
        "/api/v1/monitoring/portals/bochum-test/series",
        params={"indicator": "offers"},
        headers=snapshot_taken.analyst,
    )
    assert [(p["day"], p["value"]) for p in r.json()["points"]] == [(TODAY.isoformat(), 3)]
    bad = client.get(
        "/api/v1/monitoring/portals/bochum-test/series",
        params={"indicator": "nonsense"},
        headers=snapshot_taken.analyst,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == ["indicator"]
    r = client.get(
        "/api/v1/monitoring/portals/bochum-test/indicators",
        params={"day": "2001-01-01"},
        headers=snapshot_taken.analyst,
    )
    assert r.status_code == 404


def test_a_series_ending_before_it_starts_is_refused(
    snapshot_taken: KnownCatalogue, client: TestClient
) -> None:
    """Not an empty trend, which reads as "no data": 422 naming the field, as for demand."""
    for fmt in ("json", "csv"):
        r = client.get(
            "/api/v1/monitoring/portals/bochum-test/series",
            params={"start": "2027-01-01", "end": "2026-01-01", "format": fmt},
            headers=snapshot_taken.analyst,
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["details"] == [{"loc": ["start"], "message": "start is after end"}]
    same_day = client.get(
        "/api/v1/monitoring/portals/bochum-test/series",
        params={"start": TODAY.isoformat(), "end": TODAY.isoformat()},
        headers=snapshot_taken.analyst,
    )
    assert [p["value"] for p in same_day.json()["points"]] == [3]


def test_white_spots_only_empty(snapshot_taken: KnownCatalogue, client: TestClient) -> None:
    r = client.get(
        "/api/v1/monitoring/portals/far/white-spots",
        params={"only_empty": "true"},
        headers=snapshot_taken.admin,
    )
    rows = r.json()["rows"]
    assert {(x["postcode"], x["category"]) for x in rows if x["category"] == ""} == {("01067", "")}
    assert all(x["offers"] == 0 for x in rows)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ("plz;kreis\n44787;05911\n", ["line 1", "header"]),
        ("postcode;ags\n44787;05911\n4478;05911\n", ["line 3", "postcode"]),
        ("postcode;ags\n44787;05911\n00000;05911\n", ["line 3", "postcode"]),
        ("postcode;ags\n44787;05911\n44789;99999\n", ["line 3", "ags"]),
        ("postcode;ags\n44787;05911\n44789;0591x\n", ["line 3", "ags"]),
        ("postcode;ags\n44787;05911\n44789\n", ["line 3", "row"]),
        ("postcode;ags\n44787;05911\n44787;05916\n", ["line 3", "postcode"]),
    ],
)
def test_a_bad_postcode_table_changes_nothing(
    known: KnownCatalogue, client: TestClient, body: str, loc: list[str]
) -> None:
    before = client.get(
        "/api/v1/monitoring/portals/bochum-test/indicators", headers=known.admin
    )  # no snapshot yet: 404 either way
    r = client.post(
        "/api/v1/monitoring/postcodes",
        params={"replace": "true"},
        content=body.encode(),
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == loc
    assert loc[0] in r.json()["error"]["message"]
    from sqlmodel import Session

    from app import db

    with Session(db.get_engine()) as session:
        table = regions.postcode_districts(session=session)
    assert len(table) == POSTCODE_TABLE.count("\n") - 1  # the earlier import, untouched
    assert before.status_code == 404


def test_postcode_table_accepts_municipality_keys_and_windows_files(
    known: KnownCatalogue, client: TestClient
) -> None:
    body = "postcode;ags\r\n58452;05954036\r\n".encode("cp1252")
    r = client.post(
        "/api/v1/monitoring/postcodes",
        content=body,
        headers={**known.admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1
    assert (
        client.post(
            "/api/v1/monitoring/postcodes",
            content=body,
            headers={**known.analyst, "Content-Type": "text/csv"},
        ).status_code
        == 403
    )


def test_population_of_a_portal(known: KnownCatalogue, client: TestClient) -> None:
    url = "/api/v1/monitoring/portals/far/population"
    r = client.put(
        url,
        json={
            "population": 556_780,
            "reference_date": "2023-12-31",
            "source": "Statistisches Landesamt",
        },
        headers=known.admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["population"] == 556_780
    assert "Statistisches Landesamt" in r.json()["population_source"]
    assert client.put(url, json={"population": 0}, headers=known.admin).status_code == 422
    assert (
        client.put(url, json={"population": None}, headers=known.admin).json()["population"] is None
    )  # back to derived: Dresden's postcode is not in the table
    assert client.put(url, json={"population": 5}, headers=known.analyst).status_code == 403

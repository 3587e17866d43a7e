"""Duplicate detection: the comparison's rules, and the per-write check and the full scan
finding the same pairs in a stored catalogue."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from app.services.quality.duplicates import (
    ONLINE,
    Facts,
    Run,
    check_pending,
    compare,
    reason_text,
    scan_all,
)
from tests.conftest import offer_payload

DESCRIPTION = (
    "Sie lernen die doppelte Buchführung, Kontenrahmen, Umsatzsteuer und die Arbeit mit DATEV "
    "an echten Belegen aus kleinen und mittleren Unternehmen."
)


MARCH = [Run("Bochum", date(2027, 3, 1))]


def _facts(offer_id: int, org: int, title: str, **extra: Any) -> Facts:
    values: dict[str, Any] = {"description": DESCRIPTION.lower(), "runs": MARCH}
    values.update(extra)
    return Facts(offer_id, org, title.lower(), **values)


def test_alike_offers_of_two_providers_in_one_city_match() -> None:
    match = compare(
        _facts(1, 1, "finanzbuchhaltung mit datev"),
        _facts(2, 2, "finanzbuchhaltung mit datev ihk"),
    )
    assert match is not None
    assert match.score >= 90
    assert match.reason["place"] == "Bochum"
    assert reason_text(match.reason).endswith("both in Bochum, start 2027-03-01")
    later = _facts(3, 2, "finanzbuchhaltung mit datev", runs=[Run("Bochum", date(2027, 3, 8))])
    match = compare(_facts(1, 1, "finanzbuchhaltung mit datev"), later)
    assert match is not None
    assert match.reason["dates"] == "start 2027-03-01 / 2027-03-08"


def test_what_keeps_two_offers_apart() -> None:
    a = _facts(1, 1, "finanzbuchhaltung mit datev")
    assert compare(a, _facts(2, 1, "finanzbuchhaltung mit datev")) is None  # same provider
    koeln = [Run("Köln", date(2027, 3, 1))]
    assert compare(a, _facts(2, 2, "finanzbuchhaltung mit datev", runs=koeln)) is None
    weeks_later = [Run("Bochum", date(2027, 3, 9))]  # 8 days: another run of the course
    assert compare(a, _facts(2, 2, "finanzbuchhaltung mit datev", runs=weeks_later)) is None
    assert compare(a, _facts(2, 2, "finanzbuchhaltung mit datev", runs=[])) is None
    assert compare(a, _facts(2, 2, "schweißen für einsteiger")) is None
    other_text = "kochen backen grillen braten " * 5
    assert compare(a, _facts(2, 2, "finanzbuchhaltung mit datev", description=other_text)) is None


def test_online_offers_match_online_and_any_time_matches_any_time() -> None:
    a = _facts(1, 1, "python programmieren", runs=[Run(ONLINE, None)])
    b = _facts(2, 2, "python programmieren", runs=[Run(ONLINE, None)])
    match = compare(a, b)
    assert match is not None
    assert match.reason["place"] == "online"
    assert match.reason["dates"] == "start any time"
    fixed = _facts(3, 2, "python programmieren", runs=[Run(ONLINE, date(2027, 9, 1))])
    assert compare(a, fixed) is None  # any time vs. a fixed start
    assert compare(a, _facts(4, 2, "python programmieren", runs=[Run("Bochum", None)])) is None


def _offer(client: TestClient, headers: dict[str, str], **overrides: Any) -> int:
    body = offer_payload(description=DESCRIPTION, **overrides)
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _pairs() -> list[tuple[int, int, str]]:
    with db.session_scope() as session:
        rows = session.execute(
            text("SELECT offer_a_id, offer_b_id, status FROM duplicate_candidate ORDER BY id")
        )
        return [(a, b, s) for a, b, s in rows]


def test_check_after_writes_and_full_scan_find_the_same_pair(
    client: TestClient, trusted_provider: dict[str, Any], provider: dict[str, Any]
) -> None:
    ihk = _offer(client, trusted_provider["headers"], title="Finanzbuchhaltung mit DATEV")
    own = _offer(client, trusted_provider["headers"], title="Finanzbuchhaltung mit DATEV II")
    other = _offer(client, provider["headers"], title="Finanzbuchhaltung mit DATEV (IHK)")
    _offer(client, provider["headers"], title="Schweißen Grundkurs")
    _offer(
        client,
        provider["headers"],
        title="Finanzbuchhaltung mit DATEV",
        city="Köln",
        postcode="50667",
        lat=50.94,
        lon=6.96,
    )
    with db.session_scope() as session:
        result = check_pending(session=session)
    assert result.checked == 5
    assert sorted(_pairs()) == sorted([(ihk, other, "open"), (own, other, "open")])
    with db.session_scope() as session:
        assert check_pending(session=session).checked == 0  # nothing written since
    # A change that makes the offer unlike the others drops its open pairs.
    r = client.patch(
        f"/api/v1/offers/{other}",
        json={"title": "Lohnbuchhaltung Intensiv"},
        headers=provider["headers"],
    )
    assert r.status_code == 200, r.text
    with db.session_scope() as session:
        result = check_pending(session=session)
    assert (result.checked, result.dropped) == (1, 2)
    assert _pairs() == []
    r = client.patch(
        f"/api/v1/offers/{other}",
        json={"title": "Finanzbuchhaltung mit DATEV (IHK)"},
        headers=provider["headers"],
    )
    with db.session_scope() as session:
        session.execute(text("DELETE FROM duplicate_candidate"))
        result = scan_all(session=session)
    assert result.new == 2
    assert sorted((a, b) for a, b, _ in _pairs()) == sorted([(ihk, other), (own, other)])


def test_worker_round_checks_what_was_written(
    client: TestClient, trusted_provider: dict[str, Any], provider: dict[str, Any]
) -> None:
    from workers import duplicates as worker

    a = _offer(client, trusted_provider["headers"], title="Gabelstapler Führerschein")
    b = _offer(client, provider["headers"], title="Gabelstapler Führerschein kompakt")
    assert worker.run_once() == 2
    assert _pairs() == [(a, b, "open")]
    assert worker.run_once() == 0


def test_dates_at_the_calendars_edge_do_not_stop_the_check(
    client: TestClient, trusted_provider: dict[str, Any], provider: dict[str, Any]
) -> None:
    first = _offer(client, trusted_provider["headers"], title="Gabelstapler Führerschein")
    last = _offer(client, provider["headers"], title="Gabelstapler Führerschein kompakt")
    # As stored before input dates were held to 1900-2199: a week around them leaves the
    # calendar, which stopped every later check with an OverflowError.
    with db.session_scope() as session:
        for offer_id, day in ((first, date.min), (last, date.max)):
            session.execute(
                text("UPDATE offer_date SET start_date = :day WHERE offer_id = :id"),
                {"day": day, "id": offer_id},
            )
    with db.session_scope() as session:
        assert check_pending(session=session).checked == 2
    assert _pairs() == []


def test_a_date_no_catalogue_can_mean_is_refused(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    for day in ("0001-01-01", "9999-12-31"):
        body = offer_payload(dates=[{"start_date": day, "online": True}])
        r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
        assert r.status_code == 422, r.text
        [error] = r.json()["error"]["details"]
        assert error["loc"] == ["dates", 0, "start_date"]
        assert "between 1900-01-01 and 2199-12-31" in error["message"]

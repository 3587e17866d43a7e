"""Demand signals, private by design: the k threshold in every output, nothing identifying
in any table or log, personal-looking terms dropped, the hash key never on disk, one count
per client (its address) and month, and a store that is down costs a search nothing."""

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from app import config, db
from app.main import create_app
from app.models.search import SearchParams
from app.services.monitoring import demand, publication
from tests.monitoring_support import (
    KnownCatalogue,
)
from tests.services.monitoring.conftest import ClientAt

PROBE_IP = "203.0.113.77"
PROBE_AGENT = "Mozilla/5.0 (X11) PrivacyProbe-7f3a9c"


def _address(n: int) -> str:
    return f"198.51.100.{n + 1}"


def _search(client: TestClient, q: str, agent: str = "testclient", **params: Any) -> int:
    r = client.get(
        "/api/v1/portals/bochum-test/search",
        params={"q": q, **params},
        headers={"User-Agent": agent},
    )
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def _outputs(client: TestClient, known: KnownCatalogue) -> str:
    """Everything the monitoring shows of demand: JSON, CSV and the dashboard page."""
    api = "/api/v1/monitoring/portals/bochum-test/demand"
    parts = [
        client.get(api, headers=known.analyst).text,
        client.get(api, params={"format": "csv"}, headers=known.analyst).text,
    ]
    r = client.post(
        "/monitoring/", data={"key": known.analyst["Authorization"][7:]}, follow_redirects=False
    )
    assert r.status_code == 303
    parts.append(client.get("/monitoring/bochum-test/nachfrage").text)
    parts.append(client.get("/monitoring/bochum-test/export/nachfrage.csv").text)
    client.cookies.clear()
    return "\n".join(parts)


def test_a_term_needs_k_distinct_clients_in_every_output(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    k = demand.min_clients()
    assert k == 10  # DEMAND_MIN_CLIENTS default, one API process
    for n in range(k - 1):
        _search(client_at(_address(n)), "Altenpflege")
    # One client searching many times is still one client.
    for _ in range(25):
        _search(client_at(_address(0)), "Altenpflege")
    demand.recorder().flush(db.get_engine())
    shown = _outputs(client, known)
    assert "altenpflege" not in shown.lower()
    _search(client_at(_address(k - 1)), "Altenpflege")
    demand.recorder().flush(db.get_engine())
    shown = _outputs(client, known)
    assert "altenpflege" in shown
    r = client.get("/api/v1/monitoring/portals/bochum-test/demand", headers=known.analyst)
    [term] = [t for t in r.json()["terms"] if t["term"] == "altenpflege"]
    assert term["clients"] == k
    assert term["zero_result_clients"] == k
    # breakdown rows below k are left out too: the result bucket of all k is "0"
    rows = {(b["dimension"], b["value"]): b["clients"] for b in r.json()["breakdown"]}
    assert rows == {("result", "0"): k}


def test_breakdowns_below_k_are_left_out(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    k = demand.min_clients()
    # what each API process does every minute: read the postcode → district table
    demand.recorder().refresh_districts(db.get_engine())
    for n in range(k):
        params = {"funding": "bildungsgutschein"} if n < k - 1 else {}
        _search(client_at(_address(n)), "Buchhaltung", postcode="44787", **params)
    demand.recorder().flush(db.get_engine())
    r = client.get("/api/v1/monitoring/portals/bochum-test/demand", headers=known.analyst)
    rows = {(b["dimension"], b["value"]) for b in r.json()["breakdown"]}
    assert ("district", "05911") in rows  # all k searched around 44787 (Bochum)
    assert ("filter", "postcode") in rows
    assert ("filter", "funding:bildungsgutschein") not in rows  # only k-1 did


@pytest.mark.parametrize(
    "query",
    [
        "max.mustermann@example.org",
        "Kurs anfragen mustermann (at) example.org",
        "0234 910-1555",
        "+49 234 9101555",
        "DE89370400440532013000",
        "123456",
        "bitte rufen Sie mich morgen früh an danke sehr",
        "https://example.org/mein-profil",
    ],
)
def test_personal_looking_terms_are_dropped(query: str) -> None:
    assert demand.normalise(query) is None
    recorder = demand.DemandRecorder()
    recorder.record(SearchParams(q=query), 3, portal="x")
    assert recorder.take_pending() == set()
    assert recorder.dropped_personal == 1


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("  Deutschkurs   B1 ", "deutschkurs b1"),
        ("STRAẞE & Verkehr!", "straße verkehr"),
        ("C++ / C#", "c++ / c#"),
        ("Deutsch 44787", "deutsch 44787"),  # a postcode is not personal
    ],
)
def test_terms_are_normalised(query: str, term: str) -> None:
    assert demand.normalise(query) == term


def test_filters_are_names_and_codes_only() -> None:
    params = SearchParams(
        q="x",
        category=["it_digital"],
        city=["Bochum"],
        provider=[7],
        postcode="44787",
        radius_km=25,
        free=True,
        lat=51.5,
        lon=7.2,
    )
    used = demand.filters_used(params)
    assert "category:it_digital" in used
    assert "city" in used
    assert "provider" in used
    assert "radius_km:25" in used
    assert "free:true" in used
    assert "coordinates" in used
    assert not any("Bochum" in u or u[-1:] == "7" or "44787" in u for u in used)


def _scope(address: str, agent: str = "A", **headers: str) -> dict[str, Any]:
    raw = [(b"user-agent", agent.encode())]
    raw += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "client": (address, 40000), "headers": raw}


def test_a_client_is_its_address_whatever_its_headers_say() -> None:
    """Ten user agents, forwarded-for headers and cookies from one address are one client:
    nothing a client can change with every request makes it count again."""
    recorder = demand.DemandRecorder()
    for n in range(10):
        scope = _scope(
            "198.51.100.1",
            f"Mozilla/5.0 browser {n}",
            x_forwarded_for=f"203.0.113.{n}",
            cookie=f"session={n}",
        )
        recorder.record(SearchParams(q="Schuldnerberatung Mueller"), 0, portal="p", request=scope)
    pending = recorder.take_pending()
    assert [s[:5] for s in pending if s[3:5] == ("", "")] == [
        (recorder._day, "p", "schuldnerberatung mueller", "", "")
    ]
    recorder.record(SearchParams(q="Schuldnerberatung Mueller"), 0, request=_scope("192.0.2.9"))
    assert len([s for s in recorder.take_pending() if s[3:5] == ("", "")]) == 1


def test_a_row_is_passed_on_once_per_client_and_day() -> None:
    """Repeats of a day are not written again; that a client counts once a month is the
    database's marks' work (test_one_client_on_many_days_of_a_month_counts_once_…)."""
    now = [datetime(2027, 3, 30, 23, 59, tzinfo=UTC).timestamp()]
    recorder = demand.DemandRecorder(clock=lambda: now[0])
    scope = _scope("198.51.100.1")
    for _ in range(5):
        recorder.record(SearchParams(q="Pflege"), 10, portal="p", request=scope)
    now[0] += timedelta(minutes=2).total_seconds()  # the next UTC day, the same month
    recorder.record(SearchParams(q="Pflege"), 10, portal="p", request=scope)
    now[0] += timedelta(days=1).total_seconds()  # the next month
    recorder.record(SearchParams(q="Pflege"), 10, portal="p", request=scope)
    days = sorted(s[0] for s in recorder.take_pending() if s[2:5] == ("pflege", "", ""))
    assert days == [date(2027, 3, 30), date(2027, 3, 31), date(2027, 4, 1)]


def _term_clients(term: str) -> int:
    """The term's clients over every stored day (all in one month here)."""
    with db.get_engine().connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT coalesce(sum(clients), 0) FROM demand_count WHERE term = :t"
                    " AND dimension = '' AND value = ''"
                ),
                {"t": term},
            ).scalar_one()
        )


def test_one_client_changing_its_user_agent_counts_once(
    known: KnownCatalogue, client: TestClient
) -> None:
    for n in range(10):
        _search(client, "Schuldnerberatung Mueller", f"Mozilla/5.0 browser {n}")
    demand.recorder().flush(db.get_engine())
    assert _term_clients("schuldnerberatung mueller") == 1
    assert "schuldnerberatung" not in _outputs(client, known)


def test_one_client_on_many_days_of_a_month_counts_once_in_every_process(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    """One address searching a rare term on ten days of a month, its
    counts written each day; on the last five days by a new API process each day (another
    process, or this one restarted), which remembers nothing of the days before."""
    k = demand.min_clients()
    first = _months_back(1)  # the newest closed month: what the outputs show by default
    now = [datetime.combine(first, time(12), tzinfo=UTC).timestamp()]
    demand._recorder = demand.DemandRecorder(clock=lambda: now[0])
    for n in range(10):
        if n >= 5:
            demand._recorder = demand.DemandRecorder(clock=lambda: now[0])
        _search(client, "Schuldnerberatung Mueller")
        demand.recorder().flush(db.get_engine())
        now[0] += timedelta(days=1).total_seconds()
    assert _term_clients("schuldnerberatung mueller") == 1
    assert _demand(client, known) == {}
    # Other clients still count, one each, on whichever day they came.
    for n in range(k - 1):
        _search(client_at(_address(n)), "Schuldnerberatung Mueller")
        now[0] += timedelta(days=1).total_seconds()
    demand.recorder().flush(db.get_engine())
    assert _demand(client, known) == {"schuldnerberatung mueller": k}


def test_no_address_agent_or_cookie_in_any_table_or_log(
    known: KnownCatalogue, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(), client=(PROBE_IP, 4711)) as probe:
        for q in ("Pflegefachkraft", "Python", "Buchhaltung"):
            _search(probe, q, PROBE_AGENT, postcode="44787")
            r = probe.get("/api/v1/search", params={"q": q}, headers={"User-Agent": PROBE_AGENT})
            assert r.status_code == 200
            r = probe.get("/p/bochum-test/", params={"q": q}, headers={"User-Agent": PROBE_AGENT})
            assert r.status_code == 200
        r = probe.post(
            "/monitoring/",
            data={"key": known.analyst["Authorization"][7:]},
            headers={"User-Agent": PROBE_AGENT},
            follow_redirects=False,
        )
        cookie = r.cookies[demand_cookie()]
        assert probe.get("/monitoring/bochum-test/nachfrage").status_code == 200
    demand.recorder().flush(db.get_engine())
    stored = _every_stored_value()
    assert "pflegefachkraft" in stored  # the dump does see the demand rows
    token = cookie.split(".")[0]
    for secret in (PROBE_IP, "PrivacyProbe", cookie, token):
        assert secret not in stored
        assert not any(secret in r.getMessage() for r in caplog.records)


def test_the_month_key_is_never_written_and_goes_with_the_month(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    for n in range(3):
        _search(client_at(_address(n)), "Pflege")
    recorder = demand.recorder()
    recorder.flush(db.get_engine())
    month = publication.month_start(recorder._day)
    with db.get_engine().begin() as connection:
        key = demand.month_key(connection, month)
        marks = set(connection.execute(text("SELECT mark FROM demand_client")).scalars())
    assert len(key) == 32
    # Keyed hashes of (address, row): the term's own row of each of the three clients.
    term_row = (recorder._day, "bochum-test", "pflege", "", "")
    assert {demand.client_mark(key, _address(n), term_row) for n in range(3)} <= marks
    stored = _every_stored_value()
    assert key.hex() not in stored
    files = [config.get_settings().data_dir]
    if db.get_engine().dialect.name == "sqlite":
        files.append(Path(db.get_engine().url.database or "").parent)
    for folder in files:
        for path in Path(folder).rglob("*"):
            if path.is_file() and path.stat().st_size < 200_000_000:
                content = path.read_bytes()
                assert key not in content, path
                assert key.hex().encode() not in content, path
    # The month closes: its marks and what its key came from are deleted; the key cannot
    # be worked out again (asking for it draws a new one).
    with db.session_scope() as session:
        publication.prune_closed_months(
            session=session, today=publication.utc_today(), threshold=demand.min_clients()
        )
    with db.get_engine().begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM demand_client")).scalar_one() == 0
        salts = connection.execute(
            text("SELECT count(*) FROM indexer_state WHERE key LIKE 'demand_client_salt:%'")
        )
        assert salts.scalar_one() == 0
        assert demand.month_key(connection, month) != key


def test_a_store_that_is_down_costs_a_search_nothing(
    known: KnownCatalogue, client_at: ClientAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr(demand, "write_searches", broken)
    for n in range(3):
        assert _search(client_at(_address(n)), "Buchhaltung") >= 1
    recorder = demand.recorder()
    assert recorder.flush(db.get_engine()) == 0  # kept for later
    monkeypatch.undo()
    monitoring_settings()
    assert recorder.flush(db.get_engine()) > 0
    with db.get_engine().connect() as connection:
        clients = connection.execute(
            text(
                "SELECT clients FROM demand_count WHERE term = 'buchhaltung' AND dimension = ''"
                " AND value = ''"
            )
        ).scalar_one()
    assert clients == 3


def test_recording_never_fails_a_search(
    known: KnownCatalogue, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("recorder bug")

    monkeypatch.setattr(demand.DemandRecorder, "_record", broken)
    assert _search(client, "Buchhaltung", "any") >= 1
    assert client.get("/p/bochum-test/", params={"q": "Buchhaltung"}).status_code == 200


def monitoring_settings() -> None:
    config.get_settings.cache_clear()


def demand_cookie() -> str:
    from app.services.monitoring.sessions import COOKIE

    return COOKIE


def _every_stored_value() -> str:
    """Every value of every table, as text."""
    engine = db.get_engine()
    out: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                out.append(repr(tuple(row)))
    return "\n".join(out)


@pytest.fixture(autouse=True)
def _no_stale_recorder() -> Iterator[None]:
    demand._recorder = None
    yield
    demand._recorder = None


def test_the_global_search_has_its_own_demand_for_admins(
    known: KnownCatalogue, client: TestClient, client_at: ClientAt
) -> None:
    k = demand.min_clients()
    for n in range(k):
        r = client_at(_address(n)).get("/api/v1/search", params={"q": "Buchhaltung"})
        assert r.status_code == 200
    demand.recorder().flush(db.get_engine())
    r = client.get("/api/v1/monitoring/search-demand", headers=known.admin)
    assert [t["term"] for t in r.json()["terms"]] == ["buchhaltung"]
    assert r.json()["region"]["dashboard"] is None
    assert client.get("/api/v1/monitoring/search-demand", headers=known.analyst).status_code == 403
    # the portal's own demand does not include the global search
    r = client.get("/api/v1/monitoring/portals/bochum-test/demand", headers=known.admin)
    assert r.json()["terms"] == []


# --- whole months that have ended ------------------------------------------------------------


def _months_back(n: int) -> date:
    """The first day of the month n months before the one after the newest closed month
    (1: the newest closed month, 2: the one before)."""
    first = publication.month_start(publication.last_closed(publication.utc_today()))
    for _ in range(n - 1):
        first = publication.month_start(first - timedelta(days=1))
    return first


def _count(day: date, term: str, clients: int, *, dimension: str = "", value: str = "") -> None:
    demand.write_counts(
        db.get_engine(), Counter({(day, "bochum-test", term, dimension, value): clients})
    )


def _demand(client: TestClient, known: KnownCatalogue, **params: str) -> Any:
    r = client.get(
        "/api/v1/monitoring/portals/bochum-test/demand", params=params, headers=known.admin
    )
    assert r.status_code == 200, r.text
    return {t["term"]: t["clients"] for t in r.json()["terms"]}


def test_no_single_search_can_be_worked_out_from_two_periods(
    known: KnownCatalogue, client: TestClient
) -> None:
    k = demand.min_clients()
    before_last, last = _months_back(2), _months_back(1)
    _count(before_last + timedelta(days=4), "schuldnerberatung", k)
    _count(last + timedelta(days=5), "schuldnerberatung", 1)  # one person, last month
    _count(publication.utc_today(), "schuldnerberatung", 1)  # one person, a month counting
    both = {"start": str(before_last), "end": str(last - timedelta(days=1))}
    assert _demand(client, known, **both) == {"schuldnerberatung": k}
    assert _demand(client, known) == {}  # the last month alone: 1 < k
    # months sum what each shows: the two months together add nothing to the first
    together = {"start": str(before_last), "end": str(publication.month_end(last))}
    assert _demand(client, known, **together) == {"schuldnerberatung": k}
    # a month still counting is not shown at all
    r = client.get(
        "/api/v1/monitoring/portals/bochum-test/demand",
        params={"end": str(publication.month_end(publication.utc_today()))},
        headers=known.admin,
    )
    assert r.status_code == 422
    [detail] = r.json()["error"]["details"]
    assert detail["loc"] == ["end"]
    assert "closed" in detail["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"end": "2026-11-15"}, "end"),
        ({"start": "2026-10-02", "end": "2026-10-31"}, "start"),
        ({"start": "2024-01-01", "end": "2025-10-31"}, "start"),
        ({"end": "0001-01-05"}, "end"),
        ({"end": "9999-12-31"}, "end"),
        ({"start": "2026-10-01", "end": "2026-09-30"}, "start"),
    ],
)
def test_demand_periods_are_whole_months_that_have_ended(
    known: KnownCatalogue, client: TestClient, params: dict[str, str], field: str
) -> None:
    for path in ("/portals/bochum-test/demand", "/search-demand"):
        r = client.get(f"/api/v1/monitoring{path}", params=params, headers=known.admin)
        assert r.status_code == 422, r.text
        assert [d["loc"] for d in r.json()["error"]["details"]] == [[field]]
    r = client.get(
        "/api/v1/monitoring/search-demand", params={"end": "0001-01-31"}, headers=known.admin
    )
    assert r.status_code == 200, r.text


def test_counts_no_output_can_show_are_deleted_once_their_month_closes(
    known: KnownCatalogue, client: TestClient
) -> None:
    k = demand.min_clients()
    last = _months_back(1)
    today = publication.utc_today()
    _count(last, "pflege", k)  # shown: kept
    _count(last, "pflege", k - 1, dimension="filter", value="free:true")  # a row below k
    _count(last + timedelta(days=1), "insolvenz jana kowalski", 1)  # a rare text
    _count(today, "insolvenz jana kowalski", 1)  # its month is still counted
    with db.session_scope() as session:
        gone = publication.prune_closed_months(session=session, today=today, threshold=k)
    assert gone == 2
    # Done through that month: it is not read again (a row below k written there after the
    # pruning, as only a test can, stays).
    _count(last + timedelta(days=2), "nachzügler", 1)
    with db.session_scope() as session:
        assert publication.prune_closed_months(session=session, today=today, threshold=k) == 0
    with db.session_scope() as session:
        late = "FROM demand_count WHERE term = 'nachzügler'"
        assert session.execute(text(f"SELECT count(*) {late}")).scalar_one() == 1
        session.execute(text(f"DELETE {late}"))
    with db.session_scope() as session:
        kept = session.connection().execute(
            text("SELECT day, term, dimension FROM demand_count ORDER BY day, term")
        )
        assert [(_day(r.day), r.term, r.dimension) for r in kept] == [
            (last, "pflege", ""),
            (today, "insolvenz jana kowalski", ""),
        ]
    assert _demand(client, known) == {"pflege": k}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_a_closed_month_takes_no_more_counts(client: TestClient) -> None:
    now = datetime.now(UTC)
    recorder = demand.DemandRecorder(clock=now.timestamp)
    closed = publication.last_closed(now.date())
    recorder.put_back(
        {
            (closed, "p", "spät", "", "", "198.51.100.1"),
            (now.date(), "p", "pünktlich", "", "", "198.51.100.1"),
        }
    )
    assert recorder.flush(db.get_engine()) == 1
    with db.session_scope() as session:
        terms = session.connection().execute(text("SELECT term FROM demand_count")).scalars()
        assert list(terms) == ["pünktlich"]  # the closed month's dropped
        months = session.connection().execute(text("SELECT month FROM demand_client"))
        assert [_day(m) for m in months.scalars()] == [publication.month_start(now.date())]


@pytest.mark.parametrize(
    ("today", "closed"),
    [
        (date(2026, 12, 6), date(2026, 11, 30)),
        (date(2026, 12, 2), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 10, 31)),  # November still takes its last counts
        (date(2026, 1, 1), date(2025, 11, 30)),
        (date(2026, 3, 1), date(2026, 1, 31)),
    ],
)
def test_a_month_closes_at_the_end_of_the_next_months_first_utc_day(
    today: date, closed: date
) -> None:
    assert publication.last_closed(today) == closed

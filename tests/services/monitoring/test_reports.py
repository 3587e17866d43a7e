"""The monitoring tables as CSV: every count written once, so a pivot over the file adds up."""

import csv
import io
from datetime import date

from app.models.monitoring import Demand, DemandBreakdownRow, DemandRow, RegionPublic
from app.services.monitoring import reports


def _member(term: str, dimension: str, value: str, label: str, clients: int) -> DemandBreakdownRow:
    return DemandBreakdownRow(
        term=term, dimension=dimension, value=value, label=label, clients=clients
    )


def _demand() -> Demand:
    """What `reports.demand` returns for a term searched by 7 people, 5 of whom found
    nothing: the zero-result count is both the term's `zero_result_clients` and its
    `result` breakdown member "0"."""
    return Demand(
        region=RegionPublic(
            kind="portal",
            key="bochum-test",
            name="Weiterbildung Bochum",
            population=None,
            population_source="",
            latest_day=None,
            dashboard=None,
        ),
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        min_clients=5,
        terms=[
            DemandRow(term="pflege", clients=7, zero_result_clients=5, zero_result_kind="absent"),
            DemandRow(term="python", clients=6, zero_result_clients=None, zero_result_kind=None),
        ],
        breakdown=[
            _member("pflege", "result", "0", "0", 5),
            _member("python", "result", "6+", "6+", 6),
            _member("pflege", "filter", "funding", "Förderung", 5),
        ],
    )


def test_the_demand_csv_writes_each_zero_result_count_once() -> None:
    text = reports.csv_of(_demand(), lang="de").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[3:] == [
        "Suchbegriff",
        "Aufschlüsselung",
        "Wert",
        "Bezeichnung",
        "Suchende (Personen-Tage)",
        "Einordnung bei 0 Treffern",
    ]
    zero = [r[3:] for r in body if r[4:6] == ["result", "0"]]
    assert zero == [["pflege", "result", "0", "0", "5", "fehlt ganz"]]
    # the other rows are all there, each once
    assert [r[3:8] for r in body if r[4:6] != ["result", "0"]] == [
        ["pflege", "", "", "", "7"],
        ["python", "", "", "", "6"],
        ["python", "result", "6+", "6+", "6"],
        ["pflege", "filter", "funding", "Förderung", "5"],
    ]


def test_searches_without_words_are_named_in_the_csv_not_left_blank() -> None:
    table = _demand()
    table.terms.append(
        DemandRow(term="", clients=9, zero_result_clients=None, zero_result_kind=None)
    )
    table.breakdown.append(_member("", "filter", "free:true", "kostenlos", 9))
    for lang, name in (("de", "(ohne Suchwort)"), ("en", "(no words)")):
        text = reports.csv_of(table, lang=lang).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
        assert [r[3] for r in rows if r[7] == "9"] == [name, name]
        assert all(r[3] for r in rows)

"""German words against a real Meilisearch: typos forgiven in whole words, words the catalogue
lacks find nothing, and a part of a compound still finds the compound."""

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.search import documents as f
from app.search.index_admin import call, create_index_with_settings, wait
from app.search.index_settings import LOCALIZED_ATTRIBUTES
from tests.conftest import SearchIndex, offer_payload

COURSES = {
    "erzieher": ("Erzieher/in in praxisintegrierter Form", "Ausbildung in Kita und Fachschule."),
    "pflegehelfer": (
        "Pflegehelfer/in: Qualifizierung zur Pflegekraft",
        "Grundpflege im Alltag und Dokumentation.",
    ),
    "pflegemanagement": (
        "Zertifikatskurs Pflegemanagement",
        "Leitung einer Station; rechtliche Vorgaben des Pflegeberufegesetzes.",
    ),
    "schulabschluss": (
        "Erster Schulabschluss nachholen",
        "Mathematik, Englisch und Gesellschaftslehre.",
    ),
    "englisch": ("Englisch B1 – Konversation", "Sprechen im Alltag."),
    "schweissen": ("Schweißen MAG Grundkurs", "Schweißtechnik für Einsteiger."),
    "lesen": ("Besser lesen und schreiben", "Sie schließen Lücken beim Schreiben."),
    "lohn": ("Lohnbuchhaltung kompakt", "Entgelt, Steuern und Sozialversicherung."),
    "hygiene": ("Lebensmittelhygiene nach HACCP", "Sauber arbeiten in der Küche."),
}


@pytest.fixture
def courses(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> dict[str, int]:
    ids = {}
    for key, (title, description) in COURSES.items():
        # No keywords and a neutral category: what is found, is found through the title and
        # description alone.
        body = offer_payload(
            title=title,
            description=description,
            keywords=[],
            category="other",
            education_type="seminar",
        )
        r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
        assert r.status_code == 201, r.text
        ids[key] = int(r.json()["id"])
    search_index.drain()
    return ids


def _found(client: TestClient, courses: dict[str, int], q: str) -> set[str]:
    r = client.get("/api/v1/search", params={"q": q, "per_page": 50})
    assert r.status_code == 200, r.text
    by_id = {v: k for k, v in courses.items()}
    return {by_id[h["id"]] for h in r.json()["hits"]}


@pytest.mark.parametrize(
    ("q", "wanted", "allowed"),
    [
        # Split as German, these fell apart into fragments that matched nothing ...
        ("Plege", {"pflegehelfer"}, {"pflegemanagement"}),
        ("Erziher", {"erzieher"}, set()),
        ("Pflgehelfer", {"pflegehelfer"}, set()),
        ("Hygine", {"hygiene"}, set()),
        # ... or into "en" and "sch", which matched nearly everything.
        ("Englsch", {"englisch"}, {"schulabschluss"}),
    ],
)
def test_a_typo_in_a_common_word_finds_that_word_and_only_it(
    client: TestClient, courses: dict[str, int], q: str, wanted: set[str], allowed: set[str]
) -> None:
    found = _found(client, courses, q)
    assert wanted <= found, found
    assert found <= wanted | allowed, found


def test_a_word_the_catalogue_lacks_finds_nothing(
    client: TestClient, courses: dict[str, int]
) -> None:
    # Split as German, "Gabel-stapler" met "Vor-gaben" in the Pflegemanagement course.
    assert _found(client, courses, "Gabelstapler") == set()


def test_a_correct_word_does_not_find_words_two_letters_away(
    client: TestClient, courses: dict[str, int]
) -> None:
    # With two typos allowed from 8 letters, "Schweißen" also found "schreiben".
    assert _found(client, courses, "Schweißen") == {"schweissen"}
    assert _found(client, courses, "Schweisen") == {"schweissen"}


@pytest.mark.parametrize(
    ("q", "wanted"),
    [
        ("Management", {"pflegemanagement"}),
        ("Buchhaltung", {"lohn"}),
        ("Hygiene", {"hygiene"}),
    ],
)
def test_a_part_of_a_compound_finds_the_compound(
    client: TestClient, courses: dict[str, int], q: str, wanted: set[str]
) -> None:
    assert _found(client, courses, q) == wanted


def test_a_part_of_a_compound_suggests_the_compound(
    client: TestClient, courses: dict[str, int]
) -> None:
    r = client.get("/api/v1/suggest", params={"q": "Management"})
    assert r.status_code == 200, r.text
    assert [s["offer_id"] for s in r.json()["suggestions"]] == [courses["pflegemanagement"]]


def test_a_query_sent_without_locales_is_not_split_either(
    courses: dict[str, int], search_index: SearchIndex
) -> None:
    # The monitoring builds its own queries; the backend adds the locales they lack.
    from app.search import service

    query = {"indexUid": search_index.uid, "q": "Erziher", "filter": f"{f.PRIMARY} = true"}
    [result] = asyncio.run(service.backend().multi_search([query]))
    assert [h[f.OFFER_ID] for h in result["hits"]] == [courses["erzieher"]]


def test_a_deployed_index_split_throughout_is_narrowed_on_the_next_start(
    search_index: SearchIndex,
) -> None:
    index = search_index.client.index(search_index.uid)
    old = [{"attributePatterns": ["*"], "locales": ["deu"]}]
    wait(search_index.client, call(index.update_localized_attributes, old))
    create_index_with_settings(search_index.client, search_index.uid)  # what a start does
    applied = [
        {"attributePatterns": a.attribute_patterns, "locales": a.locales}
        for a in index.get_localized_attributes() or []
    ]
    assert applied == LOCALIZED_ATTRIBUTES

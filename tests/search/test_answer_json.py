"""The search answer is written by orjson (app.models.search.SearchResult.as_json) for speed;
its bytes must be the ones pydantic writes for the documented model."""

from datetime import date
from decimal import Decimal

import pytest

from app.models.search import FacetValue, HitLocation, SearchHit, SearchResult
from tests.conftest import search_hit


def _hit(n: int, **changes: object) -> SearchHit:
    """A hit with every field filled (each one is written), then `changes`."""
    every_field: dict[str, object] = {
        "id": n,
        "title": f"Kurs {n} – Übung <b>&</b> \"Zitat\" 'ja' \u2028",
        "provider_id": 7,
        "category": "languages",
        "category_label": "Sprachen",
        "education_type": "course",
        "next_start": date(2027, 1, 31),
        "location": HitLocation(
            name="VHS", postcode="44787", city="Bochum", lat=51.481845, lon=7.216236
        ),
        "price": Decimal("1234.50"),
        "funding": ["bildungsgutschein"],
        "distance_km": 3.1,
        "also_offered_by": ["IHK Bochum"],
        "azav": True,
        "azav_valid_until": date(2028, 6, 30),
        "azav_certifier": "CERTQUA",
        "certificates": ["ISO 9001"],
        "free_seats": 4,
        "snippet": "ein <mark>Deutsch</mark>kurs …",
        "title_html": "<mark>Kurs</mark>",
    }
    return search_hit(**(every_field | changes))


@pytest.mark.parametrize(
    "hits",
    [
        [],
        [_hit(1)],
        [
            _hit(2, price=None, location=None, city=None, distance_km=None, next_start=None),
            _hit(3, price=Decimal("0.00"), azav_valid_until=None, free_seats=None),
            _hit(4, price=Decimal("99.99"), location=HitLocation(approximate=True)),
            _hit(5, distance_km=0.1 + 0.2, location=HitLocation(lat=1e-7, lon=-179.999999)),
            _hit(6, funding=[], also_offered_by=[], certificates=[], title="🙂 emoji"),
        ],
    ],
)
def test_the_answer_is_what_pydantic_writes(hits: list[SearchHit]) -> None:
    result = SearchResult.model_construct(
        total=123_456,
        page=2,
        per_page=20,
        hits=hits,
        facets={
            "category": [FacetValue(value="languages", label="Sprachen", count=12)],
            "funding": [],
        },
    )
    assert result.as_json() == result.model_dump_json().encode()
    assert result.as_json() is result.as_json()  # written once


def test_an_unknown_value_is_refused_not_written() -> None:
    result = SearchResult.model_construct(
        total=1, page=1, per_page=1, hits=[_hit(1, price=object())], facets={}
    )
    with pytest.raises(TypeError):
        result.as_json()

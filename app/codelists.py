"""Every code list of the catalogue as one table: code, German and English label, and where the
BA's open-Qcat value lists (Wertebereiche) have an equivalent, its code there.

The enums, label dicts and `label()` below are derived from the tables; the open-Qcat maps that
the importer and exporter use are derived in app/services/interop/openqcat_codes.py.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class OpenQcat:
    """A code's equivalent in one of the BA's open-Qcat value lists."""

    value_list: str  # the BA file without ".dat" (bildungsart …), or "systematik" (BA Systematik)
    code: str  # what an export writes
    # The BA code is broader than ours and belongs to another row of the list: an import reads
    # it as that row (evening courses export as "Teilzeit" and come back as part time).
    shared: bool = False
    also: tuple[str, ...] = ()  # further BA codes an import reads as this row


@dataclass(frozen=True, slots=True)
class Code:
    """One row of a code list: what a citizen reads in German and English, and the BA's code."""

    code: str
    de: str
    en: str
    openqcat: OpenQcat | None = None  # None: the BA list has no equivalent (or there is no list)
    # Funding only: what to do to get it, in plain words (shown on offer pages).
    explanation_de: str | None = None
    explanation_en: str | None = None


@dataclass(frozen=True, slots=True)
class CodeList:
    name: str  # as in CODE_LISTS and GET /api/v1/codelists
    rows: tuple[Code, ...]
    enum: type[StrEnum] | None = None  # the lists that have one must match it exactly

    def __post_init__(self) -> None:
        # Checked on import, so a row added without its enum member (or the reverse) never runs.
        codes = self.codes()
        if len(set(codes)) != len(codes):
            raise ValueError(f"code list {self.name}: duplicate codes")
        if self.enum is not None and codes != tuple(m.value for m in self.enum):
            raise ValueError(f"code list {self.name}: rows and {self.enum.__name__} differ")
        for row in self.rows:
            if not row.de.strip() or not row.en.strip():
                raise ValueError(f"code list {self.name}: {row.code!r} lacks a label")

    def codes(self) -> tuple[str, ...]:
        return tuple(str(row.code) for row in self.rows)

    def labels(self, lang: str = "de") -> dict[str, str]:
        """Code → label in `lang` ("de" or "en"; anything else falls back to German)."""
        english = lang == "en"
        return {str(row.code): row.en if english else row.de for row in self.rows}


class OrganisationKind(StrEnum):
    provider = "provider"
    vhs = "vhs"
    chamber = "chamber"
    jobcentre = "jobcentre"
    employment_agency = "employment_agency"
    university = "university"
    agency = "agency"
    other = "other"


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


class Funding(StrEnum):
    bildungsgutschein = "bildungsgutschein"
    aufstiegs_bafoeg = "aufstiegs_bafoeg"
    bildungsscheck_nrw = "bildungsscheck_nrw"
    qualifizierungschancengesetz = "qualifizierungschancengesetz"
    qualifizierungsgeld = "qualifizierungsgeld"
    other = "other"


class Format(StrEnum):
    in_person = "in_person"
    online = "online"
    blended = "blended"


class Schedule(StrEnum):
    full_time = "full_time"
    part_time = "part_time"
    evening = "evening"
    weekend = "weekend"
    flexible = "flexible"


class OfferStatus(StrEnum):
    submitted = "submitted"
    published = "published"
    rejected = "rejected"
    withdrawn = "withdrawn"
    archived = "archived"


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


class LinkKind(StrEnum):
    attachment = "attachment"
    picture = "picture"
    video = "video"
    registration = "registration"
    other = "other"


_K, _C, _E, _F, _S, _O = OrganisationKind, Category, EducationType, Format, Schedule, OfferStatus


def _zugehoerig(code: str) -> OpenQcat:
    return OpenQcat("zugehoerig", code)  # written by the export only; the import ignores it


ORGANISATION_KINDS = CodeList(
    "organisation_kind",
    (
        Code(_K.provider, "Weiterbildungsträger", "Training provider", _zugehoerig("2")),
        Code(
            _K.vhs, "Volkshochschule", "Adult education centre (Volkshochschule)", _zugehoerig("1")
        ),
        Code(
            _K.chamber,
            "Kammer (IHK/HWK)",
            "Chamber of commerce or crafts (IHK/HWK)",
            _zugehoerig("3"),
        ),
        Code(_K.jobcentre, "Jobcenter", "Jobcentre", _zugehoerig("1")),
        Code(
            _K.employment_agency,
            "Agentur für Arbeit",
            "Employment agency (Agentur für Arbeit)",
            _zugehoerig("1"),
        ),
        Code(_K.university, "Hochschule", "University", _zugehoerig("1")),
        Code(
            _K.agency,
            "Regionalagentur / Bildungsbüro",
            "Regional agency / education office",
            _zugehoerig("1"),
        ),
        Code(_K.other, "Sonstige", "Other", _zugehoerig("0")),
    ),
    OrganisationKind,
)


def _systematik(code: str) -> OpenQcat:
    # The export writes one BA Systematik code per category; the import reads any Systematik
    # code by the rules in openqcat_codes.category_for_systematik.
    return OpenQcat("systematik", code)


CATEGORIES = CodeList(
    "category",
    (
        Code(_C.it_digital, "IT und Digitales", "IT and digital skills", _systematik("C 1410-10")),
        Code(
            _C.business_admin,
            "Kaufmännisches und Verwaltung",
            "Business and administration",
            _systematik("C 0210-10"),
        ),
        Code(
            _C.accounting_finance,
            "Buchhaltung, Steuern und Finanzen",
            "Accounting, tax and finance",
            _systematik("C 0215-10-10"),
        ),
        Code(_C.health_care, "Gesundheit und Pflege", "Health and care", _systematik("C 1025-10")),
        Code(
            _C.social_education,
            "Soziales und Pädagogik",
            "Social work and education",
            _systematik("C 2615-10-10"),
        ),
        Code(_C.languages, "Fremdsprachen", "Foreign languages", _systematik("C 3425-10")),
        Code(
            _C.german_integration,
            "Deutsch und Integration",
            "German and integration",
            _systematik("C 3420-10"),
        ),
        Code(
            _C.technology_trades,
            "Technik, Metall und Elektro",
            "Engineering, metal and electrical work",
            _systematik("C 2410-10"),
        ),
        Code(
            _C.logistics_transport,
            "Lager, Logistik und Verkehr",
            "Warehousing, logistics and transport",
            _systematik("C 1618-10"),
        ),
        Code(
            _C.construction_energy,
            "Bau, Energie und Umwelt",
            "Construction, energy and environment",
            _systematik("C 0015-10"),
        ),
        Code(
            _C.management_leadership,
            "Management und Führung",
            "Management and leadership",
            _systematik("C 3220-10"),
        ),
        Code(
            _C.sales_marketing,
            "Vertrieb, Marketing und Medien",
            "Sales, marketing and media",
            _systematik("C 2215-10-10"),
        ),
        Code(
            _C.hospitality_tourism,
            "Gastronomie, Hotel und Tourismus",
            "Catering, hotels and tourism",
            _systematik("C 0810-10"),
        ),
        # The Systematik has no branch of its own for it: the export adds a keyword that the
        # import reads back (openqcat_codes.BASIC_EDUCATION_KEYWORD).
        Code(
            _C.basic_education,
            "Grundbildung (Lesen, Schreiben, Rechnen)",
            "Basic skills (reading, writing, maths)",
            _systematik("C 3210-10"),
        ),
        Code(
            _C.school_degrees,
            "Schulabschlüsse nachholen",
            "School-leaving qualifications for adults",
            _systematik("A 4.NRW-44"),
        ),
        Code(
            _C.personal_development,
            "Persönliche Kompetenzen",
            "Personal skills",
            _systematik("C 3215-10-10"),
        ),
        Code(_C.other, "Sonstiges", "Other", _systematik("Z 99")),
    ),
    Category,
)


def _bildungsart(code: str, *, shared: bool = False, also: tuple[str, ...] = ()) -> OpenQcat:
    return OpenQcat("bildungsart", code, shared=shared, also=also)


EDUCATION_TYPES = CodeList(
    "education_type",
    (
        # 106 Rehabilitation: vocational rehabilitation updates skills too.
        Code(
            _E.anpassungsweiterbildung,
            "Anpassungsweiterbildung",
            "Upskilling",
            _bildungsart("104", also=("106",)),
        ),
        Code(
            _E.aufstiegsweiterbildung,
            "Aufstiegsweiterbildung",
            "Career advancement training",
            _bildungsart("103"),
        ),
        # 102 Berufsausbildung: an adult's vocational training is a retraining here.
        Code(_E.umschulung, "Umschulung", "Retraining", _bildungsart("109", also=("102",))),
        Code(
            _E.teilqualifizierung,
            "Teilqualifizierung",
            "Vocational qualification in modules",
            _bildungsart("105"),
        ),
        Code(_E.sprachkurs, "Sprachkurs", "Language course", _bildungsart("110")),
        Code(_E.grundbildung, "Grundbildung", "Basic skills", _bildungsart("101")),
        # 104 Fortbildung/Qualifizierung comes back as Anpassungsweiterbildung.
        Code(_E.seminar, "Seminar", "Seminar", _bildungsart("104", shared=True)),
        # 107 grundständig (first degree) and 108 weiterführend (further degree).
        Code(_E.studium, "Studium", "Degree programme", _bildungsart("108", also=("107",))),
        Code(
            _E.schulabschluss,
            "Schulabschluss",
            "School-leaving qualification",
            _bildungsart("100"),
        ),
        Code(
            _E.aktivierung,
            "Aktivierung und berufliche Eingliederung",
            "Help getting back into work",
            _bildungsart("130"),
        ),
    ),
    EducationType,
)

FUNDINGS = CodeList(
    "funding",
    (
        Code(
            Funding.bildungsgutschein,
            "Bildungsgutschein",
            "Education voucher (Bildungsgutschein)",
            # 12 Arbeitslosengeld bei beruflicher Weiterbildung: paid alongside the voucher.
            OpenQcat("foerderartenbund", "2", also=("12",)),
            "Die Agentur für Arbeit oder das Jobcenter kann die Kosten übernehmen. "
            "Fragen Sie dort nach einem Bildungsgutschein, bevor Sie sich anmelden.",
            "The employment agency (Agentur für Arbeit) or the jobcentre can pay the costs. "
            "Ask them for an education voucher before you sign up.",
        ),
        Code(
            Funding.aufstiegs_bafoeg,
            "Aufstiegs-BAföG",
            "Aufstiegs-BAföG (grant for advancement training)",
            OpenQcat("foerderartenbund", "1"),
            "Für Aufstiegsfortbildungen (z. B. Meister, Fachwirt) gibt es staatliche Zuschüsse "
            "und Darlehen, unabhängig vom Alter. Antrag beim Amt für Ausbildungsförderung.",
            "For advancement training (such as Meister or Fachwirt) the state gives grants and "
            "loans, whatever your age. Apply at the Amt für Ausbildungsförderung.",
        ),
        Code(
            Funding.bildungsscheck_nrw,
            "Bildungsscheck NRW",
            "Education cheque NRW (Bildungsscheck)",
            # NRW's "Weiterbildungsscheck" (code 52) is the Bildungsscheck NRW's successor.
            OpenQcat("foerderartenland", "52"),
            "Das Land NRW übernimmt einen Teil der Kosten für Beschäftigte. "
            "Eine Beratungsstelle stellt den Bildungsscheck aus.",
            "The state of North Rhine-Westphalia pays part of the costs if you are employed. "
            "A counselling centre issues the cheque.",
        ),
        Code(
            Funding.qualifizierungschancengesetz,
            "Qualifizierungschancengesetz",
            "Training funding for employees (Qualifizierungschancengesetz)",
            OpenQcat("foerderartenbund", "11"),
            "Wenn Sie beschäftigt sind, kann die Agentur für Arbeit die Weiterbildung und "
            "einen Zuschuss zum Lohn fördern. Sprechen Sie mit Ihrem Arbeitgeber.",
            "If you are employed, the employment agency can pay for the training and part of "
            "your wages. Talk to your employer.",
        ),
        Code(
            Funding.qualifizierungsgeld,
            "Qualifizierungsgeld",
            "Qualification allowance (Qualifizierungsgeld)",
            OpenQcat("foerderartenbund", "8"),
            "Bei Umbrüchen im Betrieb kann die Agentur für Arbeit während der Weiterbildung "
            "Qualifizierungsgeld zahlen. Ihr Arbeitgeber muss es beantragen.",
            "If your workplace is going through major change, the employment agency can pay "
            "an allowance while you train. Your employer has to apply for it.",
        ),
        # No BA code means "other": the import records unknown funding codes as this one.
        Code(
            Funding.other,
            "Sonstige Förderung",
            "Other funding",
            None,
            "Es gibt eine weitere Fördermöglichkeit. Fragen Sie den Anbieter.",
            "Other funding may be available. Ask the provider.",
        ),
    ),
    Funding,
)

FORMATS = CodeList(
    "format",
    (
        Code(_F.in_person, "vor Ort (Präsenz)", "in person", OpenQcat("durchfuehrungsform", "1")),
        Code(_F.online, "online", "online", OpenQcat("durchfuehrungsform", "2")),
        Code(
            _F.blended,
            "gemischt (vor Ort und online)",
            "mixed (in person and online)",
            OpenQcat("durchfuehrungsform", "3"),
        ),
    ),
    Format,
)


def _unterrichtszeit(code: str, *, shared: bool = False) -> OpenQcat:
    return OpenQcat("unterrichtszeit", code, shared=shared)


# unterrichtszeit.dat knows only Vollzeit (1) and Teilzeit (2); evening, weekend and flexible
# courses are part time there.
SCHEDULES = CodeList(
    "schedule",
    (
        Code(_S.full_time, "Vollzeit", "full-time", _unterrichtszeit("1")),
        Code(_S.part_time, "Teilzeit", "part-time", _unterrichtszeit("2")),
        Code(_S.evening, "abends", "evenings", _unterrichtszeit("2", shared=True)),
        Code(_S.weekend, "am Wochenende", "at weekends", _unterrichtszeit("2", shared=True)),
        Code(
            _S.flexible, "zeitlich flexibel", "flexible hours", _unterrichtszeit("2", shared=True)
        ),
    ),
    Schedule,
)

OFFER_STATUSES = CodeList(
    "status",
    (
        Code(_O.submitted, "in Prüfung", "under review"),
        Code(_O.published, "veröffentlicht", "published"),
        Code(_O.rejected, "abgelehnt", "rejected"),
        Code(_O.withdrawn, "zurückgezogen", "withdrawn"),
        Code(_O.archived, "archiviert", "archived"),
    ),
    OfferStatus,
)


def _language(code: str, de: str, en: str, *, ba: str | None = "") -> Code:
    """A teaching language with its code in unterrichtssprache.dat: the same code (default),
    another one (`ba`: the BA list's spelling), or None where the BA list has no such row."""
    if ba is None:
        return Code(code, de, en)
    return Code(code, de, en, OpenQcat("unterrichtssprache", ba or code))


# Real ISO codes only: ISO 639-2/B as in unterrichtssprache.dat, ISO 639-3 for German Sign
# Language (639-2 has none of its own) and `mis` (ISO 639-2: a language without a code here)
# for "another language". The BA list's own spellings svk, dgs and oth stay its codes.
TEACHING_LANGUAGES = CodeList(
    "language",
    (
        _language("deu", "Deutsch", "German"),
        _language("eng", "Englisch", "English"),
        _language("fra", "Französisch", "French"),
        _language("nld", "Niederländisch", "Dutch"),
        _language("dan", "Dänisch", "Danish"),
        _language("nor", "Norwegisch", "Norwegian"),
        _language("swe", "Schwedisch", "Swedish"),
        _language("pol", "Polnisch", "Polish"),
        _language("ita", "Italienisch", "Italian"),
        _language("cze", "Tschechisch", "Czech"),
        _language("slo", "Slowakisch", "Slovak", ba="svk"),
        _language("ukr", "Ukrainisch", "Ukrainian"),
        _language("rus", "Russisch", "Russian"),
        _language("spa", "Spanisch", "Spanish"),
        _language("tur", "Türkisch", "Turkish", ba=None),
        _language("ara", "Arabisch", "Arabic", ba=None),
        _language("per", "Persisch (Farsi)", "Persian (Farsi)", ba=None),
        _language("rum", "Rumänisch", "Romanian", ba=None),
        _language("bul", "Bulgarisch", "Bulgarian", ba=None),
        _language("gre", "Griechisch", "Greek", ba=None),
        _language("gsg", "Deutsche Gebärdensprache (DGS)", "German Sign Language (DGS)", ba="dgs"),
        _language("mis", "andere Sprache", "other language", ba="oth"),
    ),
)

# open-Qcat has target groups only as free text (TARGET_GROUP_TEXT).
TARGET_GROUPS = CodeList(
    "target_group",
    (
        Code("jobseekers", "Arbeitsuchende", "Jobseekers"),
        Code("employees", "Beschäftigte", "Employees"),
        Code("career_changers", "Berufswechsler/innen", "Career changers"),
        Code("returners", "Berufsrückkehrer/innen", "People returning to work"),
        Code("parents", "Eltern", "Parents"),
        Code("migrants", "Zugewanderte", "People new to Germany"),
        Code("young_adults", "junge Erwachsene", "Young adults"),
        Code("seniors", "Ältere", "Older people"),
        Code("executives", "Führungskräfte", "Managers"),
        Code("self_employed", "Selbstständige", "Self-employed people"),
        Code("people_with_disabilities", "Menschen mit Behinderung", "People with disabilities"),
        Code("everyone", "alle Interessierten", "Anyone interested"),
    ),
)

# Open-vhs: the DVV's programme areas (Programmbereiche), the first digit of a DVV category
# (Kategorie version 2.0). Offers keep the full code ("4.06"); the areas label it.
DVV_AREAS = CodeList(
    "dvv_category",
    (
        Code("1", "Politik – Gesellschaft – Umwelt", "Politics – society – environment"),
        Code("2", "Kultur – Gestalten", "Culture – creative arts"),
        Code("3", "Gesundheit", "Health"),
        Code("4", "Sprachen", "Languages"),
        Code("5", "Arbeit – Beruf", "Work – career"),
        Code("6", "Grundbildung – Schulabschlüsse", "Basic skills – school-leaving qualifications"),
    ),
)

# Common European Framework of Reference (GER) levels, as the level facet shows them.
CEFR_LEVELS = CodeList(
    "level",
    (
        Code("A1", "A1 – Einstieg", "A1 – beginner"),
        Code("A2", "A2 – Grundkenntnisse", "A2 – elementary"),
        Code("B1", "B1 – Mittelstufe", "B1 – intermediate"),
        Code("B2", "B2 – gute Mittelstufe", "B2 – upper intermediate"),
        Code("C1", "C1 – fortgeschritten", "C1 – advanced"),
        Code("C2", "C2 – nahezu muttersprachlich", "C2 – proficient"),
    ),
)

WEEKDAYS = CodeList(
    "weekday",
    (
        Code(Weekday.mon, "Montag", "Monday"),
        Code(Weekday.tue, "Dienstag", "Tuesday"),
        Code(Weekday.wed, "Mittwoch", "Wednesday"),
        Code(Weekday.thu, "Donnerstag", "Thursday"),
        Code(Weekday.fri, "Freitag", "Friday"),
        Code(Weekday.sat, "Samstag", "Saturday"),
        Code(Weekday.sun, "Sonntag", "Sunday"),
    ),
    Weekday,
)

LINK_KINDS = CodeList(
    "link_kind",
    (
        Code(LinkKind.attachment, "Anhang", "Attachment"),
        Code(LinkKind.picture, "Bild", "Picture"),
        Code(LinkKind.video, "Video", "Video clip"),
        Code(LinkKind.registration, "Anmeldung", "Registration"),
        Code(LinkKind.other, "Link", "Web link"),
    ),
    LinkKind,
)

# In the order GET /api/v1/codelists lists them.
TABLES: dict[str, CodeList] = {
    t.name: t
    for t in (
        ORGANISATION_KINDS,
        CATEGORIES,
        EDUCATION_TYPES,
        FUNDINGS,
        FORMATS,
        SCHEDULES,
        TEACHING_LANGUAGES,
        TARGET_GROUPS,
        OFFER_STATUSES,
        DVV_AREAS,
        CEFR_LEVELS,
        WEEKDAYS,
        LINK_KINDS,
    )
}

ORGANISATION_KIND_LABELS = ORGANISATION_KINDS.labels("de")
CATEGORY_LABELS = CATEGORIES.labels("de")
EDUCATION_TYPE_LABELS = EDUCATION_TYPES.labels("de")
FUNDING_LABELS = FUNDINGS.labels("de")
FORMAT_LABELS = FORMATS.labels("de")
SCHEDULE_LABELS = SCHEDULES.labels("de")
OFFER_STATUS_LABELS = OFFER_STATUSES.labels("de")
LANGUAGE_LABELS = TEACHING_LANGUAGES.labels("de")
TARGET_GROUP_LABELS = TARGET_GROUPS.labels("de")
DVV_AREA_LABELS = DVV_AREAS.labels("de")
CEFR_LEVEL_LABELS = CEFR_LEVELS.labels("de")

ORGANISATION_KIND_LABELS_EN = ORGANISATION_KINDS.labels("en")
CATEGORY_LABELS_EN = CATEGORIES.labels("en")
EDUCATION_TYPE_LABELS_EN = EDUCATION_TYPES.labels("en")
FUNDING_LABELS_EN = FUNDINGS.labels("en")
FORMAT_LABELS_EN = FORMATS.labels("en")
SCHEDULE_LABELS_EN = SCHEDULES.labels("en")
OFFER_STATUS_LABELS_EN = OFFER_STATUSES.labels("en")
LANGUAGE_LABELS_EN = TEACHING_LANGUAGES.labels("en")
TARGET_GROUP_LABELS_EN = TARGET_GROUPS.labels("en")
CEFR_LEVEL_LABELS_EN = CEFR_LEVELS.labels("en")

# Plain-language explanations shown to citizens on offer pages.
FUNDING_EXPLANATIONS: dict[str, str] = {
    str(row.code): row.explanation_de or "" for row in FUNDINGS.rows
}
FUNDING_EXPLANATIONS_EN: dict[str, str] = {
    str(row.code): row.explanation_en or "" for row in FUNDINGS.rows
}

CODE_LISTS: dict[str, dict[str, str]] = {name: t.labels("de") for name, t in TABLES.items()}
CODE_LISTS_EN: dict[str, dict[str, str]] = {name: t.labels("en") for name, t in TABLES.items()}


def label(list_name: str, code: str | None, lang: str = "de") -> str | None:
    """The label of `code` in `lang` ("de" or "en"); an unknown code is returned as it is."""
    if code is None:
        return None
    lists = CODE_LISTS_EN if lang == "en" else CODE_LISTS
    return lists[list_name].get(code, code)

"""Everything open-Qcat about our code lists, in one place: the maps the importer and exporter
use (derived from the BA codes in app/codelists.py's tables), the BA Systematik → category
rules, the secondary value lists (unterrichtsform, dauerklassen …) and text repairs."""

import re

from app.codelists import (
    CATEGORIES,
    EDUCATION_TYPES,
    FORMATS,
    FUNDINGS,
    ORGANISATION_KINDS,
    SCHEDULES,
    TEACHING_LANGUAGES,
    CodeList,
)


def codes_to_openqcat(table: CodeList, value_list: str) -> dict[str, str]:
    """Our code → the BA code an export writes, for the rows of `table` in `value_list`."""
    return {
        str(row.code): row.openqcat.code
        for row in table.rows
        if row.openqcat is not None and row.openqcat.value_list == value_list
    }


def openqcat_to_codes(table: CodeList, value_list: str) -> dict[str, str]:
    """BA code → our code, for an import: each row's own code unless it is shared with
    another row, plus the further codes the row reads."""
    result: dict[str, str] = {}
    for row in table.rows:
        oq = row.openqcat
        if oq is None or oq.value_list != value_list:
            continue
        for ba_code in (() if oq.shared else (oq.code,)) + oq.also:
            if ba_code in result:
                raise ValueError(f"{value_list} code {ba_code!r} read as two {table.name} codes")
            result[ba_code] = str(row.code)
    return result


# bildungsart.dat
EDUCATION_TYPE_TO_OPENQCAT = codes_to_openqcat(EDUCATION_TYPES, "bildungsart")
OPENQCAT_TO_EDUCATION_TYPE = openqcat_to_codes(EDUCATION_TYPES, "bildungsart")
# foerderartenbund.dat and foerderartenland.dat
FUNDING_TO_OPENQCAT_FEDERAL = codes_to_openqcat(FUNDINGS, "foerderartenbund")
OPENQCAT_FEDERAL_TO_FUNDING = openqcat_to_codes(FUNDINGS, "foerderartenbund")
FUNDING_TO_OPENQCAT_REGIONAL = codes_to_openqcat(FUNDINGS, "foerderartenland")
OPENQCAT_REGIONAL_TO_FUNDING = openqcat_to_codes(FUNDINGS, "foerderartenland")
# durchfuehrungsform.dat
FORMAT_TO_OPENQCAT = codes_to_openqcat(FORMATS, "durchfuehrungsform")
OPENQCAT_TO_FORMAT = openqcat_to_codes(FORMATS, "durchfuehrungsform")
# unterrichtszeit.dat
SCHEDULE_TO_OPENQCAT = codes_to_openqcat(SCHEDULES, "unterrichtszeit")
OPENQCAT_TO_SCHEDULE = openqcat_to_codes(SCHEDULES, "unterrichtszeit")
# unterrichtssprache.dat: the teaching languages it knows, in its spelling (svk, dgs, oth for
# our ISO codes slo, gsg, mis); languages it does not know are exported by their ISO code.
LANGUAGE_TO_OPENQCAT = codes_to_openqcat(TEACHING_LANGUAGES, "unterrichtssprache")
OPENQCAT_TO_LANGUAGE = openqcat_to_codes(TEACHING_LANGUAGES, "unterrichtssprache")
OPENQCAT_LANGUAGES: frozenset[str] = frozenset(LANGUAGE_TO_OPENQCAT.values())
# zugehoerig.dat (organisational form of the institution) for our organisation kinds.
ORGANISATION_KIND_TO_INSTITUTION = codes_to_openqcat(ORGANISATION_KINDS, "zugehoerig")

# unterrichtsform.dat codes grouped by our formats (used when DURCHFUEHRUNGSFORM is absent).
OPENQCAT_INSTRUCTION_FORM_TO_FORMAT: dict[str, str] = {
    **{c: "in_person" for c in ("1", "2", "3", "6", "7", "8", "9")},
    **{str(c): "in_person" for c in range(101, 106)},
    **{c: "online" for c in ("4", "5")},
    **{str(c): "online" for c in range(201, 207)},
    **{str(c): "blended" for c in range(301, 305)},
    **{str(c): "online" for c in range(401, 404)},
}

# The BA Systematik (Systematik.csv, 3,816 codes) compressed into rules: the tables below were
# derived once from the file's branches and labels, so nothing reads ../shared at run time.
# B, D, HA and HC codes carry a KldB 2010 occupation number: its first two (or three) digits
# name the occupational field.
KLDB_TO_CATEGORY: dict[str, str] = {
    "01": "other",
    "11": "other",
    "12": "other",
    "21": "technology_trades",
    "22": "technology_trades",
    "23": "technology_trades",
    "24": "technology_trades",
    "25": "technology_trades",
    "26": "technology_trades",
    "27": "technology_trades",
    "28": "technology_trades",
    "29": "hospitality_tourism",
    "31": "construction_energy",
    "32": "construction_energy",
    "33": "construction_energy",
    "34": "construction_energy",
    "41": "technology_trades",
    "42": "construction_energy",
    "43": "it_digital",
    "51": "logistics_transport",
    "52": "logistics_transport",
    "53": "other",
    "54": "other",
    "61": "sales_marketing",
    "62": "sales_marketing",
    "63": "hospitality_tourism",
    "71": "management_leadership",
    "72": "accounting_finance",
    "73": "business_admin",
    "81": "health_care",
    "82": "health_care",
    "83": "social_education",
    "84": "social_education",
    "91": "other",
    "92": "sales_marketing",
    "93": "other",
    "94": "other",
}
KLDB3_TO_CATEGORY: dict[str, str] = {
    "713": "business_admin",  # Unternehmensorganisation und -strategie
    "714": "business_admin",  # Büro und Sekretariat
    "715": "business_admin",  # Personalwesen
    "911": "languages",  # Sprach- und Literaturwissenschaften
    "262": "construction_energy",  # Energietechnik
}
# C codes: the BA's course classification (Kurssystematik), by two-digit block, then by group.
C_BLOCK_TO_CATEGORY: dict[str, str] = {
    "00": "construction_energy",
    "02": "business_admin",
    "04": "technology_trades",
    "06": "technology_trades",
    "08": "hospitality_tourism",
    "10": "health_care",
    "12": "technology_trades",
    "14": "it_digital",
    "16": "logistics_transport",
    "18": "other",
    "20": "technology_trades",
    "22": "sales_marketing",
    "24": "technology_trades",
    "26": "social_education",
    "28": "technology_trades",
    "30": "other",
    "32": "personal_development",
    "34": "languages",
}
C_GROUP_TO_CATEGORY: dict[str, str] = {
    "0045": "technology_trades",
    "0215": "accounting_finance",
    "0220": "accounting_finance",
    "0235": "management_leadership",
    "0240": "sales_marketing",
    "0420": "it_digital",
    "0425": "construction_energy",
    "0430": "construction_energy",
    "0435": "construction_energy",
    "0820": "sales_marketing",
    "1055": "other",
    "1610": "business_admin",
    "1845": "construction_energy",
    "1850": "hospitality_tourism",
    "2230": "other",
    "2240": "other",
    "2245": "other",
    "3025": "health_care",
    "3030": "other",
    "3220": "management_leadership",
    "3230": "other",
    "3235": "management_leadership",
    "3420": "german_integration",
}
MQ_TO_CATEGORY: dict[str, str] = {
    "01": "other",
    "02": "other",
    "03": "personal_development",
    "04": "business_admin",
    "05": "other",
    "06": "social_education",
    "07": "social_education",
    "08": "other",
    "09": "health_care",
    "10": "health_care",
    "11": "technology_trades",
    "12": "technology_trades",
    "13": "it_digital",
    "14": "technology_trades",
    "15": "business_admin",
}

# Keyword rules for codes we do not know (older files, typos): first match wins.
_KEYWORD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), c)
    for p, c in [
        (
            r"deutsch\s*(als|für|kurs|-)|integrationskurs|berufssprachkurs|\bdaz\b|\bdaf\b",
            "german_integration",
        ),
        (r"alphabetisierung|grundbildung|lesen und schreiben", "basic_education"),
        (r"schulabschluss|hauptschul|realschul|abitur|hochschulreife", "school_degrees"),
        (
            r"englisch|französisch|spanisch|italienisch|sprachkurs|fremdsprach|dolmetsch|"
            r"übersetz|polnisch|russisch|türkisch|arabisch|niederländisch",
            "languages",
        ),
        (
            r"buchhalt|buchführ|rechnungswesen|steuer|bilanz|lohn|finanz|controlling|datev|"
            r"lexware|jahresabschluss",
            "accounting_finance",
        ),
        (
            r"\bit\b|informatik|programmier|software|netzwerk|computer|\bpc\b|excel|word|"
            r"outlook|access|powerpoint|office|internet|e-mail|ecdl|daten|digital|sap\b|cad\b",
            "it_digital",
        ),
        (
            r"pflege|gesundheit|medizin|therap|massage|physio|bobath|feldenkrais|kinesiolog|"
            r"ernährung|taping|beckenboden|heilprakt|hygiene|walking|akupressur|thai",
            "health_care",
        ),
        (r"pädagog|erzieh|sozial|kita|betreuung|heilpädagog", "social_education"),
        (r"führung|management|leitung|meister|fachwirt|existenzgründ", "management_leadership"),
        (
            r"vertrieb|verkauf|marketing|werbung|call\s*center|kundenservice|medien|"
            r"journalis|handelsfachwirt",
            "sales_marketing",
        ),
        (
            r"lager|logistik|spedition|gabelstapler|berufskraftfahr|fahrer|verkehr",
            "logistics_transport",
        ),
        (
            r"\bbau|energie|umwelt|solar|photovoltaik|sanitär|heizung|architekt",
            "construction_energy",
        ),
        (
            r"elektro|metall|schweiß|cnc|mechatron|maschinen|technik|kfz|industrie",
            "technology_trades",
        ),
        (r"hotel|gastronom|koch|küche|tourismus|service", "hospitality_tourism"),
        (
            r"büro|sekretariat|verwaltung|kaufm|kauffrau|kaufmann|bürokommunikation|"
            r"schriftverkehr|personal",
            "business_admin",
        ),
        (
            r"bewerbung|persönlichkeit|kommunikation|rhetorik|präsentation|coaching|jobfit|"
            r"aktivierung",
            "personal_development",
        ),
    ]
]


def normalise_systematik_code(code: str) -> str:
    """`C  8968-g32` and `c 1415-10` spell codes the same way: single spaces, upper case."""
    return re.sub(r"\s+", " ", code.strip()).upper()


def category_for_systematik(code: str) -> str | None:
    """Our category for a BA Systematik code, or None when the code is not one we recognise."""
    code = normalise_systematik_code(code)
    match = re.match(r"^(A|B|D|HA|HC|C|MC|ME|MQ|SA|Z)\s?([0-9][0-9.]*)?", code)
    if match is None:
        return None
    branch, digits = match.group(1), (match.group(2) or "")
    if branch == "A":
        return "school_degrees"
    if branch in ("MC", "ME"):
        return "german_integration"
    if branch == "SA":
        return "personal_development"
    if branch == "Z":
        return "other"
    if branch == "MQ":
        return MQ_TO_CATEGORY.get(digits[:2])
    if branch == "C":
        if len(digits) < 4 or digits[:2] not in C_BLOCK_TO_CATEGORY:
            return None
        return C_GROUP_TO_CATEGORY.get(digits[:4]) or C_BLOCK_TO_CATEGORY[digits[:2]]
    # B, D, HA, HC: KldB occupation numbers
    if len(digits) < 5:
        return None
    return KLDB3_TO_CATEGORY.get(digits[:3]) or KLDB_TO_CATEGORY.get(digits[:2])


def category_from_text(*texts: str | None) -> str | None:
    """Guess a category from a classification label or a title; None when nothing fits."""
    for text in texts:
        if not text:
            continue
        for pattern, category in _KEYWORD_RULES:
            if pattern.search(text):
                return category
    return None


# The BA's labels of the Systematik codes the export writes (one per category, in the table).
SYSTEMATIK_LABELS: dict[str, str] = {
    "C 1410-10": "Computer-/IT-Grundlagen",
    "C 0210-10": "Büro, Sekretariat - allgemein",
    "C 0215-10-10": "Buchführung - allgemein",
    "C 1025-10": "Kranken-, Altenpflege - Grundqualifizierung",
    "C 2615-10-10": "Elementarpädagogik/-erziehung - allgemein",
    "C 3425-10": "Englisch - Grundlagen",
    "C 3420-10": "Deutsch - allgemein",
    "C 2410-10": "Metallbe- und -verarbeitung - allgemein",
    "C 1618-10": "Logistik - allgemein",
    "C 0015-10": "Bautechnik - allgemein",
    "C 3220-10": "Mitarbeiterführung - allgemein",
    "C 2215-10-10": "Journalistik, Publizistik - allgemein",
    "C 0810-10": "Hotel- und Gaststättengewerbe - Grundlagen",
    "C 3210-10": "Arbeitstechniken und -organisation",
    "A 4.NRW-44": "Weitere Bildungsangebote des 2. Bildungswegs (mittlerer Schulabschluss)",
    "C 3215-10-10": "Persönlichkeitsentwicklung",
    "Z 99": "nicht zugeordnet",
}
# One Systematik code per category for the export; each maps back to its category.
CATEGORY_TO_SYSTEMATIK: dict[str, tuple[str, str]] = {
    category: (code, SYSTEMATIK_LABELS[code])
    for category, code in codes_to_openqcat(CATEGORIES, "systematik").items()
}
# basic_education has no branch of its own: the export adds this keyword and the import
# reads it back, so the category survives a round trip.
BASIC_EDUCATION_KEYWORD = "Grundbildung"

# unterrichtsform.dat codes we write for our formats (the 2021 digital-era codes).
FORMAT_TO_INSTRUCTION_FORM: dict[str, tuple[str, str]] = {
    "in_person": ("101", "Präsenzunterricht"),
    "online": ("201", "Virtuelles Klassenzimmer"),
    "blended": ("301", "Blended Learning"),
}
# Old files say weekend courses with unterrichtsform 3 and full/part time with 1 and 2.
INSTRUCTION_FORM_TO_SCHEDULE: dict[str, str] = {"1": "full_time", "2": "part_time", "3": "weekend"}
# zertstatus.dat: 1 = approved for the Bildungsgutschein (AZAV).
CERTIFICATE_APPROVED = "1"

# dauerklassen.dat upper bounds in days.
DURATION_CLASSES: list[tuple[int, str]] = [
    (3, "1"),
    (7, "2"),
    (31, "3"),
    (92, "4"),
    (183, "5"),
    (366, "6"),
    (731, "7"),
    (1096, "8"),
]


def duration_class(days: int | None) -> str:
    """dauerklassen.dat code for a run of `days` days (0 = no statement)."""
    if days is None or days < 0:
        return "0"
    for limit, code in DURATION_CLASSES:
        if days + 1 <= limit:
            return code
    return "9"


_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf]")


def repair_double_encoding(text: str) -> tuple[str, bool]:
    """Undo UTF-8 read as Latin-1 (`fÃ¼r` → `für`); returns the text and whether it changed."""
    if not _MOJIBAKE.search(text):
        return text, False
    for codec in ("latin-1", "cp1252"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return fixed, fixed != text
    return text, False

"""The code list tables: every code has its labels and its open-Qcat equivalent, the derived
enums and maps agree with the tables, and every BA code we use exists in the BA's value lists."""

import re
from functools import cache
from pathlib import Path

import pytest

from app import codelists
from app.codelists import LANGUAGE_LABELS, TABLES, CodeList
from app.services.interop import openqcat_codes as oq

OPENQCAT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "openqcat"

# Lists whose codes are enums elsewhere in the code base.
ENUMS = {
    "organisation_kind": codelists.OrganisationKind,
    "category": codelists.Category,
    "education_type": codelists.EducationType,
    "funding": codelists.Funding,
    "format": codelists.Format,
    "schedule": codelists.Schedule,
    "status": codelists.OfferStatus,
    "weekday": codelists.Weekday,
    "link_kind": codelists.LinkKind,
}
# Codes without an open-Qcat equivalent, and why.
WITHOUT_OPENQCAT = {
    # the BA lists name specific programmes only; unknown ones are imported as "other"
    "funding": {"other"},
    # unterrichtssprache.dat knows 16 languages; these are written as they are all the same
    "language": {"tur", "ara", "per", "rum", "bul", "gre"},
    # open-Qcat has target groups only as free text
    "target_group": set(TABLES["target_group"].codes()),
    # an internal workflow state
    "status": set(TABLES["status"].codes()),
    # Open-vhs vocabulary (DVV programme areas, CEFR levels) and course details open-Qcat lacks
    "dvv_category": set(TABLES["dvv_category"].codes()),
    "level": set(TABLES["level"].codes()),
    "weekday": set(TABLES["weekday"].codes()),
    "link_kind": set(TABLES["link_kind"].codes()),
}
# (list, code) whose BA code is broader and is read back as another code of the list.
SHARED = {
    ("education_type", "seminar"): "anpassungsweiterbildung",
    ("schedule", "evening"): "part_time",
    ("schedule", "weekend"): "part_time",
    ("schedule", "flexible"): "part_time",
}
# The value lists the import reads, with the map it reads them through.
IMPORT_MAPS = {
    ("education_type", "bildungsart"): oq.OPENQCAT_TO_EDUCATION_TYPE,
    ("funding", "foerderartenbund"): oq.OPENQCAT_FEDERAL_TO_FUNDING,
    ("funding", "foerderartenland"): oq.OPENQCAT_REGIONAL_TO_FUNDING,
    ("format", "durchfuehrungsform"): oq.OPENQCAT_TO_FORMAT,
    ("schedule", "unterrichtszeit"): oq.OPENQCAT_TO_SCHEDULE,
}
EXPORT_MAPS = {
    ("education_type", "bildungsart"): oq.EDUCATION_TYPE_TO_OPENQCAT,
    ("funding", "foerderartenbund"): oq.FUNDING_TO_OPENQCAT_FEDERAL,
    ("funding", "foerderartenland"): oq.FUNDING_TO_OPENQCAT_REGIONAL,
    ("format", "durchfuehrungsform"): oq.FORMAT_TO_OPENQCAT,
    ("schedule", "unterrichtszeit"): oq.SCHEDULE_TO_OPENQCAT,
    ("organisation_kind", "zugehoerig"): oq.ORGANISATION_KIND_TO_INSTITUTION,
}


@cache
def ba_value_list(name: str) -> dict[str, str]:
    """code → label of one of the BA's value lists (`<name>.dat`, or the Systematik)."""
    if not OPENQCAT_DATA.is_dir():
        pytest.skip(f"the BA value lists are expected in {OPENQCAT_DATA}")
    if name == "systematik":
        path = OPENQCAT_DATA / "Systematik.csv"
    else:
        path = OPENQCAT_DATA / "wertebereiche" / f"{name}.dat"
    result = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "|" in line:  # the others are headings (foerderartenland.dat groups by state)
            code, label, *_ = line.split("|")
            result[code.strip()] = label.strip()
    return result


def _tables() -> list[CodeList]:
    return list(TABLES.values())


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.name)
def test_every_code_has_a_german_and_an_english_label(table: CodeList) -> None:
    for row in table.rows:
        assert row.de.strip(), row.code
        assert row.en.strip(), row.code
        assert row.de == row.de.strip(), row.code
        assert row.en == row.en.strip(), row.code
    assert codelists.label(table.name, table.codes()[0], lang="en") == table.rows[0].en


def test_english_labels_are_translations() -> None:
    # Only words that are the same in both languages may repeat the German label.
    same = {
        (name, str(row.code))
        for name, table in TABLES.items()
        for row in table.rows
        if row.en.lower() == row.de.lower()
    }
    assert same == {("format", "online"), ("education_type", "seminar")}
    umlauts = re.compile("[äöüÄÖÜß]")
    for table in TABLES.values():
        for row in table.rows:
            # A German name may follow in brackets (the word an agency uses), never lead alone.
            outside_brackets = re.sub(r"\([^)]*\)", "", row.en)
            if row.code != "aufstiegs_bafoeg":  # a proper name without an English equivalent
                assert not umlauts.search(outside_brackets), row.en


def test_every_funding_is_explained_in_both_languages() -> None:
    for row in TABLES["funding"].rows:
        assert row.explanation_de, row.code
        assert row.explanation_en, row.code
    codes = set(TABLES["funding"].codes())
    assert set(codelists.FUNDING_EXPLANATIONS) == set(codelists.FUNDING_EXPLANATIONS_EN) == codes
    # Only funding carries explanations.
    others = [r for n, t in TABLES.items() if n != "funding" for r in t.rows]
    assert not any(r.explanation_de or r.explanation_en for r in others)


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_enum_members_equal_the_table_codes(name: str) -> None:
    assert [m.value for m in ENUMS[name]] == list(TABLES[name].codes())


def test_a_table_that_disagrees_with_its_enum_is_refused() -> None:
    rows = TABLES["format"].rows
    with pytest.raises(ValueError, match="differ"):
        CodeList("format", rows[:2], codelists.Format)
    with pytest.raises(ValueError, match="duplicate"):
        CodeList("format", (*rows, rows[0]))
    with pytest.raises(ValueError, match="lacks a label"):
        CodeList("x", (codelists.Code("a", "A", " "),))


def test_derived_label_dicts_follow_the_tables() -> None:
    assert {n: t.labels("de") for n, t in TABLES.items()} == codelists.CODE_LISTS
    assert {n: t.labels("en") for n, t in TABLES.items()} == codelists.CODE_LISTS_EN
    assert list(codelists.CODE_LISTS) == [
        "organisation_kind",
        "category",
        "education_type",
        "funding",
        "format",
        "schedule",
        "language",
        "target_group",
        "status",
        "dvv_category",
        "level",
        "weekday",
        "link_kind",
    ]
    assert codelists.FORMAT_LABELS["in_person"] == "vor Ort (Präsenz)"
    assert codelists.FORMAT_LABELS_EN["in_person"] == "in person"
    assert codelists.label("schedule", "weekend") == "am Wochenende"
    assert codelists.label("schedule", "weekend", lang="en") == "at weekends"
    assert codelists.label("schedule", "unknown", lang="en") == "unknown"
    assert codelists.label("schedule", None) is None


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.name)
def test_every_code_has_an_openqcat_equivalent_or_is_listed_without(table: CodeList) -> None:
    without = {str(row.code) for row in table.rows if row.openqcat is None}
    assert without == WITHOUT_OPENQCAT.get(table.name, set())


@pytest.mark.parametrize(("key", "reverse"), IMPORT_MAPS.items(), ids=lambda k: str(k))
def test_import_maps_read_back_what_the_export_writes(
    key: tuple[str, str], reverse: dict[str, str]
) -> None:
    name, value_list = key
    forward = EXPORT_MAPS[key]
    rows = [r for r in TABLES[name].rows if r.openqcat and r.openqcat.value_list == value_list]
    assert set(forward) == {str(r.code) for r in rows}
    for row in rows:
        assert row.openqcat is not None
        code = str(row.code)
        expected = SHARED.get((name, code), code)
        assert reverse[forward[code]] == expected
        for ba_code in row.openqcat.also:
            assert reverse[ba_code] == code
    assert set(reverse.values()) <= set(TABLES[name].codes())
    assert {k for k in SHARED if k[0] == name} == {
        (name, str(r.code)) for r in rows if r.openqcat and r.openqcat.shared
    }


def test_two_codes_reading_the_same_ba_code_are_refused() -> None:
    Code, OpenQcat = codelists.Code, codelists.OpenQcat
    part_time = Code("part_time", "Teilzeit", "part-time", OpenQcat("unterrichtszeit", "2"))
    evening = Code("evening", "abends", "evenings", OpenQcat("unterrichtszeit", "2"))
    with pytest.raises(ValueError, match="read as two"):
        oq.openqcat_to_codes(CodeList("schedule", (part_time, evening)), "unterrichtszeit")
    evening = Code("evening", "abends", "evenings", OpenQcat("unterrichtszeit", "2", shared=True))
    table = CodeList("schedule", (part_time, evening))
    assert oq.openqcat_to_codes(table, "unterrichtszeit") == {"2": "part_time"}


def test_categories_round_trip_through_the_systematik() -> None:
    assert set(oq.CATEGORY_TO_SYSTEMATIK) == set(TABLES["category"].codes())
    for category, (code, _) in oq.CATEGORY_TO_SYSTEMATIK.items():
        if category == "basic_education":
            # no Systematik branch of its own: the export adds a keyword the import reads
            assert oq.BASIC_EDUCATION_KEYWORD == "Grundbildung"
            continue
        assert oq.category_for_systematik(code) == category


def test_openqcat_codes_exist_in_the_ba_value_lists() -> None:
    for table in TABLES.values():
        for row in table.rows:
            if row.openqcat is None:
                continue
            known = ba_value_list(row.openqcat.value_list)
            for code in (row.openqcat.code, *row.openqcat.also):
                assert code in known, (table.name, row.code, code)
    assert set(ba_value_list("unterrichtssprache")) == oq.OPENQCAT_LANGUAGES


def test_export_labels_are_the_bas_own() -> None:
    systematik = ba_value_list("systematik")
    assert set(oq.SYSTEMATIK_LABELS) == {code for code, _ in oq.CATEGORY_TO_SYSTEMATIK.values()}
    for code, label in oq.SYSTEMATIK_LABELS.items():
        assert systematik[code] == label
    forms = ba_value_list("unterrichtsform")
    for code, label in oq.FORMAT_TO_INSTRUCTION_FORM.values():
        assert forms[code] == label
    assert forms["3"] == "Wochenendveranstaltung"  # what the export writes for weekend courses


def test_secondary_value_lists_use_existing_codes() -> None:
    forms = ba_value_list("unterrichtsform")
    # every form but "0 Auf Anfrage" says something about the format
    assert set(oq.OPENQCAT_INSTRUCTION_FORM_TO_FORMAT) == set(forms) - {"0"}
    assert set(oq.INSTRUCTION_FORM_TO_SCHEDULE) <= set(forms)
    durations = ba_value_list("dauerklassen")
    assert {code for _, code in oq.DURATION_CLASSES} | {"0", "9"} == set(durations)
    assert ba_value_list("zertstatus")[oq.CERTIFICATE_APPROVED] == "Zugelassen"


def test_systematik_rules_name_branches_that_exist() -> None:
    codes = list(ba_value_list("systematik"))
    c_groups = {m.group(1) for c in codes if (m := re.match(r"C (\d{4})", c))}
    assert set(oq.C_GROUP_TO_CATEGORY) <= c_groups
    assert set(oq.C_BLOCK_TO_CATEGORY) == {g[:2] for g in c_groups}
    assert set(oq.MQ_TO_CATEGORY) == {m.group(1) for c in codes if (m := re.match(r"MQ (\d\d)", c))}
    occupations = [m.group(1) for c in codes if (m := re.match(r"(?:B|D|HA|HC) ?(\d{5})", c))]
    assert {o[:2] for o in occupations} <= set(oq.KLDB_TO_CATEGORY)
    assert set(oq.KLDB3_TO_CATEGORY) <= {o[:3] for o in occupations}
    # Every code of the Systematik gets a category, but the two bare headings of branch 34.
    assert [c for c in codes if oq.category_for_systematik(c) is None] == ["D 34", "B 34"]


def test_teaching_languages_are_iso_codes() -> None:
    """ISO 639-2 codes with their ISO 639-1 twin, plus German Sign Language (ISO 639-3 gsg)
    and mis (ISO 639-2, a language without a code here); none of the BA's own spellings."""
    from app.models.language_codes import LANGUAGE_ALIASES

    assert not {"svk", "dgs", "oth"} & set(LANGUAGE_LABELS)
    twins = {alias for alias, code in LANGUAGE_ALIASES.items() if len(alias) == 2}
    with_twin = {LANGUAGE_ALIASES[alias] for alias in twins}
    assert set(LANGUAGE_LABELS) - with_twin == {"gsg", "mis"}

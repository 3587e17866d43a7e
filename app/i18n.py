"""The languages of the citizen pages: their texts from the gettext catalogues in app/locale,
their code-list labels, and how they write dates, prices and numbers (Babel's CLDR data, so
"6. März 2027" / "6 March 2027"). A language is there when its catalogue is."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

from app.codelists import FUNDINGS, TABLES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
# The language the catalogue keys were first written in; its catalogue is every other one's
# fallback, so a text a new catalogue still lacks shows in German rather than as its key.
SOURCE_LANGUAGE = "de"


def N_(key: str) -> str:
    """Marks a text key that code looks up by a computed name, so that extraction
    (scripts/i18n.sh) finds it and keeps it in the catalogues; returns the key unchanged."""
    return key


def _languages() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if SOURCE_LANGUAGE not in found:
        raise RuntimeError(f"no {SOURCE_LANGUAGE} catalogue in {LOCALE_DIR}")
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


# The page languages: one per catalogue on disk, German first. Adding a language is adding
# app/locale/<lang>/LC_MESSAGES/messages.po (scripts/i18n.sh init <lang>).
LANGUAGES: tuple[str, ...] = _languages()


@lru_cache
def translations(lang: str) -> Translations:
    """The texts of a page language (the source language for any other value).

    Compiled here from the .po file, once per process, rather than read from a committed .mo:
    nothing generated can fall out of step with the catalogue a translator edited, and the
    cost (a few milliseconds per language) is paid at the first page, not per request.
    """
    if lang not in LANGUAGES:
        lang = SOURCE_LANGUAGE
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    found = Translations(fp=compiled, domain=DOMAIN)
    if lang != SOURCE_LANGUAGE:
        found.add_fallback(translations(SOURCE_LANGUAGE))
    return found


@lru_cache
def text_keys() -> frozenset[str]:
    """Every text key of the source catalogue."""
    path = LOCALE_DIR / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    # (code-list labels, which have a context, are looked up by code_labels)
    return frozenset(
        m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and not m.context
    )


# The region a page language is written for; a language without an entry is written the way
# CLDR writes it without a region. British English: day before month, as readers in Germany
# expect ("6 March 2027").
REGIONS = {"de": "de_DE", "en": "en_GB"}


@lru_cache
def locale(lang: str) -> Locale:
    """The Babel locale of a page language (parsed once: parsing costs more than formatting)."""
    return Locale.parse(REGIONS.get(lang, lang))


# Formatting costs 7-13 µs a value and a search page shows dozens (dates, prices, facet
# counts), the same ones again and again: kept per value and language.
@lru_cache(maxsize=8192)
def format_date(value: date | None, lang: str) -> str:
    """A day in words, as a reader of `lang` writes it: "6. März 2027", "6 March 2027"."""
    if value is None:
        return ""
    return str(babel_format_date(value, format="long", locale=locale(lang)))


@lru_cache(maxsize=8192)
def format_amount(value: Decimal, lang: str) -> str:
    """An amount of euros: "1.290,00 €", "€1,290.00"."""
    return str(format_currency(value, "EUR", locale=locale(lang)))


@lru_cache(maxsize=8192)
def format_number(value: float | int | Decimal, lang: str, *, digits: int = 0) -> str:
    """A number with the language's separators: "1.234" / "1,234"; `digits` after the point."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=locale(lang)))


@lru_cache
def code_labels(list_name: str, lang: str) -> dict[str, str]:
    """Code → label of one code list in the page language, from its catalogue (context: the
    list's name, key: the code); German and English there are copied from app/codelists.py."""
    t = translations(lang)
    return {code: str(t.pgettext(list_name, code)) for code in TABLES[list_name].codes()}


def code_label(list_name: str, code: str, lang: str) -> str:
    """One code's label; a code the list does not know is shown as it is."""
    return code_labels(list_name, lang).get(code, code)


def extract_code_lists(
    fileobj: object, keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor (babel.cfg): every code of every code list, with the list's name as
    context and its German and English labels as comments for translators."""
    for table in TABLES.values():
        for row in table.rows:
            yield 0, "pgettext", (table.name, str(row.code)), [f"de: {row.de}", f"en: {row.en}"]


@lru_cache
def funding_explanations(lang: str) -> dict[str, str]:
    """Funding code → what to do to get it, in plain words."""
    english = lang == "en"
    return {
        str(row.code): (row.explanation_en if english else row.explanation_de) or ""
        for row in FUNDINGS.rows
    }

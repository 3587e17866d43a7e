"""What changes with the language of a citizen page besides its texts: code-list labels, and how
dates, prices and numbers are written (Babel's CLDR data, so "6. März 2027" / "6 March 2027")."""

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

from app.codelists import FUNDINGS, TABLES

# The region a page language is written for; a language without an entry is written the way
# CLDR writes it without a region. British English: day before month, as readers in Germany
# expect ("6 March 2027").
REGIONS = {"de": "de_DE", "en": "en_GB"}


@lru_cache
def locale(lang: str) -> Locale:
    """The Babel locale of a page language (parsed once: parsing costs more than formatting)."""
    return Locale.parse(REGIONS.get(lang, lang))


def format_date(value: date | None, lang: str) -> str:
    """A day in words, as a reader of `lang` writes it: "6. März 2027", "6 March 2027"."""
    if value is None:
        return ""
    return str(babel_format_date(value, format="long", locale=locale(lang)))


def format_amount(value: Decimal, lang: str) -> str:
    """An amount of euros: "1.290,00 €", "€1,290.00"."""
    return str(format_currency(value, "EUR", locale=locale(lang)))


def format_number(value: float | int | Decimal, lang: str, *, digits: int = 0) -> str:
    """A number with the language's separators: "1.234" / "1,234"; `digits` after the point."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=locale(lang)))


@lru_cache
def code_labels(list_name: str, lang: str) -> dict[str, str]:
    """Code → label of one code list (app/codelists.py) in the page language."""
    return TABLES[list_name].labels(lang)


def code_label(list_name: str, code: str, lang: str) -> str:
    """One code's label; a code the list does not know is shown as it is."""
    return code_labels(list_name, lang).get(code, code)


@lru_cache
def funding_explanations(lang: str) -> dict[str, str]:
    """Funding code → what to do to get it, in plain words."""
    english = lang == "en"
    return {
        str(row.code): (row.explanation_en if english else row.explanation_de) or ""
        for row in FUNDINGS.rows
    }

"""Teaching-language codes as providers send them: ISO 639-2 (`deu`, the catalogue's own
spelling) or ISO 639-1 (`de`), read into the catalogue's code; anything else is refused with
the list of codes that are allowed."""

from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from app.codelists import LANGUAGE_LABELS

# ISO 639-1 → ISO 639-2/B, the spelling the catalogue and the BA's open-Qcat lists use.
_FROM_639_1 = {
    "de": "deu",
    "en": "eng",
    "fr": "fra",
    "nl": "nld",
    "da": "dan",
    "no": "nor",
    "sv": "swe",
    "pl": "pol",
    "it": "ita",
    "cs": "cze",
    "sk": "slo",
    "uk": "ukr",
    "ru": "rus",
    "es": "spa",
    "tr": "tur",
    "ar": "ara",
    "fa": "per",
    "ro": "rum",
    "bg": "bul",
    "el": "gre",
}
# ISO 639-2/T spellings where they differ from 639-2/B.
_FROM_639_2_T = {"ces": "cze", "slk": "slo", "fas": "per", "ron": "rum", "ell": "gre"}


def _alias_table() -> dict[str, str]:
    table = {code: code for code in LANGUAGE_LABELS}
    for alias, code in (_FROM_639_1 | _FROM_639_2_T).items():
        if code in LANGUAGE_LABELS:
            table[alias] = code
    return table


LANGUAGE_ALIASES: dict[str, str] = _alias_table()


def allowed_languages() -> str:
    """`deu (de), eng (en), …`: every code the catalogue knows, with its two-letter form."""
    two_letter = {code: alias for alias, code in _FROM_639_1.items()}
    return ", ".join(
        f"{code} ({two_letter[code]})" if code in two_letter else code for code in LANGUAGE_LABELS
    )


def language_code(value: object) -> str:
    """The catalogue's code for an ISO 639-1 or 639-2 code (any case); ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"a language code is a string; allowed: {allowed_languages()}")
    code = LANGUAGE_ALIASES.get(value.strip().lower())
    if code is None:
        raise ValueError(f"unknown language code {value[:20]!r}; allowed: {allowed_languages()}")
    return code


LanguageCode = Annotated[
    str,
    BeforeValidator(language_code),
    WithJsonSchema(
        {
            "type": "string",
            "description": "ISO 639-2 (deu) or ISO 639-1 (de); see GET /api/v1/codelists",
            "examples": ["deu", "de"],
        }
    ),
]


_TO_639_1 = {code: alias for alias, code in _FROM_639_1.items()}


def language_tag(code: str) -> str:
    """The BCP 47 tag of a catalogue code (schema.org's `inLanguage`): the two-letter form
    where ISO 639-1 has one (`deu` → `de`), else the three-letter code (`gsg`)."""
    return _TO_639_1.get(code, code)

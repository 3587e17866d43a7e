"""UI texts of the citizen pages, by key, from the gettext catalogues (app/locale; see
app/i18n.py): the keys that code looks up by a computed name, and the plain-language
explanations of code labels."""

from typing import Final

from babel.support import Translations

from app.i18n import N_, locale, translations

# Looked up as f"facet_{name}", f"field_{name}", f"chip_{name}", f"sort_{order}" or by a
# form flag's name: listed so that extraction keeps them in the catalogues.
COMPUTED_KEYS: Final = (
    N_("facet_category"),
    N_("facet_education_type"),
    N_("facet_format"),
    N_("facet_schedule"),
    N_("facet_funding"),
    N_("facet_language"),
    N_("facet_level"),
    N_("facet_dvv_category"),
    N_("facet_city"),
    N_("facet_provider"),
    N_("field_page"),
    N_("field_q"),
    N_("field_radius_km"),
    N_("field_postcode"),
    N_("field_price_max"),
    N_("field_start_from"),
    N_("field_start_to"),
    N_("field_lat"),
    N_("field_lon"),
    N_("field_sort"),
    N_("field_include_online"),
    N_("field_azav"),
    N_("field_free"),
    N_("field_barrier_free"),
    N_("field_childcare"),
    N_("chip_start_from"),
    N_("chip_start_to"),
    N_("sort_relevance"),
    N_("sort_start"),
    N_("sort_price"),
    N_("sort_distance"),
    N_("start_from_label"),
    N_("start_to_label"),
    N_("free"),
    N_("azav"),
    N_("childcare"),
)

# Short answers to "what does this mean?" for the code labels a citizen meets on the pages,
# by code list and code; shown beside the offer's facts and in the search page's glossary.
EXPLANATIONS: Final[dict[tuple[str, str], str]] = {
    ("format", "in_person"): N_("explain_format_in_person"),
    ("format", "online"): N_("explain_format_online"),
    ("format", "blended"): N_("explain_format_blended"),
    ("schedule", "full_time"): N_("explain_schedule_full_time"),
    ("schedule", "part_time"): N_("explain_schedule_part_time"),
    ("schedule", "evening"): N_("explain_schedule_evening"),
    ("schedule", "weekend"): N_("explain_schedule_weekend"),
    ("schedule", "flexible"): N_("explain_schedule_flexible"),
    ("education_type", "anpassungsweiterbildung"): N_(
        "explain_education_type_anpassungsweiterbildung"
    ),
    ("education_type", "aufstiegsweiterbildung"): N_(
        "explain_education_type_aufstiegsweiterbildung"
    ),
    ("education_type", "umschulung"): N_("explain_education_type_umschulung"),
    ("education_type", "teilqualifizierung"): N_("explain_education_type_teilqualifizierung"),
    ("education_type", "sprachkurs"): N_("explain_education_type_sprachkurs"),
    ("education_type", "grundbildung"): N_("explain_education_type_grundbildung"),
    ("education_type", "seminar"): N_("explain_education_type_seminar"),
    ("education_type", "studium"): N_("explain_education_type_studium"),
    ("education_type", "schulabschluss"): N_("explain_education_type_schulabschluss"),
    ("education_type", "aktivierung"): N_("explain_education_type_aktivierung"),
    ("term", "daf"): N_("explain_term_daf"),
    ("term", "bildungsgutschein"): N_("explain_term_bildungsgutschein"),
    ("term", "azav"): N_("explain_term_azav"),
}


def texts(lang: str) -> Translations:
    """The texts of one page language; a key its catalogue lacks falls back to German."""
    return translations(lang)


def explanation(lang: str, kind: str, code: str) -> str | None:
    """What a code label means, in plain words; None when there is nothing to add."""
    key = EXPLANATIONS.get((kind, code))
    return None if key is None else translations(lang).gettext(key)


def glossary(lang: str) -> list[str]:
    """Every explanation of a language, for the search page's "Begriffe erklärt"."""
    t = translations(lang)
    return [t.gettext(key) for key in EXPLANATIONS.values()]


# The search widget's texts (app/static/widget.js), by the name the script uses.
WIDGET_TEXTS: Final[dict[str, str]] = {
    "label": N_("widget_label"),
    "button": N_("search_button"),
    "none": N_("widget_none"),
    "error": N_("widget_error"),
    "start": N_("next_start"),
    "flexible": N_("flexible_start"),
    "also": N_("also_offered_by"),
    "onRequest": N_("price_on_request"),
    "free": N_("price_free"),
    "loading": N_("widget_loading"),
    "more": N_("widget_more"),
    "q": N_("q_label"),
    "postcode": N_("field_postcode"),
    "radius": N_("radius_label"),
    "any": N_("radius_any"),
    "km": N_("km"),
    "badPostcode": N_("widget_bad_postcode"),
    "wider": N_("widget_wider"),
    "online": N_("widget_online"),
    "waysOut": N_("widget_ways_out"),
}


def widget_texts(lang: str) -> dict[str, str]:
    """The widget's texts in one language, with the locale its script formats numbers and
    dates in ("de-DE")."""
    t = translations(lang)
    return {name: t.gettext(key) for name, key in WIDGET_TEXTS.items()} | {
        # The script picks "1 …" or the other form; a language with more plural forms than two
        # would need the widget to ask the server for its count text.
        "one": t.ngettext("results_one", "results_count", 1).format(n=1),
        "found": t.ngettext("results_one", "results_count", 2),
        "locale": str(locale(lang)).replace("_", "-"),
    }

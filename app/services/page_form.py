"""The search page's form: a citizen's query read into search parameters (with messages at
the fields they belong to), and the active filters as removable chips."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from app.i18n import format_amount, format_date
from app.models.search import SearchParams
from app.search.service import DEFAULT_RADIUS_KM
from app.services.page_query import FieldProblem, search_params_from_query
from app.services.page_texts import texts

# "Umkreis: egal": a postcode measures distances but limits nothing.
RADIUS_ANY = frozenset({"any", "egal"})
# Fields with an input of their own: a value they cannot use is reported beside them.
FIELD_LEVEL = frozenset({"postcode", "start_from", "start_to", "price_max"})
# Yes/no filters of the form, by parameter name, with the text key of their label.
FLAGS = {
    "free": "free",
    "azav": "azav",
    "barrier_free": "barrier_free",
    "childcare": "childcare",
    "include_online": "include_online",
}


@dataclass(frozen=True)
class PageForm:
    """What the page understood of its query."""

    params: SearchParams
    # The query as the page's own links repeat it (page number and the form's unused
    # default radius left out).
    query: list[tuple[str, str]]
    problems: list[FieldProblem] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)
    radius_any: bool = False

    @property
    def centre_given(self) -> bool:
        return self.params.postcode is not None or self.params.lat is not None

    @property
    def radius_km(self) -> float | None:
        """The radius the search applies: chosen, the default, or none."""
        if not self.centre_given or self.radius_any:
            return None
        return self.params.radius_km or DEFAULT_RADIUS_KM


@dataclass(frozen=True)
class Chip:
    """An active filter and the query without it."""

    name: str
    label: str
    query: list[tuple[str, str]]


def read_form(query: Iterable[tuple[str, str]], *, lang: str) -> PageForm:
    """The page's query as search parameters. Unlike the API, the page forgives: the form's
    preset radius without a postcode is dropped quietly, "egal" means no radius, and a
    postcode it cannot place is reported at its field while the search runs without it."""
    t = texts(lang)
    items = [(k, v.strip()) for k, v in query if k != "page"]
    radius_any = any(
        (k == "radius_km" and v.casefold() in RADIUS_ANY)
        or (k == "radius_any" and v.casefold() in ("1", "true"))
        for k, v in items
    )
    items = [(k, v) for k, v in items if k != "radius_any"]
    kept = [(k, v) for k, v in items if not (k == "radius_km" and v.casefold() in RADIUS_ANY)]
    if not any(k in ("postcode", "lat") and v for k, v in kept):
        kept = [(k, v) for k, v in kept if k != "radius_km"]
    page = [(k, v) for k, v in query if k == "page"]
    params, problems = search_params_from_query(kept + page)
    errors: dict[str, str] = {}
    shown: list[FieldProblem] = []
    postcode_bad = any(p.field == "postcode" for p in problems)
    for p in problems:
        if p.field == "postcode":
            errors["postcode"] = t.gettext("postcode_invalid")
        elif postcode_bad and "needs a postcode" in p.message:
            continue  # said at the postcode: without a place there is no radius
        elif p.field in FIELD_LEVEL:
            errors[p.field] = t.gettext("field_not_understood").format(value=p.value)
        else:
            shown.append(p)
    if radius_any:
        kept.append(("radius_km", "any"))
    if postcode_bad or not params.postcode and params.lat is None:
        kept = [(k, v) for k, v in kept if k != "radius_km"]
        radius_any = radius_any and not postcode_bad
    if radius_any and (params.postcode or params.lat is not None):
        # The search's own parameter: links built from it (map, feed) keep "egal".
        params = params.model_copy(update={"radius_any": True, "radius_km": None})
    return PageForm(
        params=params, query=kept, problems=shown, field_errors=errors, radius_any=radius_any
    )


def _without(
    query: list[tuple[str, str]], name: str, value: str | None = None
) -> list[tuple[str, str]]:
    return [(k, v) for k, v in query if not (k == name and (value is None or v == value))]


def chips(form: PageForm, *, lang: str, labels: dict[str, dict[str, str]]) -> list[Chip]:
    """The active filters, each with the query that drops it; `labels` names facet values."""
    t = texts(lang)
    p = form.params
    found: list[Chip] = []
    for name, values in labels.items():
        for value in getattr(p, name, []):
            value = str(value)
            found.append(Chip(name, values.get(value, value), _without(form.query, name, value)))
    for name, key in FLAGS.items():
        if getattr(p, name):
            found.append(Chip(name, t.gettext(key), _without(form.query, name)))
    if p.price_max is not None and not p.free:
        found.append(
            Chip(
                "price_max",
                t.gettext("chip_price_max").format(price=format_amount(p.price_max, lang)),
                _without(form.query, "price_max"),
            )
        )
    for name in ("start_from", "start_to"):
        day: date | None = getattr(p, name)
        if day is not None:
            shown = format_date(day, lang)
            key = f"chip_{name}"  # keys in page_texts.COMPUTED_KEYS
            found.append(Chip(name, t.gettext(key).format(date=shown), _without(form.query, name)))
    if form.centre_given and p.radius_km is not None:
        found.append(
            Chip(
                "radius_km",
                t.gettext("chip_radius").format(km=f"{p.radius_km:g}"),
                _without(form.query, "radius_km") + [("radius_km", "any")],
            )
        )
    return found


def page_url(base: str, query: list[tuple[str, str]]) -> str:
    return f"{base}?{urlencode(query)}" if query else base

"""A citizen's search query, read by the API's rules for the portal pages."""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, get_origin

from pydantic import ValidationError

from app.errors import InvalidInput
from app.models.search import SearchParams
from app.search import service as search

PER_PAGE = 10

# Every search parameter but the page size (fixed for pages) may come in a page's query.
PAGE_FIELDS = frozenset(SearchParams.model_fields) - {"per_page"}
_LIST_FIELDS = frozenset(
    name for name, f in SearchParams.model_fields.items() if get_origin(f.annotation) is list
)
MAX_VALUES_PER_FACET = 20
# A rule that spans two parameters names the one that is missing ("give lat and lon
# together" at `lat` for a lone `lon`): the page leaves out the one that was sent.
_PARTNERS = {"lat": "lon", "lon": "lat"}
# Values are echoed on the page: a pasted novel is cut short there.
MAX_SHOWN_CHARS = 100


@dataclass(frozen=True)
class FieldProblem:
    """A query parameter the page could not use: its name, what was sent, and the API's
    message on it (English; the page shows the field's own label and the value)."""

    field: str
    value: str
    message: str


def search_params_from_query(
    query: Iterable[tuple[str, str]],
) -> tuple[SearchParams, list[FieldProblem]]:
    """A citizen's form query as SearchParams, read by the API's rules (the same model, the
    same cross-field checks). A value the API would refuse is left out of the search and
    reported, so that a hand-edited or outdated link still shows a page, with a message."""
    values: dict[str, list[str]] = {}
    for key, value in query:
        if key in PAGE_FIELDS and (value := value.strip()):
            values.setdefault(key, []).append(value)
    data: dict[str, Any] = {
        name: list(dict.fromkeys(found))[:MAX_VALUES_PER_FACET]
        if name in _LIST_FIELDS
        else found[0]
        for name, found in values.items()
    }
    problems: list[FieldProblem] = []
    # Each round removes at least one value, so this ends.
    while True:
        try:
            params = SearchParams.model_validate({**data, "per_page": PER_PAGE})
        except ValidationError as exc:
            _drop_invalid(data, exc, problems)
            continue
        try:
            search.check(*search.located(params))
        except InvalidInput as exc:
            loc = exc.details[0]["loc"] if exc.details else []
            name = str(loc[-1]) if loc else ""
            if name not in data:
                name = _PARTNERS.get(name, name)
            if name not in data:
                raise  # not a parameter of the page's: a defect, not a citizen's mistake
            problems.append(FieldProblem(name, _shown(data.pop(name)), exc.message))
            continue
        return params, problems


def _drop_invalid(data: dict[str, Any], exc: ValidationError, problems: list[FieldProblem]) -> None:
    bad_items: dict[str, set[int]] = {}
    for err in exc.errors():
        loc = err["loc"]
        name = str(loc[0]) if loc else ""
        if name not in data:
            raise exc  # not a parameter of the page's: a defect, not a citizen's mistake
        message = str(err["msg"]).removeprefix("Value error, ")
        if name in _LIST_FIELDS and len(loc) > 1 and isinstance(loc[1], int):
            bad_items.setdefault(name, set()).add(loc[1])
            problems.append(FieldProblem(name, _shown(data[name][loc[1]]), message))
        elif name not in bad_items:
            bad_items[name] = set()
            problems.append(FieldProblem(name, _shown(data[name]), message))
    for name, items in bad_items.items():
        kept = [v for i, v in enumerate(data[name]) if i not in items] if items else []
        if kept:
            data[name] = kept
        else:
            data.pop(name)


def _shown(value: Any) -> str:
    """A value as the page may echo it: control and format characters (a NUL, a
    right-to-left override) replaced by U+FFFD, so the citizen sees that something
    unreadable was there, and a long value cut short."""
    text = ", ".join(value) if isinstance(value, list) else str(value)
    text = "".join("\ufffd" if unicodedata.category(c)[0] == "C" else c for c in text)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"

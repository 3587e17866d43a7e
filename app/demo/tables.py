"""The demo catalogue's data files (app/demo/data/*.json), read once and checked by schema."""

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from app.codelists import Category, EducationType, Format, Funding, OrganisationKind, Schedule


class _Table(BaseModel):
    # A misspelt field or code in a data file fails on loading, not as an odd demo.
    model_config = ConfigDict(frozen=True, extra="forbid")


class City(_Table):
    name: str
    phone_prefix: str
    bezreg: str  # Bezirksregierung: the state body behind state-recognised degrees
    ihk: str
    hwk: str
    ruhr: bool
    addresses: tuple[tuple[str, str], ...]  # (street, real postcode of that part of town)


class Nearby(_Table):
    """Where an organisation sends people when it teaches outside its home town."""

    ruhr: tuple[str, ...]
    elsewhere: tuple[str, ...]


class Cities(_Table):
    cities: tuple[City, ...]
    nearby: Nearby


class OrganisationSpec(_Table):
    name: str
    short: str  # used in venue names; "IHK"/"HWK" in it decides which exams a chamber holds
    kind: OrganisationKind
    city: str
    street: str
    postcode: str
    slug: str  # demo domain <slug>.example.org
    categories: frozenset[Category]
    trusted: bool = False
    azav_certifier: str | None = None  # set means AZAV-approved
    certificates: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()  # other towns it teaches in
    weight: int = 3  # share of the offers

    @property
    def azav(self) -> bool:
        return self.azav_certifier is not None


class Organisations(_Table):
    organisations: tuple[OrganisationSpec, ...]
    # Extra organisations beyond the hand-written ones (benchmarks) are named with these.
    extra_name_prefixes: tuple[str, ...]

    @model_validator(mode="before")
    @classmethod
    def _resolve_profiles(cls, data: Any) -> Any:
        """An organisation names a `category_profile` shared by its kind, or lists categories."""
        if not isinstance(data, dict):
            return data
        profiles = data.get("category_profiles", {})
        resolved = []
        for spec in data.get("organisations", []):
            if isinstance(spec, dict) and "category_profile" in spec:
                spec = dict(spec)
                spec["categories"] = profiles[spec.pop("category_profile")]
            resolved.append(spec)
        rest = {k: v for k, v in data.items() if k != "category_profiles"}
        return {**rest, "organisations": resolved}


class People(_Table):
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


class Course(_Table):
    """A course template: one offer draws a title, a format, a schedule, prices and dates."""

    key: str
    titles: tuple[str, ...]
    category: Category
    education_type: EducationType
    keywords: tuple[str, ...]
    topic: tuple[str, ...]  # sentences about the content; two or three go into a description
    hours: tuple[int, int]
    price: tuple[int, int] | None  # None: free of charge
    kinds: frozenset[OrganisationKind] = frozenset({OrganisationKind.provider})
    degree: str | None = None
    awarding: str | None = None  # "IHK", "HWK", "BEZREG", "ORG" (the provider) or a name
    dqr: int | None = None
    targets: tuple[str, ...] = ("everyone",)
    requirements: str | None = None
    formats: tuple[Format, ...] = (Format.in_person,)  # repeats weight the choice
    schedules: tuple[Schedule, ...] = (Schedule.full_time,)
    funding: tuple[Funding, ...] = ()
    languages: tuple[str, ...] = ("deu",)
    childcare: float = 0.03
    flexible: float = 0.04
    price_note: str | None = None
    weight: int = 2


class Courses(_Table):
    courses: tuple[Course, ...]
    # The first offers come from these templates, so even a small demo set shows every
    # category and the words the search demo relies on (Buchhaltung, Stapler, Pflege, DaF ...).
    showcase: tuple[str, ...]


class Language(_Table):
    language: str  # German name, as in titles
    code: str  # ISO 639-2/B
    country: str  # completes "Landeskunde aus …"
    extra_titles: tuple[str, ...] = ()
    extra_keywords: tuple[str, ...] = ()
    funding: tuple[Funding, ...] = ()
    weight: int | None = None


class LanguageCourses(_Table):
    """One course per language, from one template with {language}, {code} and {country}."""

    template: dict[str, Any]
    languages: tuple[Language, ...]

    def courses(self) -> tuple[Course, ...]:
        result = []
        for row in self.languages:
            values = {"language": row.language, "code": row.code, "country": row.country}
            course = _fill(self.template, values)
            course["titles"] = [*course["titles"], *row.extra_titles]
            course["keywords"] = [*course["keywords"], *row.extra_keywords]
            course["funding"] = list(row.funding)
            if row.weight is not None:
                course["weight"] = row.weight
            result.append(Course.model_validate(course))
        return tuple(result)


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


class TitleVariants(_Table):
    """Ways a drawn {title} is varied so the catalogue does not repeat itself."""

    online: str
    evening: str
    weekend: str
    part_time_retraining: str
    in_town: str  # with {city}


class PriceNotes(_Table):
    free: str
    on_request: str
    instalments: str


class Texts(_Table):
    """The German prose a description, title or date note is assembled from."""

    education_type_sentences: dict[EducationType, tuple[str, ...]]
    format_sentences: dict[Format, tuple[str, ...]]  # with {city} and {when}
    schedule_phrases: dict[Schedule, str]  # {when} in a format sentence
    schedule_notes: dict[Schedule, tuple[str, ...]]
    funding_sentences: dict[Funding, str]
    degree_sentence: str
    childcare_sentence: str
    barrier_free_sentence: str
    titles: TitleVariants
    branch_venue: str  # with {organisation} and {city}
    flexible_start_note: str
    blended_note_suffix: str
    price_notes: PriceNotes


def _read(name: str) -> str:
    return (resources.files("app.demo") / "data" / name).read_text(encoding="utf-8")


@cache
def cities() -> Cities:
    return Cities.model_validate(json.loads(_read("cities.json")))


@cache
def organisations() -> Organisations:
    return Organisations.model_validate(json.loads(_read("organisations.json")))


@cache
def people() -> People:
    return People.model_validate(json.loads(_read("people.json")))


@cache
def courses() -> Courses:
    return Courses.model_validate(json.loads(_read("courses.json")))


@cache
def language_courses() -> LanguageCourses:
    return LanguageCourses.model_validate(json.loads(_read("language_courses.json")))


@cache
def texts() -> Texts:
    return Texts.model_validate(json.loads(_read("texts.json")))

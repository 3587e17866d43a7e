"""Why a search found nothing: vocabulary (a relaxed search finds offers in the region, so a
synonym or a better title would help), regional gap (offers exist, but not in the region),
or absent (nothing anywhere). Runs with the snapshot, never on the request path."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col

from app.models.monitoring import ZeroResultClass
from app.models.search import SearchScope
from app.services.monitoring.engine import Engine, EngineQuery

VOCABULARY = "vocabulary"
REGIONAL_GAP = "regional_gap"
ABSENT = "absent"
MAX_TERMS_PER_RUN = 200
# Words that say how or what kind, not what: alone they find half the catalogue and would
# make every miss look like a vocabulary problem.
GENERIC_WORDS = frozenset(
    [
        "kurs",
        "kurse",
        "kursus",
        "weiterbildung",
        "weiterbildungen",
        "fortbildung",
        "fortbildungen",
        "seminar",
        "seminare",
        "lehrgang",
        "lehrgänge",
        "ausbildung",
        "umschulung",
        "schulung",
        "schulungen",
        "training",
        "workshop",
        "online",
        "präsenz",
        "abends",
        "abendkurs",
        "wochenende",
        "wochenendkurs",
        "teilzeit",
        "vollzeit",
        "berufsbegleitend",
        "grundkurs",
        "aufbaukurs",
        "anfänger",
        "fortgeschrittene",
        "einsteiger",
        "für",
        "mit",
        "und",
        "oder",
        "in",
        "im",
        "am",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "zum",
        "zur",
        "von",
        "bei",
        "nach",
        "ohne",
        "kostenlos",
        "gratis",
        "günstig",
    ]
)


def relaxations(term: str) -> list[tuple[str, str]]:
    """(query, what was relaxed), in order: the same words without filters; each specific
    word alone; each long word shortened to a prefix (a rough stem: the last word of a
    query matches as a prefix)."""
    words = term.split()
    found: dict[str, str] = {term: "same words without filters"}
    if len(words) > 1:
        for word in words:
            if word not in GENERIC_WORDS and len(word) >= 3:
                found.setdefault(word, f"the word '{word}' alone")
    for word in words:
        if len(word) >= 7 and word not in GENERIC_WORDS:
            stem = word[: max(5, len(word) - 3)]
            found.setdefault(stem, f"words beginning with '{stem}'")
    return list(found.items())


async def classify_terms(
    *, engine: Engine, scope: SearchScope | None, terms: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """{term: (kind, evidence)} for zero-result terms of one region (scope None: the whole
    catalogue, so only vocabulary or absent)."""
    plan = [(term, relaxations(term)) for term in list(terms)[:MAX_TERMS_PER_RUN] if term]
    queries = [
        EngineQuery(q=q, scope=scope, strategy="last", limit=1)
        for _, tries in plan
        for q, _ in tries
    ]
    if scope is not None:
        queries += [
            EngineQuery(q=q, scope=None, strategy="last", limit=1)
            for _, tries in plan
            for q, _ in tries
        ]
    answers = await engine.offer_ids(queries)
    in_region = iter(answers[: len(answers) // (2 if scope is not None else 1)])
    anywhere = iter(answers[len(answers) // 2 :]) if scope is not None else None
    result: dict[str, tuple[str, str]] = {}
    for term, tries in plan:
        region_hits = [next(in_region) for _ in tries]
        other_hits = [next(anywhere) for _ in tries] if anywhere is not None else []
        kind, evidence = ABSENT, "no relaxed search finds an offer anywhere"
        for (_, what), hits in zip(tries, region_hits, strict=True):
            if hits:
                kind, evidence = VOCABULARY, f"in the region: {what}"
                break
        else:
            for (_, what), hits in zip(tries, other_hits, strict=True):
                if hits:
                    kind, evidence = REGIONAL_GAP, f"outside the region: {what}"
                    break
        result[term] = (kind, evidence)
    return result


def store_classes(
    *, session: Session, portal: str, classes: dict[str, tuple[str, str]], day: date
) -> None:
    if not classes:
        return
    session.execute(
        delete(ZeroResultClass).where(
            col(ZeroResultClass.portal) == portal, col(ZeroResultClass.term).in_(list(classes))
        )
    )
    for term, (kind, evidence) in classes.items():
        session.add(
            ZeroResultClass(
                portal=portal, term=term, kind=kind, evidence=evidence[:300], classified_on=day
            )
        )
    session.flush()

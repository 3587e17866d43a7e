"""Course levels: CEFR levels (GER, A1 … C2) spelled one way, and the levels a course covers."""

import re

CEFR_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
MAX_LEVEL_LENGTH = 60

# "B1", "b 1", "B1.2", "B1,2", "A2+": one CEFR level, optionally with a sub-level.
_CEFR = re.compile(r"(?<![A-Za-z0-9])([ABCabc])\s?([12])(?:\s?[.,]\s?([1-9]))?(?![0-9])")
# What may stand around CEFR levels in a value that is only levels: "Niveau A2 bis B1",
# "GER: B1/B2", "A1 - A2", "Stufe A1.1 und A1.2".
_FILLER = re.compile(
    r"(?i)\b(?:niveau|stufe|level|ger|gers|cefr|gemeinsamer europäischer referenzrahmen|"
    r"bis|und|to|and|ab)\b|[\s/\-–—,;:()+.]"
)


def _tokens(text: str) -> list[str]:
    return [
        m.group(1).upper() + m.group(2) + (f".{m.group(3)}" if m.group(3) else "")
        for m in _CEFR.finditer(text)
    ]


def normalise_level(text: str) -> str:
    """One spelling per level: CEFR levels as `B1`, `B1.2` or a range `A2-B1`; a level in other
    words ("Einsteiger", "Grundstufe 2") is kept as written, whitespace tidied.

    A value that names CEFR levels *and* says more ("Englisch B1 mit Prüfung") keeps its words:
    only values that are nothing but levels and filler words become the CEFR spelling.
    """
    value = " ".join(text.split())
    tokens = _tokens(value)
    if not tokens:
        return value
    rest = _FILLER.sub("", _CEFR.sub("", value))
    if rest:
        return value
    order = {level: i for i, level in enumerate(CEFR_LEVELS)}
    ranked = sorted(dict.fromkeys(tokens), key=lambda t: (order[t[:2]], t))
    return ranked[0] if len(ranked) == 1 else f"{ranked[0]}-{ranked[-1]}"


def covered_levels(level: str | None) -> list[str]:
    """The main CEFR levels a course covers: `B1.2` → [B1], `A2-B1` → [A2, B1], `A1-B2` → [A1,
    A2, B1, B2]; none for a level in other words. What the level facet counts and filters."""
    if not level:
        return []
    tokens = [t[:2] for t in _tokens(level)]
    if not tokens:
        return []
    indexes = sorted(CEFR_LEVELS.index(t) for t in tokens)
    if "-" in level and len(indexes) > 1:
        return list(CEFR_LEVELS[indexes[0] : indexes[-1] + 1])
    return [CEFR_LEVELS[i] for i in dict.fromkeys(indexes)]


def level_search_text(level: str | None) -> str:
    """Words a search for "Englisch B1" matches: the main levels, then the level as given."""
    if not level:
        return ""
    words = [*covered_levels(level), level]
    return " ".join(dict.fromkeys(words))

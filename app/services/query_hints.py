"""Hints on what a search was taken to mean: the words typo tolerance found instead of the
typed ones ("Ergebnisse für Buchhaltung"), and "Meinten Sie …" from the catalogue's own
vocabulary (code-list labels, the synonym table, the places in the facets)."""

import difflib
import html
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from app.codelists import TABLES
from app.search.synonyms import SYNONYMS

_WORD = re.compile(r"\w+")
# A highlight as the search service writes it, plus the rest of the word it sits in:
# Meilisearch marks only the typed length of a word found with a typo
# ("<mark>Buch</mark>haltung").
_MARKED = re.compile(r"<mark>(.*?)</mark>(\w*)", re.S)
MIN_WORD = 4
SIMILAR = 0.75


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR


def forgiven_words(q: str, marked_html: Iterable[str]) -> dict[str, str]:
    """Typed word → the word the hits matched instead, for words that were found only with
    a typo forgiven. Words found as typed, by prefix or by a synonym are left alone."""
    found: Counter[str] = Counter()
    for text in marked_html:
        for mark, rest in _MARKED.findall(text):
            word = html.unescape(mark + rest).strip()
            if _WORD.fullmatch(word):
                found[word] += 1
    if not found:
        return {}
    folded = {w.casefold() for w in found}
    result: dict[str, str] = {}
    for typed in _WORD.findall(q):
        t = typed.casefold()
        if len(t) < MIN_WORD or any(t in w or w in t for w in folded):
            continue
        close = [w for w, _ in found.most_common() if _similar(t, w.casefold())]
        if close and abs(len(close[0]) - len(typed)) <= 2:
            result[typed] = close[0]
    return result


def replaced(q: str, words: dict[str, str]) -> str:
    return _WORD.sub(lambda m: words.get(m.group(0), m.group(0)), q)


@lru_cache
def vocabulary() -> frozenset[str]:
    """Words citizens look for that the catalogue knows, lower case."""
    words: set[str] = set()
    for table in TABLES.values():
        for lang in ("de", "en"):
            for label in table.labels(lang).values():
                words.update(_WORD.findall(label.casefold()))
    for term, others in SYNONYMS.items():
        for phrase in (term, *others):
            words.update(_WORD.findall(phrase.casefold()))
    return frozenset(w for w in words if len(w) >= MIN_WORD and not w.isdigit())


# Each unknown word costs a scan of the vocabulary (~5 ms for a long word): a query of
# nonsense words must not hold the page for long, so only the first few are looked at.
MAX_UNKNOWN_WORDS = 5


def did_you_mean(q: str, *, extra: Iterable[str] = ()) -> str | None:
    """The query with each unknown word replaced by the closest known one, or None."""
    known = vocabulary() | {w.casefold() for w in extra}
    changed = False
    looked_up = 0

    def best(m: re.Match[str]) -> str:
        nonlocal changed, looked_up
        typed = m.group(0)
        t = typed.casefold()
        if len(t) < MIN_WORD or t in known or looked_up >= MAX_UNKNOWN_WORDS:
            return typed
        looked_up += 1
        close = _closest(t, known)
        if close is None:
            return typed
        changed = True
        return close.capitalize() if typed[:1].isupper() else close

    suggestion = _WORD.sub(best, q)
    return suggestion if changed else None


def _closest(word: str, known: frozenset[str]) -> str | None:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.8)
    return close[0] if close else None

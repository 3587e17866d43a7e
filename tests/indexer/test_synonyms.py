"""The German synonym table is well-formed for Meilisearch and covers the key terms."""

import pytest

from app.search.synonyms import SYNONYMS, _mutual


def test_table_is_large_enough() -> None:
    assert len(SYNONYMS) >= 50


def test_terms_are_lower_case_and_trimmed() -> None:
    for key, values in SYNONYMS.items():
        assert key == key.lower().strip(), key
        assert values, key
        for value in values:
            assert value == value.lower().strip(), (key, value)


def test_no_term_is_its_own_synonym_or_repeated() -> None:
    for key, values in SYNONYMS.items():
        assert key not in values, key
        assert len(values) == len(set(values)), key


def test_every_synonym_points_back() -> None:
    for key, values in SYNONYMS.items():
        for value in values:
            assert key in SYNONYMS[value], (key, value)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("stapler", "gabelstapler"),
        ("staplerschein", "flurförderzeug"),
        ("pflegekraft", "pflegefachkraft"),
        ("buchhaltung", "finanzbuchhaltung"),
        ("buchführung", "fibu"),
        ("daf", "deutsch als fremdsprache"),
        ("daz", "deutsch als zweitsprache"),
        ("schweißen", "schweißer"),
        ("it", "informatik"),
        ("excel", "tabellenkalkulation"),
        ("bildungsgutschein", "bgs"),
        ("ki", "künstliche intelligenz"),
    ],
)
def test_mutual_pairs(a: str, b: str) -> None:
    assert b in SYNONYMS[a]
    assert a in SYNONYMS[b]


def test_terms_avoid_stop_words() -> None:
    from app.search.index_settings import index_settings

    stop_words = set(index_settings()["stopWords"])
    for key, values in SYNONYMS.items():
        for term in (key, *values):
            assert not stop_words & set(term.split()), term


def test_mutual_merges_groups_sharing_a_term() -> None:
    table = _mutual(("a", "b"), ("B", "c"))
    assert table == {"a": ["b"], "b": ["a", "c"], "c": ["b"]}

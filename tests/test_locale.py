"""The gettext catalogues of the citizen pages (app/locale): complete in every language, in
step with the code, and the only thing a new page language needs."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient

from app import i18n
from app.codelists import TABLES
from app.services import pages

ROOT = Path(__file__).resolve().parent.parent


def _catalogue(lang: str) -> Catalog:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def test_german_and_english_are_the_page_languages() -> None:
    assert i18n.LANGUAGES == ("de", "en")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_key_is_translated(lang: str) -> None:
    catalogue = _catalogue(lang)
    source = {(m.context, m.id) for m in _catalogue(i18n.SOURCE_LANGUAGE) if m.id}
    assert {(m.context, m.id) for m in catalogue if m.id} == source
    for message in catalogue:
        if not message.id:
            continue
        string = message.string
        strings = [string] if isinstance(string, str) else list(string or [""])
        assert all(s.strip() for s in strings), f"{lang}: {message.id} has no translation"
        assert not message.fuzzy, f"{lang}: {message.id} is fuzzy"
    # a plural has as many forms as the language's plural rule
    plural = next(m for m in catalogue if m.id == ("results_one", "results_count"))
    assert isinstance(plural.string, tuple | list)
    assert len(plural.string) == catalogue.num_plurals


@pytest.mark.parametrize("lang", ["de", "en"])
def test_code_list_labels_are_those_of_the_code_lists(lang: str) -> None:
    catalogue = _catalogue(lang)
    for name, table in TABLES.items():
        for code, label in table.labels(lang).items():
            message = catalogue.get(code, context=name)
            assert message is not None, (name, code)
            assert message.string == label, (name, code)
        assert i18n.code_labels(name, lang) == table.labels(lang)


def test_catalogues_are_in_step_with_the_code() -> None:
    """Every key the code and templates use is in the catalogues, and no other: the check
    that `scripts/i18n.sh update` has been run."""
    env = os.environ | {"VENV": str(Path(sys.executable).parent.parent)}
    r = subprocess.run(
        [str(ROOT / "scripts" / "i18n.sh"), "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_portal_languages_are_those_with_a_catalogue(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = {"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]}
    r = client.post("/api/v1/admin/portals", json=body | {"languages": ["de", "fr"]}, headers=admin)
    assert r.status_code == 422, r.text
    assert "languages" in r.text
    r = client.post("/api/v1/admin/portals", json=body | {"languages": ["de", "en"]}, headers=admin)
    assert r.status_code == 201, r.text


def test_pages_translate_through_the_catalogue() -> None:
    html = pages.render_not_found(lang="en")
    assert "Page not found" in html
    assert "Seite nicht gefunden" in pages.render_not_found(lang="de")
    # an unknown language is the source language
    assert "Seite nicht gefunden" in pages.render_not_found(lang="xx")


@pytest.fixture
def third_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of app/locale plus a French catalogue that translates one key."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    french = Catalog(locale="fr")
    french.add("not_found_title", "Page introuvable")
    french.add("languages", "Langues étrangères", context="category")
    (locale_dir / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with (locale_dir / "fr" / "LC_MESSAGES" / "messages.po").open("wb") as f:
        write_po(f, french)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(i18n, "LANGUAGES", i18n._languages())
    i18n.translations.cache_clear()
    i18n.code_labels.cache_clear()
    yield locale_dir
    i18n.translations.cache_clear()
    i18n.code_labels.cache_clear()


def test_a_third_language_is_a_catalogue(third_language: Path) -> None:
    assert i18n.LANGUAGES == ("de", "en", "fr")
    french = i18n.translations("fr")
    assert french.gettext("not_found_title") == "Page introuvable"
    # what the new catalogue does not translate yet shows in German, never as its key
    assert french.gettext("not_found_text") == "Dieses Angebot gibt es hier nicht (mehr)."
    # code-list labels too: translated, else German
    assert i18n.code_label("category", "languages", "fr") == "Langues étrangères"
    assert i18n.code_label("category", "it_digital", "fr") == "IT und Digitales"
    # and the locale data for dates and prices come with Babel
    assert i18n.format_amount(Decimal("1290"), "fr") == "1\u202f290,00\u00a0€"

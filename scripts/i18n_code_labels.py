"""Copies the German and English code-list labels of app/codelists.py into the de and en
catalogues (scripts/i18n.sh runs it after each update): the code list stays their one source,
the pages read every language's labels from its catalogue."""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.codelists import TABLES  # noqa: E402  (after the path is set)
from app.i18n import DOMAIN, LOCALE_DIR  # noqa: E402


def main() -> None:
    for lang in ("de", "en"):
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang, domain=DOMAIN)
        for table in TABLES.values():
            labels = table.labels(lang)
            for code, label in labels.items():
                message = catalog.get(code, context=table.name)
                if message is not None:
                    message.string = label
        with path.open("wb") as f:
            write_po(f, catalog)


if __name__ == "__main__":
    main()

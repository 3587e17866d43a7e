#!/usr/bin/env bash
# The citizen pages' catalogues (app/locale/<lang>/LC_MESSAGES/messages.po):
#   scripts/i18n.sh update      extract the text keys from code and templates (babel.cfg) and
#                               merge them into every catalogue (new keys empty, unused removed)
#   scripts/i18n.sh init <lang> start the catalogue of a new page language
#   scripts/i18n.sh check       fail when a catalogue is not up to date with the code
# The app compiles the .po files itself when it starts (app/i18n.py): nothing else to build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBABEL="${VENV:-.venv}/bin/pybabel"
LOCALES=app/locale
POT="$(mktemp --suffix=.pot)"
trap 'rm -f "$POT"' EXIT

# The code-list extractor (babel.cfg) imports this tree's app package.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
PYTHON="${VENV:-.venv}/bin/python"

# N_() marks a key looked up by a computed name (app/services/page_texts.py).
"$PYBABEL" extract -F babel.cfg -k N_ --no-location --sort-output \
    --project=Bildungsraum --version=1 -o "$POT" . 2>&1 |
    { grep -v '^\(extracting\|writing\)' || true; }
# A fixed creation date: the catalogues change only when their texts do (and `check`, which
# compares headers too, does not fail a minute later).
sed -i 's/^"POT-Creation-Date: .*"$/"POT-Creation-Date: 2026-12-01 00:00+0000\\n"/' "$POT"

case "${1:-update}" in
update)
    "$PYBABEL" update -i "$POT" -d "$LOCALES" --no-fuzzy-matching --ignore-obsolete
    "$PYTHON" scripts/i18n_code_labels.py
    ;;
init)
    lang="${2:?usage: scripts/i18n.sh init <lang>}"
    "$PYBABEL" init -i "$POT" -d "$LOCALES" -l "$lang"
    echo "Translate $LOCALES/$lang/LC_MESSAGES/messages.po (the English catalogue beside it" \
        "says what each key means); the pages offer the language once it is there."
    ;;
check)
    "$PYBABEL" update --check -i "$POT" -d "$LOCALES" --no-fuzzy-matching --ignore-obsolete
    ;;
*)
    echo "usage: scripts/i18n.sh [update|init <lang>|check]" >&2
    exit 2
    ;;
esac

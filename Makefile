# Two commands matter: `make run` (service with demo data) and `make test` (whole suite).
# The newest Python from 3.13 down to 3.11 that starts (a name on PATH may be a shim that
# does not, so each is asked to run).
ifndef PYTHON
PYTHON := $(shell for p in python3.13 python3.12 python3.11; do \
	if $$p -c 'import sys' >/dev/null 2>&1; then command -v $$p; break; fi; done)
endif
ifeq ($(strip $(PYTHON)),)
$(error no Python 3.11, 3.12 or 3.13 found: install one, or name it with PYTHON=...)
endif
VENV ?= .venv
# Extra options for `python -m venv` (the Makefile's own tests pass --without-pip: they check
# when a venv is made, not pip's installation).
VENV_OPTIONS ?=
BIN := $(VENV)/bin
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
STAMP := $(VENV)/.installed-py$(PY_VERSION)-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
export DATA_DIR ?= ./data
export PORT ?= 8000

.PHONY: run test test-fast setup venv python meilisearch browser-deps lint bench i18n clean

run: setup meilisearch
	$(BIN)/bildungsraum run --port $(PORT)

# The suite starts many Python processes (the command line, workers, served apps, one per
# xdist worker), and pytest rewrites its plugins' modules: with bytecode written once, none
# of them compiles the sources again (collection 10.2 -> 5.8 s), whatever the shell says.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

test: setup meilisearch browser-deps
	REQUIRE_BROWSER_TESTS=1 $(PYTEST) -q

# The inner loop: everything that needs no Meilisearch, no browser and no served process, on
# SQLite.
test-fast: setup
	$(PYTEST) -q -n auto -m "not meili and not browser and not served"

setup: $(STAMP)

python:
	@echo "$(PYTHON) (Python $(PY_VERSION)); $(VENV): $(or $(VENV_VERSION),none)"

# A .venv made by another Python, or whose interpreter is gone, is made again: a half-done
# or outdated one is never reused.
venv:
ifneq ($(VENV_VERSION),$(PY_VERSION))
	@echo "making $(VENV) with Python $(PY_VERSION) ($(PYTHON))$(if $(VENV_VERSION), instead of $(VENV_VERSION),)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV_OPTIONS) $(VENV)
endif

$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory venv VENV=$(VENV) PYTHON=$(PYTHON)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

meilisearch:
	./scripts/install-meilisearch.sh

browser-deps:
	./scripts/install-browser-test-deps.sh

lint: setup
	$(BIN)/ruff check app indexer workers tests bench testkit
	$(BIN)/ruff format --check app indexer workers tests bench testkit
	$(BIN)/mypy app indexer workers bench tests testkit

# The pages' catalogues (app/locale) in step with code and templates; docs/portals.md.
i18n: setup
	./scripts/i18n.sh update

bench: setup meilisearch
	$(BIN)/python -m bench.search_bench

clean:
	rm -rf $(VENV) .tools data

# Two commands matter: `make run` (service with demo data) and `make test` (whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
export DATA_DIR ?= ./data
export PORT ?= 8000

.PHONY: run test test-fast setup meilisearch browser-deps lint bench clean

run: setup meilisearch
	$(BIN)/bildungsraum run --port $(PORT)

test: setup meilisearch browser-deps
	REQUIRE_BROWSER_TESTS=1 $(BIN)/python -m pytest -q

# The inner loop: everything that needs no Meilisearch and no browser, on SQLite.
test-fast: setup
	$(BIN)/python -m pytest -q -m "not meili and not browser"

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

meilisearch:
	./scripts/install-meilisearch.sh

browser-deps:
	./scripts/install-browser-test-deps.sh

lint: setup
	$(BIN)/ruff check app indexer tests bench testkit
	$(BIN)/ruff format --check app indexer tests bench testkit
	$(BIN)/mypy app indexer bench tests testkit

bench: setup meilisearch
	$(BIN)/python -m bench.search_bench

clean:
	rm -rf $(VENV) .tools data

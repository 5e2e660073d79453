# The two commands of the README: `make run` (demo on SQLite) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
#: The browser tests drive Debian's chromium (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test tamper bench lint clean

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/installed
	$(BIN)/parledger demo

test: $(VENV)/installed $(CHROMIUM)
	LEDGER_TEST_CHROMIUM=$(CHROMIUM) $(BIN)/pytest $(PYTEST_ARGS)

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests (needs root) …"
	apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The tamper suite: SQLite and PostgreSQL side by side (a core each), every line prefixed
# with its backend; fails if either fails. PAR_TAMPER_COUNT=12 make tamper for a quicker run.
PAR_TAMPER_COUNT ?= 100
tamper: $(VENV)/installed
	@rc=$$(mktemp -d); \
	for backend in sqlite postgres; do \
		if [ $$backend = sqlite ]; then only="not postgres"; else only=postgres; fi; \
		( PAR_TAMPER_COUNT=$(PAR_TAMPER_COUNT) $(BIN)/pytest tests/integration/ledger/test_tamper_suite.py \
			-m "tamper and $$only" -q -s -p no:cacheprovider $(PYTEST_ARGS) 2>&1; echo $$? > $$rc/$$backend ) \
			| sed -u "s/^/$$backend: /" & \
	done; \
	wait; \
	failed=; for backend in sqlite postgres; do \
		[ "$$(cat $$rc/$$backend 2>/dev/null)" = 0 ] || failed="$$failed $$backend"; \
	done; \
	rm -rf $$rc; \
	if [ -n "$$failed" ]; then echo "tamper suite failed on:$$failed"; exit 1; fi

bench: $(VENV)/installed
	$(BIN)/python bench/append.py

# ruff (lint and format), mypy (configured in pyproject.toml) and the import contracts (import-linter).
lint: $(VENV)/installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

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

tamper: $(VENV)/installed
	PAR_TAMPER_COUNT=100 $(BIN)/pytest tests/integration/test_tamper_suite.py -m tamper -q -s

bench: $(VENV)/installed
	$(BIN)/python bench/append.py

lint: $(VENV)/installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

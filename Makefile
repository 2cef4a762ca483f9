# `make test`: set up .venv and run the suite with coverage. `make demo`: run the example site
# with the SALESmanago sandbox. Both create what they need on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 8765
DEMO_PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: test demo messages screenshots browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

test: $(VENV)/.installed
	$(BIN)/python -m coverage run -m pytest $(PYTEST_ARGS); \
	  status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	  [ $$status -eq 0 ] || exit $$status; \
	  $(BIN)/python -m coverage report > .coverage-report.txt; cover=$$?; \
	  grep '^TOTAL' .coverage-report.txt; \
	  exit $$cover

demo: $(VENV)/.installed
	SANDBOX_PORT=$(SANDBOX_PORT) DEMO_PORT=$(DEMO_PORT) $(BIN)/python example_project/demo.py

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# The README's screenshots, from the browser test.
screenshots: $(VENV)/.installed browser
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py -k editor

messages: $(VENV)/.installed
	cd wagtail_salesmanago && ../$(BIN)/django-admin makemessages -l pl --no-obsolete && \
	  ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) build dist *.egg-info .coverage example_project/db.sqlite3 .demo

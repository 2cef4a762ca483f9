# `make test`: set up .venv and run the suite with coverage. `make demo`: run the example site
# with the SALESmanago sandbox. Both create what they need on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 8765
DEMO_PORT ?= 8000
PYTEST_ARGS ?=
# The version matrix: the lowest and the highest supported (pyenv carries Python 3.12).
PYTHON312 ?= $(shell PYENV_VERSION=3.12.1 pyenv which python 2>/dev/null || command -v python3.12)
MATRIX_ARGS ?= -q -m "not slow"

.PHONY: test test-postgres matrix matrix-env wheel-check bench demo messages screenshots browser clean

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

# The suite on a real PostgreSQL server (.ci/postgres.sh installs and starts Debian's).
test-postgres: $(VENV)/.installed
	bash .ci/postgres.sh
	DB_ENGINE=postgresql DB_PASSWORD=postgres .ci/pytest $(BIN)/python -q $(PYTEST_ARGS)

matrix:
	$(MAKE) matrix-env ENV=.venv-wagtail74 PY=$(PYTHON) PINS="django==5.2.* wagtail==7.4.*"
	$(MAKE) matrix-env ENV=.venv-django61 PY=$(PYTHON312) PINS="django==6.1.* wagtail==8.0.*"

matrix-env:
	test -x $(ENV)/bin/python || $(PY) -m venv $(ENV)
	$(ENV)/bin/python -m pip install --quiet --upgrade pip
	$(ENV)/bin/python -m pip install --quiet -e ".[test]" $(PINS)
	$(ENV)/bin/python -c "import sys, django, wagtail; print('Python', sys.version.split()[0], 'Django', django.__version__, 'Wagtail', wagtail.__version__)"
	.ci/pytest $(ENV)/bin/python $(MATRIX_ARGS)

# The wheel and sdist as users get them, installed into a fresh virtualenv and used.
wheel-check: $(VENV)/.installed
	bash .ci/check-wheel.sh $(BIN)/python

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py

demo: $(VENV)/.installed
	SANDBOX_PORT=$(SANDBOX_PORT) DEMO_PORT=$(DEMO_PORT) $(BIN)/python example_project/demo.py

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Debian's Redis for the RQ worker tests (each test starts its own redis-server on a free port).
.PHONY: redis
redis:
	command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)

# The README's screenshots, from the browser test.
screenshots: $(VENV)/.installed browser
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py -k editor

messages: $(VENV)/.installed
	cd wagtail_salesmanago && ../$(BIN)/django-admin makemessages -l pl --no-obsolete && \
	  ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) .venv-* build dist *.egg-info .coverage example_project/db.sqlite3 .demo

# `make test`: set up .venv and run the suite with coverage. `make demo`: run the example site
# with the SALESmanago sandbox and `salesmanago_retry` on a timer. `make docs`: the documentation
# site, into site/. Each creates what it needs on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 8765
DEMO_PORT ?= 8000
PYTEST_ARGS ?=
# The version matrix's interpreters: pyenv's newest 3.x.y, else python3.x on the PATH.
PYTHON311 ?= $(shell .ci/find-python 3.11)
PYTHON312 ?= $(shell .ci/find-python 3.12)
PYTHON313 ?= $(shell .ci/find-python 3.13)
MATRIX_ARGS ?= -q -m "not slow"
# `make dist` builds with its own small virtualenv: build and twine, not the test extras.
DIST_VENV ?= .venv-dist

.PHONY: test test-random-subset test-postgres matrix matrix-env dist wheel-check bench demo docs messages screenshots browser mutation clean

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

# A random part (a third) of the fast tests in random order: the suite passes in any order and any
# subset. Its seed is printed first; replay a failure with make test-random-subset SUBSET_SEED=N.
# (pytest-randomly shuffles every run, `make test` too, and prints its seed in the header.)
SUBSET_SEED ?=
SUBSET_FRACTION ?= 0.33
test-random-subset: $(VENV)/.installed
	SUBSET_SEED=$(SUBSET_SEED) SUBSET_FRACTION=$(SUBSET_FRACTION) \
	  $(BIN)/python .ci/random-subset $(BIN)/python -q $(PYTEST_ARGS)

# The suite on a real PostgreSQL server (.ci/postgres.sh installs and starts Debian's). Tests of
# the example site and of a fresh project use their own SQLite database whatever DB_ENGINE says:
# `make test` runs them, and here they would only run again, unchanged.
test-postgres: $(VENV)/.installed
	bash .ci/postgres.sh
	DB_ENGINE=postgresql DB_PASSWORD=postgres .ci/pytest $(BIN)/python -q -m "not own_database" $(PYTEST_ARGS)

# The fast suite on the lowest supported versions, on bakerydemo's (Python 3.12, Django 6.0,
# Wagtail 7.4) and on the highest; `make test` covers Python 3.11 with Django 5.2 and Wagtail 8.0.
# urllib3 too, lowest (pyproject.toml's floor) and newest: transport.py overrides a private method of
# its connections, which tests/api/test_deadline.py and tests/api/test_client.py check on both.
matrix:
	$(MAKE) matrix-env ENV=.venv-wagtail74 PY="$(PYTHON311)" PINS="django==5.2.* wagtail==7.4.* urllib3==2.0.2"
	$(MAKE) matrix-env ENV=.venv-django60 PY="$(PYTHON312)" PINS="django==6.0.* wagtail==7.4.*"
	$(MAKE) matrix-env ENV=.venv-py313 PY="$(PYTHON313)" PINS="django==6.1.* wagtail==8.0.* --upgrade urllib3"

# One matrix env: make matrix-env ENV=.venv-x PY=python3.x PINS="django==... wagtail==..."
matrix-env:
	@test -n "$(PY)" || { echo "matrix-env: no Python for $(ENV) (see .ci/find-python)" >&2; exit 1; }
	test -x $(ENV)/bin/python || $(PY) -m venv $(ENV)
	$(ENV)/bin/python -m pip install --quiet --upgrade pip
	$(ENV)/bin/python -m pip install --quiet -e ".[test]" $(PINS)
	$(ENV)/bin/python -c "import sys, django, wagtail, urllib3; print('Python', sys.version.split()[0], 'Django', django.__version__, 'Wagtail', wagtail.__version__, 'urllib3', urllib3.__version__)"
	.ci/pytest $(ENV)/bin/python $(MATRIX_ARGS)

$(DIST_VENV)/.installed:
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --upgrade pip "build>=1.2" "twine>=6.1"
	touch $@

# The sdist and wheel of a release, in dist/: a build warning fails the build (it once meant
# files left out), and twine checks them as PyPI would.
dist: $(DIST_VENV)/.installed
	rm -rf dist
	$(DIST_VENV)/bin/python -m build --outdir dist . > $(DIST_VENV)/build.log 2>&1 || { cat $(DIST_VENV)/build.log; exit 1; }
	@if grep -E '^WARNING|Warning:' $(DIST_VENV)/build.log; then \
	  echo "make dist: the build warned (whole log: $(DIST_VENV)/build.log)" >&2; exit 1; fi
	$(DIST_VENV)/bin/twine check --strict dist/*
	@$(DIST_VENV)/bin/python -c "import sys, tarfile, zipfile, glob; \
	  wheel = zipfile.ZipFile(glob.glob('dist/*.whl')[0]).namelist(); \
	  sdist = tarfile.open(glob.glob('dist/*.tar.gz')[0]).getnames(); \
	  missing = [a for a, names in (('wheel', wheel), ('sdist', sdist)) if not any(n.endswith('/LICENSE') for n in names)]; \
	  sys.exit(f'make dist: no LICENSE in the {missing}') if missing else print('LICENSE in the wheel and the sdist')"

# The README's install lines run as written on what `make dist` built, then the example site on the wheel.
wheel-check: dist
	bash .ci/check-wheel.sh

# Mutation testing of the core modules (setup.cfg [mutmut]) with the fast tests, then the score of
# each module (docs/mutation.md). Slow, so not in .ci/run; results are kept in mutants/ and reused.
# Some modules only: make mutation MODULES="payload.rules delivery.outbox records.querysets".
MUTMUT ?= mutmut==3.8.1
MODULES ?=
MUTATION_CHILDREN ?= 2
mutation: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet "$(MUTMUT)"
	# mutmut never updates the templates, translations and documents it copied on an earlier run.
	$(BIN)/python .ci/mutation-refresh
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(foreach m,$(MODULES),"wagtail_salesmanago.$(m).*")
	$(BIN)/python .ci/mutation-scores
	# Each mutant's tests pass without it (a subset failing on its own would count mutants killed).
	.ci/mutation-clean-subsets $(BIN)/python $(MODULES)

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py
	# The load test's 100,000 past answers with 10% failed calls (the suite runs 10,000).
	LOAD_PAST_ANSWERS=100000 $(BIN)/python -m pytest -q -s -m slow tests/e2e/test_load.py -k past_answers

demo: $(VENV)/.installed
	SANDBOX_PORT=$(SANDBOX_PORT) DEMO_PORT=$(DEMO_PORT) $(BIN)/python example_project/demo.py

# The documentation site (mkdocs.yml, docs/) into site/: a warning (a broken link or anchor, a page
# left out of the navigation) fails it.
docs: $(VENV)/.installed
	$(BIN)/python -m mkdocs build --strict --site-dir site

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Debian's Redis for the RQ worker tests (each test starts its own redis-server on a free port).
.PHONY: redis
redis:
	command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)

# The documentation's screenshots (docs/screenshots/), from the browser test.
screenshots: $(VENV)/.installed browser
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/e2e/test_browser.py tests/e2e/test_browser_deliveries.py tests/e2e/test_browser_dashboard.py tests/e2e/test_browser_screens.py -k "editor or content_security or deliveries_log or dashboard or report_charts"
	rm -rf docs/screenshots/report

messages: $(VENV)/.installed
	cd wagtail_salesmanago && ../$(BIN)/django-admin makemessages -l pl --no-obsolete && \
	  ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) .venv-* dist site .coverage example_project/db.sqlite3 .demo

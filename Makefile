# Two commands for everything (see README.md):
#   make run   - set up, build the sample directory as a local preview and serve it (with search) at http://127.0.0.1:8000
#   make test  - set up (including headless Chromium for browser tests) and run every check

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run build test browser lint clean translations

# The interface's translations (issue 17): each language's catalog, compiled for use.
LOCALES := entries/locales
MESSAGES_MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po))

setup: $(VENV)/.installed node_modules/.installed theme/static/css/healthdir.css $(MESSAGES_MO)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel --quiet compile --use-fuzzy --domain messages --directory $(LOCALES) --locale $*

# After changing the interface's words: gather them into the template and every catalog.
translations: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract --mapping babel.cfg --keywords N_ --no-location --sort-output --ignore-dirs ".* ._ tests benchmarks node_modules output" \
		--project healthdir --copyright-holder "healthdir contributors" --output $(LOCALES)/messages.pot .
	$(BIN)/pybabel --quiet update --input-file $(LOCALES)/messages.pot --domain messages \
		--output-dir $(LOCALES) --no-fuzzy-matching --ignore-obsolete
	$(MAKE) $(MESSAGES_MO)

theme/static/css/healthdir.css: node_modules/.installed $(wildcard theme/scss/*.scss)
	npm run --silent build:assets

# For publishing: needs the site's public address (PUBLIC_URL or HEALTHDIR_PUBLIC_URL).
build: setup
	$(BIN)/healthdir build

# A local preview: built for, and served at, the address it is served on.
run: setup
	$(BIN)/healthdir build --preview http://$(HOST):$(PORT)
	$(BIN)/healthdir serve --host $(HOST) --port $(PORT)

# Browser tests use Debian's Chromium; install it when it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup browser lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules output search-index $(MESSAGES_MO) theme/static/css/healthdir.css theme/static/js/nhsuk-frontend.min.js theme/static/images

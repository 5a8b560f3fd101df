# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev chromium messages lint format bench bench-smoke clean serve reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/base.txt requirements/dev.txt requirements/iati.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements/iati.txt
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

# The .po catalogues (English, Traditional and Simplified Chinese) compiled for gettext.
messages: install
	$(BIN)/python manage.py compilemessages --ignore '.venv' --ignore 'var' -v 0

## run: install, migrate, make a tree-head signing key under var/ (once), load the seed data,
## then serve the web app, a Celery worker and beat.
# honcho runs as the terminal's foreground job (config.foreground), so Ctrl-C stops the
# three processes and make ends without an error; TZ makes honcho's clock the apps' one;
# SITE_URL (links in mail) follows HOST and PORT unless it is set.
run: install messages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py create_signing_key --if-missing
	$(BIN)/python manage.py load_seeds
	$(BIN)/python manage.py first_staff_login --url http://$(HOST):$(PORT)/admin/
	$(BIN)/python manage.py first_api_token --url http://$(HOST):$(PORT)/api/
	@echo "Starting web (http://$(HOST):$(PORT)/admin/), Celery worker and beat; Ctrl-C stops all."
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=$${DEBUG:-1} WEBHOOK_ALLOW_PRIVATE=$${WEBHOOK_ALLOW_PRIVATE:-1} HOST=$(HOST) PORT=$(PORT) \
		TZ=$${TIME_ZONE:-Asia/Hong_Kong} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/python -m config.foreground $(BIN)/honcho --no-colour start --procfile Procfile

## serve: the production layout on this machine: gunicorn (WEB_CONCURRENCY workers), a Celery
## worker and exactly one beat, under supervisord (deploy/supervisord.conf), which starts
## again any process that dies and stops each with its whole group. Settings come from the
## environment only (docs/DEPLOY.md); migrations run as DATABASE_MIGRATE_URL's role when set.
serve: install messages
	$(BIN)/python manage.py check --deploy --database default
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py migrate --no-input
	@echo "Starting gunicorn on $(HOST):$(PORT), a Celery worker and beat under supervisord; Ctrl-C stops all."
	mkdir -p "$${REGISTRY_VAR_DIR:-$(CURDIR)/var}"
	PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) PORT=$(PORT) \
		REGISTRY_VAR_DIR="$${REGISTRY_VAR_DIR:-$(CURDIR)/var}" \
		$(BIN)/python -m config.foreground $(BIN)/supervisord --configuration deploy/supervisord.conf

# The admin's browser tests drive Debian's chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## test: install the dev tools (and chromium), lint, check types and the architecture's
## import contracts, run the whole test suite, then every benchmark section at a tiny size
## (bench-smoke), so that a benchmark that stops running fails the build.
test: install-dev chromium messages lint
	$(BIN)/python -m pytest
	$(MAKE) bench-smoke

## lint: ruff (style, and no door opening a transaction), mypy (strict on registry/,
## projects/domain/ and projects/application/), import-linter (docs/ARCHITECTURE.md).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(VENV)/.installed-bench: requirements/bench.txt $(VENV)/.installed-dev | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/bench.txt
	touch $@

## bench: speed and memory on SQLite and PostgreSQL, beside the alternatives; rewrites the
## figures in docs/BENCHMARKS.md (everything below its "written by make bench" line).
bench: $(VENV)/.installed-bench
	DJANGO_SETTINGS_MODULE=config.settings $(BIN)/python -m bench.run --write docs/BENCHMARKS.md

## bench-smoke: every section at its smallest size, on the backend DATABASE_URL names
## (SQLite by default), its report written as `make bench` writes BENCHMARKS.md (to a
## scratch file under var/); fails if any section fails. Part of `make test`.
bench-smoke: $(VENV)/.installed-bench
	mkdir -p "$${REGISTRY_VAR_DIR:-var}"
	DJANGO_SETTINGS_MODULE=config.settings $(BIN)/python -m bench.run --smoke \
		--write "$${REGISTRY_VAR_DIR:-var}/bench-smoke.md"

$(VENV)/.installed-load: requirements/load.txt $(VENV)/.installed-dev | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/load.txt
	touch $@

## reliability: the reliability suite on PostgreSQL and Redis (DATABASE_URL and CELERY_BROKER_URL,
## default this machine's) with many more property examples than `make test`, the
## ledger-head throughput and the load run (locust; LOAD_SECONDS, LOAD_USERS make it longer
## or busier); rewrites docs/RELIABILITY.md. Takes a few minutes.
reliability: install-dev chromium messages $(VENV)/.installed-load
	LOAD_SECONDS=$(LOAD_SECONDS) LOAD_USERS=$(LOAD_USERS) $(BIN)/python -m reliability.run

clean:
	rm -rf $(VENV) var

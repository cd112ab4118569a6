# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The web port for `make run` (honcho hands it to the web process as $PORT): `make run PORT=8001`.
PORT ?= 8000

.PHONY: run test install install-dev lint format messages bench-read bench-cosign bench-fanout clean

$(VENV)/bin/activate:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install -q -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run — the embedded default: SQLite (WAL), filesystem broker, mail to var/mail/
run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_data
	$(PY) manage.py demo_rounds
	@echo ""
	@echo "  Coalition is starting at http://127.0.0.1:$(PORT)  (API docs: /api/docs/, admin: /admin/)"
	@echo "  Demo logins (password for all: coalition-demo):"
	@echo "    organiser  olivia@demo.coalition.test   (also staff: admin)"
	@echo "    member     mei@demo.coalition.test"
	@echo "    member     sam@demo.coalition.test"
	@echo "  Emails are written to var/mail/ and echoed here; a platform's reply dropped into"
	@echo "  var/inbox/ as an .eml file is read within a minute. Ctrl-C stops everything."
	@echo ""
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(VENV)/bin/honcho start -f Procfile -p $(PORT)

## make test — installs the dev tools and runs the whole suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)
test: install-dev
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages:
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

bench-read: install-dev
	$(PY) bench/read.py

bench-cosign: install-dev
	$(PY) bench/cosign.py

bench-fanout: install-dev
	$(PY) bench/fanout.py

clean:
	rm -rf var staticfiles

# xieguan — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint typecheck migrations-check pytest bench prod-smoke fmt clean fuzz

$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "xieguan needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadregions --province 52
	$(PY) manage.py seeddemo

run: setup
	@echo "xieguan: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

# The fuzz tests with a larger budget (the suite runs them with 3 examples per page, 9 per API operation).
fuzz: $(STAMP)
	XIEGUAN_FUZZ_EXAMPLES=$${XIEGUAN_FUZZ_EXAMPLES:-50} $(PY) -m pytest xieguan/lib/tests/test_fuzz.py -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) manage.py bench $(BENCH_ARGS)

# nginx + gunicorn with DEBUG=false on 127.0.0.1 and a browser journey through them
# (needs nginx, openssl, chromium and a PostgreSQL at SMOKE_PG; scripts/prod_smoke.py)
prod-smoke: $(STAMP)
	$(PY) scripts/prod_smoke.py

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/static var/test-artifacts

# The two commands: `make run` (local stack with demo data) and `make test` (every test).
# Each installs what it needs into .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | sha1sum | cut -c1-12)

.PHONY: run test lint bench outbox token import export-readings system-account clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m scripts.local_stack

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n 2 --dist loadgroup --durations=10

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(PY) -m bench.run_all

outbox: $(STAMP)
	$(PY) -m scripts.outbox

token: $(STAMP)
	@$(PY) -m scripts.outbox --token $(PAGE)

import: $(STAMP)
	$(PY) -m scripts.import_batch $(FILE)

export-readings: $(STAMP)
	$(PY) -m scripts.export_readings

system-account: $(STAMP)
	$(PY) -m scripts.system_account --login $(LOGIN) --email $(EMAIL) --role $(or $(ROLE),integration)

clean:
	rm -rf $(VENV) .local

# The two commands: `make run` (local stack with demo data) and `make test` (every test).
# Each installs what it needs into .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | sha1sum | cut -c1-12)
# Tools that pin packages the test tools conflict with, each in its own venv.
CHECKOV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV)/.installed-$(shell sha1sum requirements-checkov.txt | cut -c1-12)
DEPLOY := .venv-deploy
DEPLOY_STAMP := $(DEPLOY)/.installed-$(shell sha1sum requirements-deploy.txt | cut -c1-12)
PREFIX ?= ibok

# Playwright drives Debian's chromium; it never downloads a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
CHROMIUM ?= /usr/bin/chromium

.PHONY: browser run test lint infra-checks deploy bench outbox token import export-readings job system-account staff-account staff-totp-reset clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	@test -x $(CHECKOV)/bin/python || $(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@rm -f $(CHECKOV)/.installed-*
	@touch $(CHECKOV_STAMP)

$(DEPLOY_STAMP): requirements-deploy.txt
	@test -x $(DEPLOY)/bin/python || $(PYTHON) -m venv $(DEPLOY)
	$(DEPLOY)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	@rm -f $(DEPLOY)/.installed-*
	@touch $(DEPLOY_STAMP)

# The browser tests' Chromium: Debian's package, installed with apt when missing (as root,
# or through passwordless sudo); otherwise stop and say how.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    sudo -n apt-get update -q && sudo -n apt-get install -y -q chromium; \
	  else \
	    echo "Testy przeglądarkowe potrzebują Chromium z Debiana ($(CHROMIUM))."; \
	    echo "Zainstaluj go: sudo apt-get install -y chromium   (albo ustaw CHROMIUM=<ścieżka>)"; \
	    exit 1; \
	  fi; }
	@test -x $(CHROMIUM) || { echo "Brak $(CHROMIUM) po instalacji."; exit 1; }

run: $(STAMP)
	$(PY) -m scripts.local_stack

test: $(STAMP) $(CHECKOV_STAMP) browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m infra.checks
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest -n 2 --dist loadgroup --durations=10

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# cfn-lint and checkov on every template and on the merged app template (part of test).
infra-checks: $(STAMP) $(CHECKOV_STAMP)
	$(PY) -m infra.checks

# make deploy STAGE=<name> [PREFIX=<utility prefix>]: build and deploy the three stacks
# with the caller's AWS credentials (docs/deploy.md).
deploy: $(STAMP) $(DEPLOY_STAMP)
	@test -n "$(STAGE)" || { echo "usage: make deploy STAGE=<name> [PREFIX=ibok-<utility>]"; exit 2; }
	$(PY) -m infra.deploy --stage $(STAGE) --prefix $(PREFIX)

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

# make job NAME=<job>: run one scheduled job now (scripts/job.py lists them).
job: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make job NAME=<job> (complaint-digest, export-readings, invoice-reminders, new-invoices, reading-window, certification-digest, announcements, expire-unactivated, terminations, cleanup)"; exit 2; }
	$(PY) -m scripts.job $(NAME)

system-account: $(STAMP)
	$(PY) -m scripts.system_account --login $(LOGIN) --email $(EMAIL) --role $(or $(ROLE),integration)

# A staff account (ROLE=staff|admin) with its TOTP second factor; prints the otpauth:// URI
# on the local stage.
staff-account: $(STAMP)
	$(PY) -m scripts.staff_account --login $(LOGIN) --email $(EMAIL) --role $(or $(ROLE),staff)

# A new TOTP secret for a staff account (lost phone, or locked after 100 failed codes).
staff-totp-reset: $(STAMP)
	$(PY) -m scripts.staff_account --login $(LOGIN) --reset-totp

clean:
	rm -rf $(VENV) $(CHECKOV) $(DEPLOY) .local build

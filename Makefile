# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench venv browser stop clean help

help:  ## this list
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)  ## create or update the virtualenv from requirements-dev.txt

run: $(STAMP)  ## start the local stack and run the metadata refresh (Ctrl-C stops it)
	$(PY) -m local.stack $(ARGS)

browser:  ## install Debian's chromium and chromium-driver when missing (the page's tests drive them)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)

test: $(STAMP) browser  ## run every test (starts and stops what the tests need)
	$(PY) -m pytest $(ARGS)

bench: $(STAMP)  ## print the benchmark figures
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

stop:  ## stop a local PostgreSQL left running by an interrupted run
	-$(PY) -m local.postgres stop --data-dir .local/postgres

clean: stop  ## remove the local state (.local): data, logs, Airflow home
	rm -rf .local

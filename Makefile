# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The MWAA environment of the tests: Python 3.12 (MWAA's) with the constraints of one MWAA
# image. PYTHON312 is python3.12 on the PATH, else pyenv's newest 3.12; set it to use another.
MWAA_VERSION ?= 3.3.1
MWAA_VERSIONS := 3.0.6 3.2.1 3.3.1
PYTHON312 ?= $(shell for p in python3.12 \
	"$$(PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12' | sort -V | tail -1) pyenv which python3.12 2>/dev/null)"; \
	do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v "$$p"; break; }; done)
MWAA_VENV := .venv-mwaa
MWAA_PY := $(MWAA_VENV)/bin/python
MWAA_STAMP := $(MWAA_VENV)/.installed-$(MWAA_VERSION)
MWAA_CONSTRAINTS := -c deploy/mwaa/constraints-$(MWAA_VERSION).txt -c deploy/mwaa/essential-constraints-$(MWAA_VERSION).txt
MWAA_TESTS := tests/test_dag_integrity.py tests/analysis tests/deploy/test_bundle.py

.PHONY: run test test-mwaa venv venv-mwaa dist dist-api bench browser stop clean help

help:  ## this list
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)  ## create or update the virtualenv from requirements-dev.txt

$(MWAA_STAMP): requirements.txt deploy/mwaa/requirements-test.txt deploy/mwaa/constraints-$(MWAA_VERSION).txt
	@test -n "$(PYTHON312)" || { echo "no Python 3.12 found (MWAA runs 3.12): install it, e.g. 'pyenv install 3.12', or set PYTHON312=/path/to/python3.12" >&2; exit 1; }
	@test -x $(MWAA_PY) || $(PYTHON312) -m venv $(MWAA_VENV)
	@rm -f $(MWAA_VENV)/.installed-*
	$(MWAA_PY) -m pip install --quiet --upgrade pip
	$(MWAA_PY) -m pip install --quiet -r deploy/mwaa/requirements-test.txt $(MWAA_CONSTRAINTS)
	$(MWAA_PY) -m pip install --quiet --no-deps -e .
	@touch $(MWAA_STAMP)

venv-mwaa: $(MWAA_STAMP)  ## create .venv-mwaa: Python 3.12 with the constraints of MWAA_VERSION (default 3.3.1)

run: $(STAMP)  ## start the local stack and run the metadata refresh (Ctrl-C stops it)
	$(PY) -m local.stack $(ARGS)

browser:  ## install Debian's chromium and chromium-driver when missing (the page's tests drive them)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)

test: $(STAMP) $(MWAA_STAMP) browser  ## run every test, then the DAG and rule tests on MWAA's Python and pins
	$(PY) -m pytest $(ARGS)
	$(MWAA_PY) -m pytest $(MWAA_TESTS)

test-mwaa: $(MWAA_STAMP)  ## only the DAG integrity, analyzer and rule tests in .venv-mwaa
	$(MWAA_PY) -m pytest $(MWAA_TESTS) $(ARGS)

dist: $(STAMP)  ## write dist/: the MWAA bundle (dags/ with include/, plugins.zip, requirements.txt)
	$(PY) -m deploy.bundle --mwaa-version $(MWAA_VERSION) --output dist

dist-api: $(STAMP)  ## write dist-api/api-lambda.zip: the API's Lambda package (deploy/cloudformation/api.yaml)
	$(PY) -m deploy.api.package --output dist-api

bench: $(STAMP)  ## print the benchmark figures
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

stop:  ## stop a local PostgreSQL left running by an interrupted run
	-$(PY) -m local.postgres stop --data-dir .local/postgres

clean: stop  ## remove the local state (.local): data, logs, Airflow home
	rm -rf .local

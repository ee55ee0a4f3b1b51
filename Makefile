# Backcare: `make run` serves the demo clinic; `make test` runs every check. Both install what
# they need into .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEV := DEBUG=true

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Backcare needs Python 3.11 (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
# uv (pinned, from PyPI) installs the pinned dependencies in about 4 s where pip took 20 to 40.
# It leaves compiling to Python, which compiles each module the first time it is imported, and
# keeps it: Backcare imports about 2,000 of the libraries' 12,000 (the tests of scipy and pandas
# among the rest).
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(DEV) $(BIN)/backcare migrate --noinput
	$(DEV) $(BIN)/backcare collectstatic --noinput --verbosity 0
	$(DEV) $(BIN)/backcare demo --if-empty
	@echo
	@echo "Backcare is starting on http://127.0.0.1:8000 with its email worker  (Ctrl-C stops both)"
	$(DEV) bash scripts/serve.sh 127.0.0.1:8000

test: $(STAMP)
	bash scripts/test.sh

# Availability and a booking race on SQLite and PostgreSQL (throwaway databases, a few
# minutes), every page of the access matrix on 100,000 appointments (bench/pages.py), the first
# analytics load of a just-started server against a warm one (bench/first_load.py), Backcare
# beside django-appointment 3.12.0 installed in its own venv (bench/peer/), then the analytics
# page over 1,000,000 sessions on PostgreSQL (bench/analytics.py); `$(BIN)/python -m
# bench.pages`, `-m bench.first_load`, `-m bench.peer` or `-m bench.analytics` runs only that
# part. Writes
# docs/performance.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backcare tests bench
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf $(VENV) staticfiles

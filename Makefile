# `make run` and `make test` work on a fresh machine: each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint migrate bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The real app when Slack tokens are configured (env or .env), the local playground when not.
run: setup
	$(BIN)/invite-hygiene run

## Every test tier on SQLite and PostgreSQL (PostgreSQL tests skip visibly when no server answers,
## and fail instead when REQUIRE_POSTGRES=1, as in CI).
test: setup
	$(BIN)/python -m pytest

## Benchmarks (not part of `make test`): the full run writes bench/RESULTS.md (~31 min; builds
## the 1M and 10M databases on first use, ~20 min more); the quick run takes about three minutes.
bench: setup
	$(BIN)/python -m bench.run

bench-quick: setup
	$(BIN)/python -m bench.run --quick

lint: setup
	$(BIN)/ruff check .

migrate: setup
	$(BIN)/invite-hygiene migrate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info test-output

# Every target creates and uses its own virtual environment in .venv, so a
# fresh clone needs nothing but Python 3.11 and the package registry.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the main job (see README)
run: $(STAMP)
	$(BIN)/matcher serve --demo

## test: the whole test suite (PostgreSQL tests run when MATCHER_TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## check: lint and type checks (CI runs them after the tests)
check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src api tests benchmarks
	$(BIN)/ruff format --check src api tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

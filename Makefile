# Two commands on a fresh machine with python3 and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/historical-2024.yaml

.PHONY: run test lint typecheck check bench bench-instructions notebook readme-numbers clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: simulate the historical 2024 drawdown and print its score
run: $(STAMP)
	$(BIN)/drawdown run $(SCENARIO)

## test: the whole suite (lint, types, unit, scenario checks, notebooks)
test: $(STAMP)
	$(BIN)/ruff check sim tests bench tools
	$(BIN)/ruff format --check sim tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests bench tools
	$(BIN)/ruff format --check sim tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: speed and memory measurements (not part of the test suite)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## bench-instructions: one replication in instructions (valgrind), repeatable on a busy machine
bench-instructions: $(STAMP)
	$(BIN)/python bench/instructions.py

## notebook: Jupyter in the project's environment (as root too: Jupyter refuses root without --allow-root)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
notebook: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

## readme-numbers: rerun what the README quotes and rewrite its marked regions (tools/readme_numbers.py)
readme-numbers: $(STAMP)
	$(BIN)/python tools/readme_numbers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Two commands on a fresh machine with python3 and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/historical-2024.yaml
# The compiled build (sim/native.py): the model's hot path compiled with mypyc in
# place, again whenever one of its sources changes. Without a C compiler it is
# skipped and the sources run (same results, slower).
NATIVE_SOURCES := setup.py $(wildcard sim/native.py) $(shell $(PYTHON) -c \
	"import runpy; n = runpy.run_path('sim/native.py'); print(*(n['source_path'](m) for m in n['MODULES']))")
COMPILED := build/.compiled

.PHONY: run test lint typecheck check bench bench-instructions notebook readme-numbers compile clean

# Installed without compiling: the next rule compiles in place, in this venv, and
# again whenever a compiled source changes (an editable install would compile twice).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	DRAWDOWN_COMPILE=0 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(COMPILED): $(STAMP) $(NATIVE_SOURCES)
	$(BIN)/python setup.py --quiet build_ext --inplace
	@mkdir -p $(dir $@) && touch $@

## compile: compile the model's hot path with mypyc (run and test do it when needed)
compile: $(COMPILED)

## run: simulate the historical 2024 drawdown and print its score
run: $(COMPILED)
	$(BIN)/drawdown run $(SCENARIO)

## test: the whole suite (lint, types, unit, scenario checks, notebooks)
test: $(COMPILED)
	$(BIN)/ruff check sim tests bench tools setup.py
	$(BIN)/ruff format --check sim tests bench tools setup.py
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests bench tools setup.py
	$(BIN)/ruff format --check sim tests bench tools setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: speed and memory measurements (not part of the test suite)
bench: $(COMPILED)
	$(BIN)/python bench/run.py

## bench-instructions: one replication in instructions (valgrind), repeatable on a busy machine
bench-instructions: $(COMPILED)
	$(BIN)/python bench/instructions.py

## notebook: Jupyter in the project's environment (as root too: Jupyter refuses root without --allow-root)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
notebook: $(COMPILED)
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

## readme-numbers: rerun what the README quotes and rewrite its marked regions (tools/readme_numbers.py)
readme-numbers: $(COMPILED)
	$(BIN)/python tools/readme_numbers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build sim/native.json
	find sim -name '*.so' -delete

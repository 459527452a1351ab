PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv demo test lint format eval bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install sleuth with its dev extras

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python >= 3.11) on PATH, or run: make PY=python3 ..."; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: venv  ## replay a built-in incident offline and print the report
	$(BIN)/sleuth demo

lint: venv  ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv lint  ## lint, then the whole pytest suite
	$(BIN)/pytest -n 2

eval: venv  ## score the agent over the built-in scenarios (the CI gate's command)
	$(BIN)/sleuth eval --suite builtin --seeds 1-2 --jobs 2 --gate

bench: venv  ## replay-engine benchmarks on a large generated bundle
	$(BIN)/python -m evals.bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

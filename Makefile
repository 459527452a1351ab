PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Pinned versions (uv pip compile from pyproject.toml; `make lock` re-pins): requirements.txt is the runtime
# (what the Lambda's SAM build installs), requirements-dev.txt adds the dev extras.
LOCK := requirements-dev.txt

.PHONY: help venv demo test lint format eval bench lock install-check clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install sleuth with its dev extras

$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python >= 3.11) on PATH, or run: make PY=python3 ..."; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
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

eval: venv  ## score the agent over the built-in scenarios and the whole fresh suite, against the floors
	$(BIN)/sleuth eval --suite builtin --seeds 1-2 --jobs 2 --gate
	$(BIN)/sleuth eval --suite fresh --seeds 1 --jobs 2 --gate

bench: venv  ## replay-engine benchmarks on a large generated bundle
	$(BIN)/python -m evals.bench

lock: venv  ## re-pin requirements.txt and requirements-dev.txt from pyproject.toml with uv
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -q --custom-compile-command "make lock" -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q --custom-compile-command "make lock" -o requirements-dev.txt

install-check:  ## install into a clean virtualenv without extras, then run `sleuth demo` there
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python >= 3.11) on PATH, or run: make PY=python3 ..."; exit 1; }
	rm -rf build/install-check && $(PY) -m venv build/install-check
	build/install-check/bin/python -m pip install --quiet -c requirements.txt .
	cd build && AWS_EC2_METADATA_DISABLED=true install-check/bin/sleuth demo --quiet > install-check/demo.txt
	grep -q "VERDICT: Root cause found" build/install-check/demo.txt
	@echo "clean install ok: $$(du -sh build/install-check/lib | cut -f1) installed; sleuth demo found the root cause"

clean:  ## remove the virtualenv, build output and tool caches
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

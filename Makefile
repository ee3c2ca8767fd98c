# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test ingest bench eval clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"Python 3.12 is needed, {sys.executable} is {sys.version.split()[0]}: install it (pyenv install 3.12) or run make PYTHON=/path/to/python3.12"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,sentence-transformers]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

ingest: install
	$(BIN)/assistant ingest

## make run: create .venv, install, ingest the sample articles, then ask questions at a prompt
run: ingest
	$(BIN)/assistant search

## make test: install with the test and sentence-transformers extras, then run every test
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/bench_index.py

eval: install
	$(BIN)/python bench/retrieval_eval.py

clean:
	rm -rf $(VENV) data/index

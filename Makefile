# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast install install-test browser ingest bench eval clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"Python 3.12 is needed, {sys.executable} is {sys.version.split()[0]}: install it (pyenv install 3.12) or run make PYTHON=/path/to/python3.12"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

# the test extras pull torch (a CUDA build from PyPI): about 7 GB in .venv plus the downloads while installing
$(VENV)/.installed-test: $(VENV)/.installed
	@free=$$(df -Pk . | awk 'NR==2 {print int($$4 / 1048576)}'); [ "$$free" -ge 10 ] || \
	  echo "WARNING: $$free GB free on $$(df -P . | awk 'NR==2 {print $$6}'); the test install needs about 10 GB" \
	    "(torch and its CUDA libraries): free some space if pip stops with 'No space left on device'"
	$(BIN)/pip install --quiet -e '.[test,sentence-transformers]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

ingest: install
	$(BIN)/assistant ingest

## make run: create .venv, install, then serve the chat, widget and API (ingests the samples into an empty index)
run: install
	$(BIN)/assistant serve

## the browser tests drive Debian's Chromium (never `playwright install`, which downloads)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "WARNING: chromium is missing and cannot be installed here (needs root and apt-get):" \
	    "the browser tests will be skipped"; fi; }

## make test: install with the test and sentence-transformers extras and Chromium, then run every test
test: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-fast: the unit and in-process tests over shared indexes (no browser, no torch, no process or index
## of its own per test): under a minute
FAST_LANE := not (slow or subprocess or browser or torch or ingest)
test-fast: install-test
	$(BIN)/python -m pytest -q -m "$(FAST_LANE)" $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/bench_index.py

eval: install
	$(BIN)/python bench/retrieval_eval.py

clean:
	rm -rf $(VENV) data/index

## make docs: write docs/settings.md and docs/cli.md from Settings and the CLI's parser (tests/test_docs.py checks them)
.PHONY: docs
docs: install
	$(BIN)/python -m ui.reference --write

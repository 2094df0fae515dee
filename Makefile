# Hearth: `make run` starts the app, `make test` runs the whole suite. Both set everything up
# first and skip what is already done (stamp files), so a second run is fast.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HEARTH := $(VENV)/bin/hearth
STAMP := $(VENV)/.hearth-installed
# Build llama.cpp without its examples, tools, server, tests and the multimodal (llava/mtmd)
# library: they are never used here and roughly halve the first from-source compile. The CPU
# kernels keep -march=native (GGML_NATIVE, the default), so run-time speed is unchanged.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup models prepare browser lint bench eval clean

run: prepare
	$(HEARTH) ui

# The suite shares one trained red-flag head (derived from team-written data only) in
# .pytest_cache, trained here once rather than inside the first test that needs it.
test: prepare browser
	HEARTH_CACHE=$(CURDIR)/.pytest_cache/hearth-cache $(HEARTH) prepare
	$(PY) -m pytest -q -rfE tests

setup: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	# torch first, pinned to the CPU build, so nothing below pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

models: $(STAMP)
	$(HEARTH) models install

prepare: models
	$(HEARTH) prepare

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant ui scripts tests
	$(VENV)/bin/ruff format --check assistant ui scripts tests
	$(VENV)/bin/mypy assistant ui

bench: prepare
	$(PY) scripts/bench.py

eval: prepare
	$(PY) scripts/eval_coach.py ../shared/eval
	$(PY) scripts/eval_redflags.py ../shared/eval
	$(PY) scripts/eval_safety.py ../shared/eval

clean:
	rm -rf $(VENV) build *.egg-info

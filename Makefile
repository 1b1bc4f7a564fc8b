# The course's two commands: `make lab` (set up, then start JupyterLab on your own copy of the
# lessons in my-work/) and `make test`.
# Everything installs into .venv; re-running is fast because each install step leaves a stamp
# file that is only redone when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# Students work in their own copy, which git ignores; updating the course never touches it.
WORK ?= my-work
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: lab lab-originals test lint bench bench-widgets clean-venv help
.DEFAULT_GOAL := help

help:
	@echo "make lab    set up .venv (first time), copy the lessons into $(WORK)/ (never overwriting"
	@echo "            your work) and start JupyterLab there"
	@echo "make lab-originals  for authors: start JupyterLab on the course's own tracked notebooks"
	@echo "make test   set up .venv with test extras and run every test"
	@echo "make bench  time the core against bare numpy, the whole course headless, grading 30 submissions"
	@echo "            and the Gradescope autograder against gdcourse grade"
	@echo "make bench-widgets  time explorer controls in JupyterLab (needs chromium)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gdcourse needs Python 3.11 or newer; this is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 lab")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab-installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installing the course and its pinned dependencies into $(VENV) (first time: a few minutes)..."
	$(PIP_INSTALL) -e .
	@# The news toast needs the internet and covers widgets; students are often offline.
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyterlab/apputils-extension:announcements >/dev/null 2>&1 || echo "note: could not turn off the JupyterLab news toast (harmless)"
	@touch $@

$(VENV)/.test-installed: $(VENV)/.lab-installed
	$(PIP_INSTALL) -e '.[test]'
	@touch $@

# `gdcourse lab` copies only the notebooks missing from $(WORK)/, serves that folder at its first
# lesson and prints the URL (no browser: this works on remote machines too); as root it adds
# --allow-root.
lab: $(VENV)/.lab-installed
	$(BIN)/gdcourse lab "$(WORK)" --port=$(PORT)

lab-originals: $(VENV)/.lab-installed
	$(BIN)/gdcourse lab --originals --port=$(PORT)

# axe-core, the accessibility engine the browser tests inject into each page: the npm registry's
# package at a pinned version and checksum, fetched once into the venv (never a CDN). Without npm
# the accessibility tests skip locally and fail in CI (.ci/run installs npm).
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE_DIR := $(VENV)/axe-core-$(AXE_VERSION)
export GDCOURSE_AXE_JS := $(abspath $(AXE_DIR))/axe.min.js

$(AXE_DIR)/axe.min.js: | $(BIN)/python
	@if ! command -v npm >/dev/null; then \
		echo "note: npm not found, so the accessibility tests cannot fetch axe-core $(AXE_VERSION) (apt-get install npm)"; \
	else \
		rm -rf $(VENV)/axe-download && mkdir -p $(VENV)/axe-download && \
		(cd $(VENV)/axe-download && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null) && \
		echo "$(AXE_SHA256)  $(VENV)/axe-download/axe-core-$(AXE_VERSION).tgz" | sha256sum -c --quiet && \
		mkdir -p $(AXE_DIR) && \
		tar -xzf $(VENV)/axe-download/axe-core-$(AXE_VERSION).tgz -C $(AXE_DIR) --strip-components=1 package/axe.min.js package/LICENSE && \
		rm -rf $(VENV)/axe-download; \
	fi

# Two pytest workers share two cores: BLAS threads of their own would fight over them (the
# digits grid took 23 s a worker with them, 8 s without; benchmarks/blas_threads.py measures it).
test: export OPENBLAS_NUM_THREADS := 1
test: export OMP_NUM_THREADS := 1
test: export MKL_NUM_THREADS := 1
# pytest exits 5 when it collected nothing: say so loudly, and fail.
test: $(VENV)/.test-installed $(AXE_DIR)/axe.min.js
	$(BIN)/ruff check .
	@$(BIN)/python -m pytest -n 2 --dist loadscope $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: FAILED - pytest collected no tests (a path or test file is missing)."; fi; \
	exit $$rc

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/core_overhead.py
	$(BIN)/python benchmarks/course_runtime.py
	$(BIN)/python benchmarks/grading_time.py
	$(BIN)/python benchmarks/autograder_time.py

bench-widgets: $(VENV)/.test-installed
	$(PIP_INSTALL) -e '.[test,bench]'
	$(BIN)/python benchmarks/widget_latency.py

clean-venv:
	rm -rf $(VENV)

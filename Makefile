# Two commands on a fresh machine with only Python (>= 3.11), pip and make:
# `make demo` (runtime dependencies only) and `make test` (adds the test extras).
# Another interpreter: `make test PYTHON=python3.13`; the venv is rebuilt for it.
PYTHON ?= python3
VENV ?= .venv
# pyenv's shims run only the versions pyenv has selected: where PYTHON does not run,
# an interpreter of that name that pyenv installed is used (the newest, by name).
PYENV_ROOT ?= $(HOME)/.pyenv
ASKED_PYTHON := $(PYTHON)
ifneq ($(shell $(PYTHON) -c 'print("ok")' 2>/dev/null),ok)
override PYTHON := $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/*/bin/$(notdir $(PYTHON)))))
endif
PY := $(VENV)/bin/python
# --no-compile: `make demo` does not byte-compile all of botocore and mitmproxy up front
# (about half of its install); what it imports compiles as it is imported.
PIP_QUIET := -q --disable-pip-version-check --no-compile
PIP := $(PY) -m pip install $(PIP_QUIET) --no-build-isolation --check-build-dependencies

# Stamps name the interpreter's version, so asking for another one starts a new venv
# instead of mixing two Pythons' packages in one.
PY_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'))
ifeq ($(PY_VERSION),)
$(error PYTHON=$(ASKED_PYTHON) does not run: name an installed interpreter, e.g. make test PYTHON=python3.13)
endif
VENV_STAMP := $(VENV)/.made-by-python$(PY_VERSION)
RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP := $(VENV)/.test-installed
CI_STAMP := $(VENV)/.ci-installed

.PHONY: install install-runtime demo test lint nox bench clean

# The venv is made without pip and given the newest pip by the interpreter's own pip,
# uncompiled: ensurepip would install and byte-compile its bundled pip (3 s of CPU).
# Where the interpreter has no pip of its own, ensurepip it is. The build backend
# pyproject.toml names is installed once, here, so no install makes a throwaway build
# environment for it (--no-build-isolation; --check-build-dependencies stops loud if
# pyproject.toml asks for more than the venv has: `make clean` then).
BUILD_REQUIRES := $(shell $(PYTHON) -c 'import tomllib; print(" ".join(repr(r) for r in \
	tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
$(VENV_STAMP):
	rm -rf $(VENV)
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(PY) install $(PIP_QUIET) pip $(BUILD_REQUIRES) \
		|| { $(PY) -m ensurepip -q && $(PY) -m pip install $(PIP_QUIET) $(BUILD_REQUIRES); }
	touch $@

$(RUNTIME_STAMP): $(VENV_STAMP) pyproject.toml
	$(PIP) -e .
	touch $@

# The suite starts hundreds of Python processes: everything is byte-compiled once here
# (where PYTHONDONTWRITEBYTECODE is set, each would compile botocore and mitmproxy again).
$(TEST_STAMP): $(RUNTIME_STAMP)
	$(PIP) -e '.[test]'
	$(PY) -m compileall -qq -j 0 $(VENV)/lib || true  # a cache: a file it cannot compile is no error
	touch $@

install-runtime: $(RUNTIME_STAMP)

install: $(TEST_STAMP)

demo: $(RUNTIME_STAMP)
	$(VENV)/bin/smsvoice-sim demo

# The AWS SDK for JavaScript, pinned by tests/js/package-lock.json, for the
# cross-client tests. Where Node.js is absent those tests skip and say so.
JS_STAMP := tests/js/node_modules/.installed-stamp
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error && touch $(JS_STAMP); \
	else echo "npm not found: the JavaScript SDK tests will be skipped"; fi

# mypy reads its settings (the packages, the untyped libraries) from pyproject.toml.
test: $(TEST_STAMP) $(JS_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n auto --dist loadfile

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The sessions of noxfile.py: other Pythons and the botocore floor, each in its own
# venv under .nox/. e.g. `make nox ARGS="-s smoke-3.13"`; `make nox ARGS=-l` lists them.
$(CI_STAMP): $(TEST_STAMP)
	$(PIP) -e '.[test,ci]'
	touch $@

nox: $(CI_STAMP)
	$(VENV)/bin/nox $(ARGS)

bench: $(TEST_STAMP)
	$(PIP) -e '.[test,bench]'
	$(PY) -m bench

clean:
	rm -rf $(VENV) .nox .mypy_cache build src/*.egg-info tests/js/node_modules

# simfunnel — two commands for a trainer: `make lab` (JupyterLab on notebooks/)
# and `make test`. Every target sets up .venv first; the install step only runs
# again when pyproject.toml is newer than the stamp .venv/.installed.
#
#   make lab                 JupyterLab on notebooks/ (PORT=8888, 127.0.0.1)
#   make test                whole test suite, 2 workers (PYTEST_ARGS="-k plots" to narrow)
#   make bench               benchmarks/run.py
#   make dataset             regenerate datasets/workshop (seed 2026)
#
# Variables: PYTHON (interpreter that creates the venv, default python3),
# VENV (.venv), PORT (8888), PYTEST_ARGS (extra pytest arguments).

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8888
PYTEST_ARGS ?=

VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PIP := $(VPY) -m pip --disable-pip-version-check

# JupyterLab flags: no browser in CI or without a display (macOS always has one),
# --allow-root when run as root (Jupyter refuses to start as root otherwise).
LAB_FLAGS := --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT)
ifneq ($(strip $(CI)),)
LAB_FLAGS += --no-browser
else ifeq ($(strip $(DISPLAY)$(WAYLAND_DISPLAY)),)
ifneq ($(shell uname -s 2>/dev/null),Darwin)
LAB_FLAGS += --no-browser
endif
endif
ifeq ($(shell id -u 2>/dev/null),0)
LAB_FLAGS += --allow-root
endif

.PHONY: lab test bench dataset setup

setup: $(STAMP)

# A venv whose python is missing (or a dangling link to a removed interpreter:
# make's stat() follows links) is rebuilt from scratch; --clear empties the folder.
$(VPY):
	@echo "creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv --clear $(VENV)

# Order-only on $(VPY): a rebuilt venv has no stamp, so the install runs again.
$(STAMP): pyproject.toml | $(VPY)
	@echo "installing simfunnel into $(VENV) (pip install -e '.[test]')"
	$(PIP) install --quiet --progress-bar off -e '.[test]'
	@touch $@

lab: $(STAMP)
	@mkdir -p notebooks
	$(VENV)/bin/jupyter lab $(LAB_FLAGS)

test: $(STAMP)
	$(VPY) -m pytest -n 2 --dist loadfile --doctest-modules --nbval-lax --nbval-current-env simfunnel tests notebooks $(PYTEST_ARGS)

bench: $(STAMP)
	$(VPY) benchmarks/run.py

dataset: $(STAMP)
	$(VENV)/bin/simfunnel generate --seed 2026 --out datasets/workshop

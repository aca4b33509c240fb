# simfunnel — two commands for a trainer: `make lab` (JupyterLab on notebooks/)
# and `make test`. Every target sets up .venv first; the install step only runs
# again when pyproject.toml is newer than the stamp .venv/.installed.
#
#   make lab                 JupyterLab on notebooks/ (PORT=8888, 127.0.0.1)
#   make app                 the no-code app: Voilà on the trainee notebooks (PORT=8866, 127.0.0.1);
#                            make app PORT=8866 IP=0.0.0.0 WORKSHOP=path/to/workshop-folder
#   make test                lint-imports (the layers), then the whole test suite, 2 workers (PYTEST_ARGS="-k plots" to narrow)
#   make bench               benchmarks/run.py
#   make dataset             regenerate datasets/workshop (seed 2026)
#
# Variables: PYTHON (interpreter that creates the venv, default python3),
# VENV (.venv), PORT (8888; 8866 for app), IP (app only: 127.0.0.1; 0.0.0.0 to serve the room),
# WORKSHOP (app only: the folder of `simfunnel workshop init`, given to the notebooks as
# SIMFUNNEL_WORKSHOP), PYTEST_ARGS (extra pytest arguments).

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

# `make app`: the app's port is PORT when given (command line or environment), else 8866.
APP_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8866)
IP ?= 127.0.0.1
WORKSHOP ?=
# Voilà serves a folder holding links to the trainee notebooks only: the trainer copies
# (solutions) and the sources are not reachable from the app, not just unlisted.
APP_ROOT := $(VENV)/app
# Code hidden (strip_sources), no browser, and no silent move to another port when PORT is taken.
APP_FLAGS := --no-browser --port=$(APP_PORT) --Voila.ip=$(IP) --Voila.port_retries=0 \
	--VoilaConfiguration.strip_sources=True --VoilaConfiguration.show_tracebacks=False

.PHONY: lab app test bench dataset setup

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

app: $(STAMP)
	@rm -rf $(APP_ROOT) && mkdir -p $(APP_ROOT)
	@ln -s "$(CURDIR)/notebooks/en" "$(APP_ROOT)/en" && ln -s "$(CURDIR)/notebooks/zh" "$(APP_ROOT)/zh"
ifneq ($(strip $(WORKSHOP)),)
	@$(VENV)/bin/simfunnel workshop status --dir "$(WORKSHOP)" >/dev/null || \
		{ echo "WORKSHOP=$(WORKSHOP) is not a workshop folder: create one with" \
		       "$(VENV)/bin/simfunnel workshop init --dir $(WORKSHOP) --teams 6 --seed 2026" >&2; exit 2; }
	@echo "workshop: $(abspath $(WORKSHOP)) (trainees join it in zh/08_workshop_play or en/08_workshop_play)"
endif
	@host="$(IP)"; if [ "$$host" = "0.0.0.0" ]; then \
		host=$$(hostname -I 2>/dev/null | awk '{print $$1}'); host="$${host:-ADDRESS-OF-THIS-MACHINE}"; fi; \
		echo ""; echo "  Open  http://$$host:$(APP_PORT)/   (学员打开这个地址; Ctrl+C stops the app)"; \
		echo "  e.g.  http://$$host:$(APP_PORT)/voila/render/zh/08_workshop_play.ipynb"; echo ""
	export SIMFUNNEL_WORKSHOP="$(if $(strip $(WORKSHOP)),$(abspath $(WORKSHOP)),$(SIMFUNNEL_WORKSHOP))"; \
		exec $(VENV)/bin/voila $(APP_ROOT) $(APP_FLAGS)

test: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	$(VPY) -m pytest -n 2 --dist loadfile --doctest-modules --nbval-lax --nbval-current-env simfunnel tests notebooks $(PYTEST_ARGS)

bench: $(STAMP)
	$(VPY) benchmarks/run.py

dataset: $(STAMP)
	$(VENV)/bin/simfunnel generate --seed 2026 --out datasets/workshop

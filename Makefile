# simfunnel — two commands for a trainer: `make lab` (JupyterLab on notebooks/)
# and `make test`. Every target sets up .venv first; the install step only runs
# again when pyproject.toml is newer than the stamp .venv/.installed.
#
#   make lab                 JupyterLab on notebooks/ (PORT=8888, 127.0.0.1)
#   make app                 the room app: one Python process (Solara) serves every trainee's page
#                            (PORT=8866, 127.0.0.1); make app IP=0.0.0.0 WORKSHOP=path/to/workshop-folder
#   make test                lint-imports (the layers), then the whole test suite, 2 workers (PYTEST_ARGS="-k plots" to narrow)
#   make bench               benchmarks/run.py
#   make dataset             regenerate datasets/workshop (seed 2026)
#
# Variables: PYTHON (interpreter that creates the venv, default python3),
# VENV (.venv), PORT (8888; 8866 for app), IP (app only: 127.0.0.1; 0.0.0.0 to serve the room),
# WORKSHOP (app only: the folder of `simfunnel workshop init`, given to the app as
# SIMFUNNEL_WORKSHOP; without it the app runs a demo workshop), APP_QR (app only: where the QR code
# of the address is written, .venv/app-address.png), TITLE (app only: the workshop's name on the pages;
# default the folder's name), PYTEST_ARGS (extra pytest arguments).

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8888
PYTEST_ARGS ?=
LAB_ARGS ?=

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
# The QR code of the address, for the projector; the workshop's name on the pages.
APP_QR ?= $(VENV)/app-address.png
TITLE ?=
# One process serves every page (a virtual kernel each). A page gone (tab closed, laptop asleep) frees
# its kernel — and stops its board's round clock — 20 s after its connection dropped (Solara: 24 h);
# no usage reports and no version check (the room may have no internet); Solara's own banner off.
# MALLOC_ARENA_MAX=2: each lesson page runs in a thread of its own, and glibc gave each thread's allocations
# an arena it kept after the page closed (8 lesson pages, 5 times: RSS 316 → 470 MiB; with 2 arenas it
# levels at ~340 MiB).
# COLUMNS/LINES: each page's IPython shell builds argparse parsers for its script magics, and each asked
# the terminal for its size (17 % of a page's server CPU); set, it does not ask.
APP_ENV := SOLARA_KERNEL_CULL_TIMEOUT=20s SOLARA_TELEMETRY_MIXPANEL_ENABLE=false SOLARA_THEME_SHOW_BANNER=false \
	SOLARA_THEME_LOADER=plain PYTHONWARNINGS="ignore:Cookies with samesite=none" MALLOC_ARENA_MAX=2 COLUMNS=100 LINES=40

.PHONY: lab app test bench dataset setup guide

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

# `make lab LANG=zh`: JupyterLab's menus in Simplified Chinese (its language pack), the news pop-up off. The
# settings go to a folder of the venv (JUPYTERLAB_SETTINGS_DIR), one per language; LANG as a locale
# (zh_CN.UTF-8) counts as zh too, anything else is English.
LAB_LANG := $(if $(filter zh%,$(LANG)),zh,en)
LAB_SETTINGS := $(VENV)/lab-settings/$(LAB_LANG)
lab: $(STAMP)
	@mkdir -p notebooks "$(LAB_SETTINGS)/@jupyterlab/translation-extension" "$(LAB_SETTINGS)/@jupyterlab/apputils-extension"
	@printf '{"locale": "%s"}\n' "$(if $(filter zh,$(LAB_LANG)),zh_CN,en)" \
		> "$(LAB_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
	@printf '{"fetchNews": "false", "checkForUpdates": false}\n' \
		> "$(LAB_SETTINGS)/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
	JUPYTERLAB_SETTINGS_DIR="$(abspath $(LAB_SETTINGS))" LANG=C.UTF-8 $(VENV)/bin/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

app: $(STAMP)
ifneq ($(strip $(WORKSHOP)),)
	@$(VENV)/bin/simfunnel workshop status --dir "$(WORKSHOP)" >/dev/null || \
		{ echo "WORKSHOP=$(WORKSHOP) is not a workshop folder: create one with" \
		       "$(VENV)/bin/simfunnel workshop init --dir $(WORKSHOP) --teams 6 --seed 2026" >&2; exit 2; }
endif
	@$(VPY) -m simfunnel.app.serve --host "$(IP)" --port "$(APP_PORT)" --qr "$(APP_QR)" \
		--workshop "$(if $(strip $(WORKSHOP)),$(abspath $(WORKSHOP)),$(SIMFUNNEL_WORKSHOP))"
	export SIMFUNNEL_WORKSHOP="$(if $(strip $(WORKSHOP)),$(abspath $(WORKSHOP)),$(SIMFUNNEL_WORKSHOP))" \
		SIMFUNNEL_APP_TITLE="$(TITLE)" $(APP_ENV); \
		exec $(VENV)/bin/solara run simfunnel.app.pages --production --host "$(IP)" --port "$(APP_PORT)" \
		--no-check-version

test: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	$(VPY) -m pytest -n 2 --dist loadfile --doctest-modules --nbval-lax --nbval-current-env simfunnel tests notebooks $(PYTEST_ARGS)

# `make guide`: the facilitator guide, the trainee workbook and the opening slides, zh and en, as HTML and (with
# Debian's Chromium) PDF, in guide/build/. ADDRESS=http://… puts the app's address and its QR code on the join slide.
guide: $(STAMP)
	MPLBACKEND=Agg $(VPY) guide/build.py --out guide/build $(if $(strip $(ADDRESS)),--address "$(ADDRESS)")

bench: $(STAMP)
	$(VPY) benchmarks/run.py
	$(VPY) benchmarks/room.py --pages 30

dataset: $(STAMP)
	$(VENV)/bin/simfunnel generate --seed 2026 --out datasets/workshop

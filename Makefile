# The README's commands. `make run` and `make test` work on a fresh machine with nothing else done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NEMT_DATABASE_URL ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench system-deps browser-deps clean lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Debian packages the browser tests need (Chromium for Playwright). Installed only when missing.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	  || { echo "could not install chromium (need root and Debian's package index)"; exit 1; }; \
	fi

system-deps: browser-deps

run: install
	$(BIN)/nemt db upgrade
	$(BIN)/nemt demo seed
	$(BIN)/nemt serve --host $(HOST) --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest

# Every benchmark at its documented settings, each beside its named baseline; results under var/bench/.
# The DARP run (48 instances x 60 s, ours and OR-Tools side by side) takes about 50 minutes on 2 cores.
SHARED ?= ../shared
bench: install
	mkdir -p var/bench
	$(BIN)/nemt bench geo | tee var/bench/geo.txt
	$(BIN)/nemt bench claims | tee var/bench/claims.txt
	$(BIN)/nemt bench insertion | tee var/bench/insertion.txt
	$(BIN)/nemt bench darp --data $(SHARED)/data/darp --time-limit 60 --baseline ortools \
	  --solutions var/bench/darp-solutions --out var/bench/darp.csv

# Re-pin the dependencies after changing pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^nemt' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache nemt.db

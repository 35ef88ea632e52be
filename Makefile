# The README's commands. `make run` and `make test` work on a fresh machine with nothing else done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NEMT_DATABASE_URL ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-suite test-moved-clock lint bench system-deps browser-deps clock-deps clean lock

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

# Debian's libfaketime, for the second run of the suite with the clock moved (see test-moved-clock).
clock-deps:
	@if ! command -v faketime >/dev/null; then \
	  echo "installing Debian faketime for the moved-clock run"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null) \
	  || { echo "could not install faketime (need root and Debian's package index)"; exit 1; }; \
	fi

system-deps: browser-deps clock-deps

run: install
	$(BIN)/nemt db upgrade
	$(BIN)/nemt demo seed
	$(BIN)/nemt serve --host $(HOST) --port $(PORT)

# Every test, twice: as it is, and (all but the browser and the slow ones — the burst, the fuzzing, the killed
# worker, the installed wheel, none of which depends on the date — and on SQLite only: what a moved clock can break
# does not depend on the database, which the first pass covers on both) with every clock the processes read moved
# 400 days ahead and the time zone set to Honolulu, after the quality gates. Two workers on the two-core machine.
PYTEST := $(BIN)/python -m pytest -n 2 -p no:cacheprovider
MOVED_CLOCK := env TZ=Pacific/Honolulu faketime -m -f +400d

test: install system-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-suite
	$(MAKE) --no-print-directory test-moved-clock

test-suite: install
	$(PYTEST)

test-moved-clock: install clock-deps
	$(MOVED_CLOCK) $(PYTEST) -m "not browser and not slow" -k "not postgresql"

# Quality gates: ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade), mypy (strict on the pure core), and the
# import contracts of the layering in docs/architecture.md (import-linter, .importlinter).
lint: install
	$(BIN)/ruff check src tests tools benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every benchmark at its documented settings, each beside its named baseline; results under var/bench/.
# burst, audit and queue need the local PostgreSQL, RabbitMQ and Redis (BENCH_POSTGRES below); queue takes ~6 min.
# The DARP run (48 instances x 60 s, ours and OR-Tools side by side) takes about 50 minutes on 2 cores.
# The benchmarks live outside the package, in benchmarks/ (run from the checkout: python -m benchmarks ...).
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/test
bench: install
	mkdir -p var/bench
	$(BIN)/python -m benchmarks geo | tee var/bench/geo.txt
	$(BIN)/python -m benchmarks claims | tee var/bench/claims.txt
	$(BIN)/python -m benchmarks insertion | tee var/bench/insertion.txt
	nice $(BIN)/python -m benchmarks insertion --trips 5000 --baseline-runs 2 | tee var/bench/insertion-5000.txt
	nice $(BIN)/python -m benchmarks live-day | tee var/bench/live-day.txt
	$(BIN)/python -m benchmarks burst --database-url $(BENCH_POSTGRES) | tee var/bench/burst.txt
	$(BIN)/python -m benchmarks load --database-url $(BENCH_POSTGRES) | tee var/bench/load.txt
	$(BIN)/python -m benchmarks audit --database $(BENCH_POSTGRES) | tee var/bench/audit.txt
	$(BIN)/python -m benchmarks queue | tee var/bench/queue.txt
	$(BIN)/python -m benchmarks integrity | tee var/bench/integrity.txt
	nice $(BIN)/python -m benchmarks statewide --trips 1000 --database-url $(BENCH_POSTGRES) | tee var/bench/statewide.txt
	$(BIN)/python -m benchmarks darp --data benchmarks/data/darp --time-limit 60 --baseline ortools \
	  --solutions var/bench/darp-solutions --out var/bench/darp.csv
	$(BIN)/python -m benchmarks darp-generated | tee var/bench/darp-generated.txt

# Re-pin the dependencies after changing pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^nemt' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache nemt.db

# The two commands of the README: `make run` and `make test`. Everything they need is installed on demand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# pytest-xdist workers for `make test` (most tests wait on browsers and servers); 0 runs them in this process
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run cluster cluster-packages toolchains test test-unit test-e2e system-packages axe bundle fuzz soak bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

## start the app on http://127.0.0.1:8080 (PAIRPAD_HOST, PAIRPAD_PORT, DATABASE_URL override)
run: $(STAMP)
	$(PY) main.py

## upgrade the database's schema (DATABASE_URL) to this build's; the app also does it at every start
migrate: $(STAMP)
	$(PY) -m store

## Debian's Chromium for Playwright (Playwright cannot download its own browser here) and bubblewrap for the
## code-run sandbox
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
system-packages:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; fi

## several instances behind haproxy on 127.0.0.1:PAIRPAD_PORT (default 8080): redis-server, a private
## PostgreSQL 15 and PAIRPAD_INSTANCES app instances (default 3), state and logs in data/cluster/; Ctrl+C stops them
## one by one (docs/deploy.md)
cluster: $(STAMP) cluster-packages
	$(PY) -m tools.cluster --instances $(or $(PAIRPAD_INSTANCES),3) --port $(or $(PAIRPAD_PORT),8080) --state-dir data/cluster

## Debian's redis-server, haproxy and PostgreSQL 15 for `make cluster` and its tests, when missing
cluster-packages:
	@missing=""; command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$$missing postgresql-15"; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; fi

## the toolchains of the Run button's compiled and extra languages, from Debian packages (README): Java, C, C++,
## Go, Rust, TypeScript, Ruby, PHP, SQL (SQLite), Bash. `make run` does not install them; the room shows which
## languages can run here
TOOLCHAINS := default-jdk-headless gcc libc6-dev g++ golang-go rustc node-typescript nodejs ruby php-cli sqlite3 bash
toolchains:
	@missing=""; for p in $(TOOLCHAINS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; fi

## axe-core for the accessibility test (tests/e2e/test_accessibility.py), from its lock file; npm from Debian
axe: tests/e2e/axe/node_modules/axe-core/axe.min.js
tests/e2e/axe/node_modules/axe-core/axe.min.js: tests/e2e/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	cd tests/e2e/axe && npm ci --no-audit --no-fund
	touch $@

## install test needs and run the whole suite (unit + end-to-end in real Chromium)
test: $(TEST_STAMP) system-packages cluster-packages toolchains axe
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-unit: $(TEST_STAMP)
	$(PY) -m pytest -q tests/unit

test-e2e: $(TEST_STAMP) system-packages axe
	$(PY) -m pytest -q tests/e2e

## rebuild components/collab_editor/dist and pages/styles/pairpad.css (the pages' Tailwind) from their lock files
bundle:
	cd components/collab_editor && npm ci --no-audit --no-fund && npm run build
	cd pages/styles && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV)

## the schedule simulator: SCHEDULES=n of them (default 100000); prints the seed of any failure and how to replay it
fuzz: $(TEST_STAMP)
	$(PY) -m tools.fuzz --schedules $(or $(SCHEDULES),100000)

## benchmarks against peers (docs/benchmarks.md): full run, then the report and plots from its JSON;
## BASELINE=<git revision> also measures the app as it was then, in the same run
bench: $(TEST_STAMP) system-packages
	$(PY) -m tools.bench $(if $(BASELINE),--baseline $(BASELINE)) --profile-n 100 --json tools/bench/results/full.json
	$(PY) -m tools.bench.report tools/bench/results/full.json

## soak (not in CI): 30 protocol-level peers typing 5 characters/s for 10 minutes; memory, disconnects, convergence
soak: $(TEST_STAMP)
	$(PY) -m tools.soak --peers $(or $(PEERS),30) --rate $(or $(RATE),5) --minutes $(or $(MINUTES),10)

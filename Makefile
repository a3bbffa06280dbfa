# jobmatch — one Makefile for set-up, running, testing and benchmarks. `make help` lists the targets.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(STAMP)

.PHONY: setup
setup: $(STAMP) ## create the virtual environment from the lock file

# The pages' third-party files come from npm (web/package-lock.json) and are built into an ignored folder.
OUTLINE := app/web/static/vendor/china-provinces.geojson
CHROMIUM ?= /usr/bin/chromium

$(OUTLINE): web/package.json web/package-lock.json web/build-outline.mjs
	@command -v npm >/dev/null || { echo "npm (Node.js) is required to build the dashboard's map outline"; exit 1; }
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && npm run --silent build

.PHONY: web
web: $(OUTLINE) ## install the pages' npm packages from the lock and build app/web/static/vendor/

.PHONY: browser
browser: ## Debian's Chromium for the browser tests: installed with apt-get when missing and running as root
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	    || echo "!!!!!!!! apt-get could not install chromium: the browser tests will be SKIPPED (CI fails) !!!!!!!!"; \
	else \
	  echo "!!!!!!!! $(CHROMIUM) is missing and only root can apt-get it: the browser tests will be SKIPPED (CI fails) !!!!!!!!"; \
	fi

.PHONY: run
run: $(STAMP) web ## migrate, load demo data on first start, serve on http://127.0.0.1:$PORT with a worker
	$(BIN)/jobmatch migrate
	$(BIN)/jobmatch demo-data
	@case "$${JOBMATCH_DATABASE_URL:-sqlite}" in \
	  sqlite*) exec $(BIN)/jobmatch serve ;; \
	  *) $(BIN)/jobmatch worker & trap "kill $$!" EXIT INT TERM; $(BIN)/jobmatch serve ;; \
	esac

.PHONY: test
test: $(STAMP) web browser ## run every test, on SQLite and on PostgreSQL, the pages in Chromium
	$(BIN)/python -m pytest

.PHONY: bench
bench: $(STAMP) ## run the benchmarks (BENCH_SEEKERS / BENCH_VACANCIES scale them down)
	$(BIN)/python -m benchmarks

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/mypy app

.PHONY: lock
lock: ## re-resolve requirements.lock from pyproject.toml (needs network to PyPI)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

.PHONY: clean
clean: ## remove the virtual environment, local data (var/) and built front-end files
	rm -rf $(VENV) var .pytest_cache .hypothesis web/node_modules app/web/static/vendor test-artifacts

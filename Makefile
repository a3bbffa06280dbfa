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

.PHONY: run
run: $(STAMP) ## migrate, load demo data on first start, serve on http://127.0.0.1:$PORT with a worker
	$(BIN)/jobmatch migrate
	$(BIN)/jobmatch demo-data
	@case "$${JOBMATCH_DATABASE_URL:-sqlite}" in \
	  sqlite*) exec $(BIN)/jobmatch serve ;; \
	  *) $(BIN)/jobmatch worker & trap "kill $$!" EXIT INT TERM; $(BIN)/jobmatch serve ;; \
	esac

.PHONY: test
test: $(STAMP) ## run every test, on SQLite and on PostgreSQL
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
clean: ## remove the virtual environment and local data (var/)
	rm -rf $(VENV) var .pytest_cache .hypothesis

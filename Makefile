# childindex — `make help` lists the targets.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.DEFAULT_GOAL := help

.PHONY: help setup demo serve check test test-postgres bench browser-deps

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: ## Install what is missing: uv, Python deps from uv.lock, GOV.UK Frontend from npm (idempotent)
	@command -v $(UV) >/dev/null || python3 -m pip install --user --quiet uv
	$(UV) sync --frozen --quiet --compile-bytecode
	@if [ ! -f node_modules/govuk-frontend/package.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then npm ci --no-audit --no-fund --silent; fi

browser-deps: ## Install Debian's chromium for browser tests if missing
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

demo: setup ## Set up, build a synthetic country, load it, create demo users and serve at :8000
	$(UV) run childindex demo

serve: setup ## Serve the web service on the configured database
	$(UV) run childindex db upgrade
	$(UV) run childindex serve

check: setup ## Format check, lint (incl. security rules), mypy --strict, import contracts
	$(UV) run ruff format --check src tests benchmarks
	$(UV) run ruff check src tests benchmarks
	$(UV) run mypy
	$(UV) run lint-imports

test: setup browser-deps ## Run the whole test suite (SQLite unless CHILDINDEX_TEST_DATABASE_URL is set)
	$(UV) run pytest -q -n 2
	@# On SQLite the kill -9 crash test cannot watch the loader under xdist: run it on its own.
	@if [ -z "$$CHILDINDEX_TEST_DATABASE_URL" ]; then $(UV) run pytest -q -p no:xdist tests/integration/test_feed_crash_resume.py; fi

test-postgres: ## Run the whole test suite against PostgreSQL at 127.0.0.1:5432
	CHILDINDEX_TEST_DATABASE_URL=$(PG_URL) $(MAKE) test

bench: setup ## Run the benchmarks and write BENCHMARKS.md
	$(UV) run python benchmarks/run.py

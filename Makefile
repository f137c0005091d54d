# The two commands a newcomer needs: `make build` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: build test lint clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

build: $(STAMP) ## Build the site into output/
	$(BIN)/python build.py

test: $(STAMP) npm-deps ## Run every test (browser checks too, when Chromium, node and Java exist)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check newsarchive tests build.py

clean:
	rm -rf output .cache .pytest_cache

.PHONY: check
check: $(STAMP) ## Validate content, links, images and registries without publishing
	$(BIN)/python build.py check

.PHONY: new
new: $(STAMP) ## Scaffold an article: make new TITLE="…" OUTLET="…" TOPICS="a, b" URL="https://…"
	$(BIN)/python build.py new "$(TITLE)" --outlet "$(OUTLET)" --topics "$(TOPICS)" $(if $(URL),--source-url "$(URL)")

.PHONY: serve
serve: $(STAMP) ## Preview with drafts on http://127.0.0.1:8000/, rebuilding and reloading on change
	$(BIN)/python build.py serve $(if $(PORT),--port $(PORT))

# Browser-side checkers from npm (axe-core, vnu-jar, lighthouse), pinned in package-lock.json.
NPM_STAMP := node_modules/.package-lock.json
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

.PHONY: npm-deps audit screenshots demo
npm-deps: ## Install the npm checkers if npm exists (else their tests are skipped, with the reason)
	@if command -v npm >/dev/null 2>&1; then $(MAKE) -s $(NPM_STAMP); \
	else echo "npm not found: axe-core, Nu Html Checker and Lighthouse tests will be skipped"; fi

audit: build npm-deps ## Lighthouse scores (performance, accessibility, best practices, SEO) of key pages
	$(BIN)/python -m tools.audit --site output

demo: $(STAMP) ## Build a demo archive of 300 generated articles into demo-output/
	$(BIN)/python -m tools.demo --articles 300 --out demo-output

screenshots: demo ## Regenerate docs/*.png (home and article, phone and desktop) from the demo archive
	$(BIN)/python -m tools.screenshots --site demo-output --out docs

.PHONY: errors-doc
errors-doc: $(STAMP) ## Re-record the error catalogue's messages and regenerate docs/errors.md
	UPDATE_ERROR_CATALOGUE=1 $(BIN)/python -m pytest tests/test_error_catalogue.py -q
	$(BIN)/python -c "import sys; sys.path[:0] = ['tests', '.']; import test_error_catalogue as t; t.DOC.write_text(t.render_doc(), encoding='utf-8')"

.PHONY: import
import: $(STAMP) ## Import copied text: make import FILE=copied.txt TOPICS="a, b" URL="https://…" [OUTLET="…"] [DATE=YYYY-MM-DD]
	$(BIN)/python build.py import "$(FILE)" --topics "$(TOPICS)" $(if $(URL),--source-url "$(URL)") $(if $(OUTLET),--outlet "$(OUTLET)") $(if $(DATE),--date "$(DATE)")

# Pelican and Hugo for the benchmark's reference rows, in their own venv (pinned in
# bench/requirements-reference.txt), made like .venv; skipped with BENCH_ARGS="--references off".
REF_VENV  := bench/.venv-reference
REF_STAMP := $(REF_VENV)/.installed-$(shell cat bench/requirements-reference.txt | cksum | cut -d' ' -f1)
REF_NEEDED := $(if $(or $(findstring --references off,$(BENCH_ARGS)),$(findstring --references=off,$(BENCH_ARGS))),,$(REF_STAMP))

$(REF_STAMP): bench/requirements-reference.txt
	test -x $(REF_VENV)/bin/python || $(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements-reference.txt
	rm -f $(REF_VENV)/.installed-*
	touch $(REF_STAMP)

.PHONY: bench
bench: $(STAMP) $(REF_NEEDED) ## Benchmark table (N=1,000 and 10,000; BENCH_FULL=1 adds 100,000): cold, no-op, edits; Pelican and Hugo cold
	$(BIN)/python bench/run.py $(BENCH_ARGS)

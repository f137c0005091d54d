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

test: $(STAMP) ## Run every test
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

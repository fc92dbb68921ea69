# `make demo` and `make test` create .venv on first use: one pip command installs everything
# (Pulumi + providers + firebase-admin + google-cloud-firestore share protobuf pins).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv system-deps clean

$(STAMP): pyproject.toml functions/requirements.txt constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test,deploy,sandbox]' -r functions/requirements.txt
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	@command -v knotd >/dev/null && command -v shellcheck >/dev/null || (apt-get update -qq && apt-get install -y -qq knot shellcheck >/dev/null)

demo: venv system-deps
	$(VENV)/bin/launchready demo

# Lint first: ruff over the tree, mypy over the package (every import must resolve), then
# functions/main.py with its own folder on the path, as functions-framework loads it.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	MYPYPATH=functions $(VENV)/bin/mypy --follow-imports=silent functions/main.py

test: venv system-deps lint
	$(VENV)/bin/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) build

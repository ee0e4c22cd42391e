# Incident Supervisor: two commands on a fresh Linux machine with Python 3.11+.
#   make run    creates .venv, installs, migrates and seeds the embedded database on first run, opens the desk
#   make test   installs what the tests need and runs them all offscreen
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PYTEST_ARGS ?=

.PHONY: run test test-fast bench lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	@touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app
	$(BIN)/supervisor-app run

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the many-process and large-data tests, for a quick local loop.
test-fast: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	@set -e; for script in bench/[a-z]*.py; do \
		case "$$script" in bench/report.py|bench/databases.py) continue;; esac; \
		echo "== $$script"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$script; \
	done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check supervisor_app tests bench maps
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache

# Incident Supervisor: two commands on a fresh Linux machine with Python 3.11+.
#   make run    creates .venv, installs, migrates and seeds the embedded database on first run, opens the desk
#               with the field units simulated beside it
#   make test   installs what the tests need and runs them all offscreen
SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PYTEST_ARGS ?=
# Tests run in this many processes, a whole test file to one process at a time (its module fixtures
# are shared); 0 runs them in this process.
TEST_WORKERS ?= 2

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

# The desk with the demo organisation alive around it: the field-unit simulator runs beside it
# (over the MQTT broker at 127.0.0.1:1883 when one answers, else through the database), and stops
# when the desk closes. Its lines go to $(SIM_LOG). SIM_ARGS adds options (e.g. --auto-assess).
SIM_LOG ?= $(VENV)/simulator.log
SIM_ARGS ?= --speed 2 --incidents-per-hour 20

run: $(VENV)/.installed-app
	@$(BIN)/supervisor-app seed >/dev/null 2>&1 || true  # the first run only: refused once seeded
	@if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then link=""; else link="--no-broker"; fi; \
	$(BIN)/supervisor-app simulate $$link $(SIM_ARGS) > $(SIM_LOG) 2>&1 & sim=$$!; \
	echo "Field units simulated (log: $(SIM_LOG)); close the desk to stop them."; \
	$(BIN)/supervisor-app run; status=$$?; kill $$sim 2>/dev/null; wait $$sim 2>/dev/null; exit $$status

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Everything but the many-process and large-data tests, for a quick local loop.
test-fast: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not slow" $(PYTEST_ARGS)

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

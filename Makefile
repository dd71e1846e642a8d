# make run  - install into .venv and show the seed's three scenarios, then examples/hub-spoke-ilb-nsg
# make test - install with dev extras and run ruff, mypy --strict and pytest (installs Debian's
#             chromium for the browser test of the HTML report when it is missing)
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
EXAMPLE = examples/private-link-gateway
HUB = examples/hub-spoke-ilb-nsg
# az's own table transformers (network/_format.py), loaded by tests/render/test_az_renderer.py.
# --no-deps: only that file is used; the full azure-cli dependency tree is not needed.
AZURE_CLI = azure-cli==2.91.0
# transform_effective_nsg imports azure.mgmt.core.tools.parse_resource_id, which imports azure.core:
# the versions azure-cli-core 2.91.0 requires (azure-core~=1.39.0, azure-mgmt-core>=1.2,<2), --no-deps
# (azure-core's typing-extensions comes with pydantic; requests is not imported by that path)
AZ_TABLE_DEPS = azure-mgmt-core==1.6.0 azure-core==1.39.0

# the browser test (tests/browser) drives Debian's chromium headless; never a downloaded browser
CHROMIUM ?= chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install dev bench clean fuzz chromium bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps $(AZURE_CLI) $(AZ_TABLE_DEPS)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev

# azroute's modules compiled to bytecode, as pip does for a regular install: an editable install under
# PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module at every start (0.1-0.15 s a command)
bytecode: install
	@$(BIN)/python -m compileall -q src

run: install bytecode
	@for s in a b c; do \
	  f=$(EXAMPLE)/scenario-$$s.yaml; \
	  echo; echo "=== $$(sed -n 1p $$f | sed 's/^# //')"; \
	  echo; echo "--- azroute routes $$f --vm hubvm"; \
	  $(BIN)/azroute routes $$f --vm hubvm; \
	  echo; echo "--- azroute routes $$f --gateway vpngw"; \
	  $(BIN)/azroute routes $$f --gateway vpngw 2>&1; \
	  echo; echo "--- azroute check $$f $(EXAMPLE)/intents.yaml"; \
	  $(BIN)/azroute check $$f $(EXAMPLE)/intents.yaml --brief || true; \
	done
	@f=$(HUB)/topology.yaml; \
	echo; echo "=== $$(sed -n 1p $$f | sed 's/^# //')"; \
	echo; echo "--- azroute trace $$f --from onpremvm --to web1 --port 443"; \
	$(BIN)/azroute trace $$f --from onpremvm --to web1 --port 443 || true; \
	echo; echo "--- azroute security-rules $$f --vm web1"; \
	$(BIN)/azroute security-rules $$f --vm web1 2>&1; \
	echo; echo "--- azroute check $$f $(HUB)/intents.yaml"; \
	$(BIN)/azroute check $$f $(HUB)/intents.yaml --brief || true
	@mkdir -p out
	@echo; echo "--- azroute report $(EXAMPLE)/scenario-a.yaml --intents $(EXAMPLE)/intents.yaml -o out/report.html"
	@$(BIN)/azroute report $(EXAMPLE)/scenario-a.yaml --intents $(EXAMPLE)/intents.yaml -o out/report.html

chromium:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core; }

test: dev chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest
	$(BIN)/python tests/fuzz/azfuzz.py --budget $(FUZZ_BUDGET) --seed 1

# make fuzz - mutate every example and fixture, run routes/trace/check/export on each (tests/fuzz/azfuzz.py);
# reproducers of findings go to .fuzz/findings/. make test runs it for FUZZ_BUDGET seconds.
FUZZ_INPUTS ?= 10000
FUZZ_BUDGET ?= 60

fuzz: dev
	$(BIN)/python tests/fuzz/azfuzz.py --inputs $(FUZZ_INPUTS) --verbose

bench: install bytecode
	cd bench && ../$(BIN)/python bench_table.py
	$(BIN)/python bench/bench_diff.py
	$(BIN)/python bench/bench_exports.py
	$(BIN)/python bench/bench_terraform.py
	$(BIN)/python bench/bench_hardening.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# fixwire's one command surface. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export VIRTUAL_ENV := $(abspath $(VENV))
# QuickFIX from PyPI is the reference counterparty and dictionary: its source release gives
# FIXT11.xml / FIX50SP2.xml, its wheel (a C++ build of several minutes) is built once and
# cached outside the repository.
QUICKFIX_VERSION := 1.16.0
CACHE ?= $(HOME)/.cache/fixwire
QUICKFIX_SDIST := $(CACHE)/sdist/quickfix-$(QUICKFIX_VERSION).tar.gz
export FIXWIRE_QUICKFIX_SPEC := $(CACHE)/quickfix-$(QUICKFIX_VERSION)/spec
# Seconds each fuzz target runs under `make fuzz`.
FUZZ_SECONDS ?= 60

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create .venv with the dev requirements

$(QUICKFIX_SDIST): | $(VENV)/.installed
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: -d $(CACHE)/sdist quickfix==$(QUICKFIX_VERSION)

$(FIXWIRE_QUICKFIX_SPEC)/FIX50SP2.xml: $(QUICKFIX_SDIST)
	tar -xzf $< -C $(CACHE) quickfix-$(QUICKFIX_VERSION)/spec
	touch $@

$(VENV)/.quickfix: $(QUICKFIX_SDIST) $(VENV)/.installed
	ls $(CACHE)/wheels/quickfix-$(QUICKFIX_VERSION)-*.whl >/dev/null 2>&1 || \
		$(BIN)/python -m pip wheel --quiet --no-deps -w $(CACHE)/wheels $(QUICKFIX_SDIST)
	$(BIN)/python -m pip install --quiet --no-deps $(CACHE)/wheels/quickfix-$(QUICKFIX_VERSION)-*.whl
	touch $@

.PHONY: quickfix
quickfix: $(VENV)/.quickfix $(FIXWIRE_QUICKFIX_SPEC)/FIX50SP2.xml ## Build (once, cached) and install QuickFIX, the reference

.PHONY: build
build: venv ## Build the extension (debug) into .venv
	$(BIN)/maturin develop --quiet

.PHONY: build-release
build-release: venv ## Build the extension (release, LTO) into .venv
	$(BIN)/maturin develop --quiet --release

.PHONY: test
test: build quickfix ## Bootstrap everything, then run the Rust and Python suites and the bench smoke runs
	cargo test --quiet
	$(BIN)/pytest -q
	$(BIN)/pytest -q benches --benchmark-disable

.PHONY: conformance
conformance: build quickfix ## The session conformance scripts only, fixwire and QuickFIX side by side (in `make test` too)
	$(BIN)/pytest -q tests/conformance

.PHONY: demo
demo: build-release ## Kalshi simulator + signed TLS client: a scripted market-making session
	$(BIN)/python -m fixwire.kalshi.demo

.PHONY: lint
lint: build ## rustfmt, clippy -D warnings, ruff, mypy strict, stubtest
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	cargo clippy --manifest-path rust/fixwire/fuzz/Cargo.toml --quiet -- -D warnings
	$(BIN)/ruff check python tests benches
	$(BIN)/ruff format --check python tests benches
	$(BIN)/mypy
	$(BIN)/python -m mypy.stubtest fixwire._native

.PHONY: bench
bench: build-release ## Release benchmarks: Rust core, then Python against simplefix/quickfix/split
	cargo bench --quiet -p fixwire
	$(BIN)/pytest benches --benchmark-only --benchmark-columns=min,median,mean,ops \
		--benchmark-sort=name

# cargo-fuzz builds with AddressSanitizer unless told otherwise, and that needs
# `-Zsanitizer=address`, which only a nightly compiler accepts; the project builds on stable, so
# the targets run with `--sanitizer none`. Nothing is lost that matters here: the core has no
# `unsafe`, so a bug shows as a panic, which libFuzzer catches without a sanitizer. The coverage
# instrumentation cargo-fuzz adds is all `-C` flags, which stable accepts. `--debug-assertions`
# also turns on overflow checks. Seeds come from tests/data (corpus/ is not committed).
FUZZ_FLAGS := --sanitizer none --debug-assertions
FUZZ_ARGS = -max_total_time=$(FUZZ_SECONDS) -dict=fuzz/fix.dict -print_final_stats=1

.PHONY: fuzz
fuzz: ## Fuzz the framer and parser with cargo-fuzz for FUZZ_SECONDS each
	command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
	$(PYTHON) rust/fixwire/fuzz/seed_corpus.py
	cd rust/fixwire && cargo fuzz run $(FUZZ_FLAGS) framer -- $(FUZZ_ARGS)
	cd rust/fixwire && cargo fuzz run $(FUZZ_FLAGS) parser -- $(FUZZ_ARGS)

.PHONY: wheel
wheel: venv ## Build a release wheel into target/wheels
	$(BIN)/maturin build --release

.PHONY: clean
clean: ## Remove build products and the venv
	cargo clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

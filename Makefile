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
# simplefix's source release carries its own test suite, which `make test` runs against
# fixwire.simplefix (tests/dropin/test_simplefix_upstream.py); fetched once, kept in the cache.
SIMPLEFIX_VERSION := $(shell sed -n 's/^simplefix==//p' requirements-dev.txt)
SIMPLEFIX_SDIST := $(CACHE)/sdist/simplefix-$(SIMPLEFIX_VERSION).tar.gz
export FIXWIRE_SIMPLEFIX_SUITE := $(CACHE)/simplefix-$(SIMPLEFIX_VERSION)/test
# `make test WHEELS_IN_TEST=no` leaves out the release wheels and their smoke tests (docs/packaging.md).
WHEELS_IN_TEST ?= yes
# Seconds each fuzz target runs under `make fuzz`, and under `make test` (`fuzz-smoke`).
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 30

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

$(SIMPLEFIX_SDIST): | $(VENV)/.installed
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: -d $(CACHE)/sdist simplefix==$(SIMPLEFIX_VERSION)

$(FIXWIRE_SIMPLEFIX_SUITE)/test_parser.py: $(SIMPLEFIX_SDIST)
	tar -xzf $< -C $(CACHE) simplefix-$(SIMPLEFIX_VERSION)/test
	touch $@

.PHONY: simplefix-suite
simplefix-suite: $(FIXWIRE_SIMPLEFIX_SUITE)/test_parser.py ## Fetch (once, cached) simplefix's own test suite

.PHONY: build
build: venv ## Build the extension (debug) into .venv
	$(BIN)/maturin develop --quiet

.PHONY: build-release
build-release: venv ## Build the extension (release, LTO) into .venv
	$(BIN)/maturin develop --quiet --release

.PHONY: test
test: build quickfix simplefix-suite ## Bootstrap everything, run the Rust and Python suites, the bench smoke runs, each fuzz target briefly, then the wheels' smoke tests
	cargo test --quiet
	$(BIN)/pytest -q
	$(BIN)/pytest -q benches --benchmark-disable
	$(MAKE) --no-print-directory fuzz-smoke
ifneq ($(WHEELS_IN_TEST),no)
	$(MAKE) --no-print-directory wheels wheel-smoke
endif

.PHONY: conformance
conformance: build quickfix ## The session conformance scripts only, fixwire and QuickFIX side by side (in `make test` too)
	$(BIN)/pytest -q tests/conformance

# The demo needs only the release build and the kalshi extra (cryptography), in a venv of its
# own: a fresh clone runs it without installing the development tools.
DEMO_VENV := .venv-demo
.PHONY: demo
demo: ## Kalshi simulator + signed TLS client: a scripted market-making session
	test -x $(DEMO_VENV)/bin/maturin || { $(PYTHON) -m venv $(DEMO_VENV) && \
		$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'maturin>=1.7,<2'; }
	VIRTUAL_ENV=$(abspath $(DEMO_VENV)) $(DEMO_VENV)/bin/maturin develop --quiet --release --extras kalshi
	$(DEMO_VENV)/bin/python -m fixwire.kalshi.demo

.PHONY: docs
docs: venv ## Build the documentation site into target/site, every warning an error
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --quiet --strict

.PHONY: lint
lint: build ## rustfmt, clippy -D warnings, rustdoc's links, ruff, mypy strict, stubtest, workflow schema, docs
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	cargo clippy --manifest-path rust/fixwire/fuzz/Cargo.toml --quiet -- -D warnings
	cargo clippy -p fixwire-py --features pyo3/abi3-py311 --quiet -- -D warnings   # the abi3 build wheel-abi-compare measures
	RUSTDOCFLAGS='-D warnings' cargo doc --workspace --no-deps --document-private-items --quiet
	$(BIN)/ruff check python tests benches examples docs/_ext rust/fixwire/fuzz
	$(BIN)/ruff format --check python tests benches examples docs/_ext rust/fixwire/fuzz
	$(BIN)/mypy
	$(BIN)/python -m mypy.stubtest fixwire._native
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(MAKE) --no-print-directory docs

.PHONY: bench
bench: build-release ## Release benchmarks: Rust core, then Python against simplefix/quickfix/split
	cargo bench --quiet -p fixwire
	$(BIN)/pytest benches --benchmark-only --benchmark-columns=min,median,mean,ops \
		--benchmark-sort=name

# valgrind counts each case at 10,000 and 20,000 operations; about a minute after the build.
.PHONY: bench-instructions
bench-instructions: ## Instructions (callgrind) and ns per operation of the Rust core's speed cases
	cargo bench --quiet -p fixwire --bench instructions

# Fuzzing without cargo-fuzz. cargo-fuzz is a driver: it runs `cargo build --release --target
# <host>` on the fuzz crate with coverage instrumentation in RUSTFLAGS, and libfuzzer-sys (a
# dependency of the crate) compiles libFuzzer and supplies the binary's main. FUZZ_RUSTFLAGS
# are the flags cargo-fuzz 0.13 passes with `--sanitizer none --debug-assertions`, all of them
# `-C`/`--cfg` flags that the stable compiler takes, so plain cargo builds the same fuzzers and
# CI needs no `cargo install cargo-fuzz`. Measured on this machine (2 shared cores, clean cargo
# home and target directory each time): `cargo install --locked cargo-fuzz` took 83 s of CPU
# (7 min 36 s of wall time, the machine busy), before any target is built; building both targets
# (libFuzzer's C++ included) took 62 s of CPU (3 min wall), cargo-fuzz or not. Caching the
# cargo-fuzz binary would save the install only where the cache is warm. Without a sanitizer
# little is lost: the framer's and parser's `unsafe` is SSE2 and AVX2 (checked for at run time)
# loads within slices of known length, and ASCII text taken as UTF-8 (the rest of the core's is the file map of
# columns::scan_file, the column scan's SSE2 loads and its madvise of column room, each bounded by a slice length checked
# beside it), so a bug shows as a panic, which libFuzzer catches; `-Cdebug-assertions` also turns on overflow checks. The seeds come from
# tests/data (seed_corpus.py; corpus/ is not committed). `cargo fuzz run --sanitizer none
# --debug-assertions <target>` in rust/fixwire runs the same targets for those who have it.
FUZZ_DIR := rust/fixwire/fuzz
FUZZ_TARGETS := framer parser frame_paths parse_paths columns log_printer
FUZZ_HOST := $(shell rustc -vV | sed -n 's/^host: //p')
FUZZ_BIN := $(FUZZ_DIR)/target/$(FUZZ_HOST)/release
FUZZ_RUSTFLAGS := -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
	-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
	-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing \
	-Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Cllvm-args=-sanitizer-coverage-stack-depth \
	-Cdebug-assertions -Ccodegen-units=1
# libFuzzer's options: a crash input is kept in artifacts/<target>/; an input that takes 10 s is
# a hang and fails the run.
FUZZ_ARGS = -dict=$(FUZZ_DIR)/fix.dict -print_final_stats=1 -timeout=10 \
	-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/

.PHONY: fuzz-build
fuzz-build: ## Build the fuzz targets (rust/fixwire/fuzz) with libFuzzer, on stable Rust
	RUSTFLAGS="$(FUZZ_RUSTFLAGS)" cargo build --quiet --release --target $(FUZZ_HOST) \
		--manifest-path $(FUZZ_DIR)/Cargo.toml --target-dir $(FUZZ_DIR)/target

# `make test` runs each target FUZZ_SMOKE_SECONDS from the seeds alone (written to a temporary
# folder, what the run finds thrown away), so every run starts from the committed corpus; the
# output is shown only when a target fails.
.PHONY: fuzz-smoke
fuzz-smoke: fuzz-build ## Fuzz each target FUZZ_SMOKE_SECONDS from the committed seeds (in `make test`)
	seeds=$$(mktemp -d) && $(PYTHON) $(FUZZ_DIR)/seed_corpus.py $$seeds && \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/artifacts/$$t && found=$$(mktemp -d) && \
		$(FUZZ_BIN)/$$t $$found $$seeds/$$t -max_total_time=$(FUZZ_SMOKE_SECONDS) \
			$(FUZZ_ARGS) >$$found.log 2>&1; status=$$?; \
		if [ $$status -ne 0 ]; then cat $$found.log; else echo "fuzz $$t: $$(grep '^Done' $$found.log)"; fi; \
		rm -rf $$found $$found.log; [ $$status -eq 0 ] || { rm -rf $$seeds; exit $$status; }; \
	done; rm -rf $$seeds

.PHONY: fuzz
fuzz: fuzz-build ## Fuzz the framer, parser, column scan (and framing's and parsing's two paths against each other) and fixwire decode's printer for FUZZ_SECONDS each, the corpus kept and grown
	$(PYTHON) $(FUZZ_DIR)/seed_corpus.py
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/artifacts/$$t && \
		$(FUZZ_BIN)/$$t $(FUZZ_DIR)/corpus/$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_ARGS) || exit 1; \
	done

# Release wheels (docs/packaging.md): one per CPython found (pyenv's 3.11+, else $(PYTHON)),
# tagged manylinux2014 (glibc 2.17) by linking through zig. `wheel-smoke` installs each into a
# clean venv outside the tree and runs SMOKE_TESTS there (tests/smoke.txt). `make test` runs
# both, unless WHEELS_IN_TEST=no; docs/packaging.md has what each costs.
WHEEL_PYTHONS ?= $(or $(wildcard $(HOME)/.pyenv/versions/3.1[1-9].*/bin/python3),$(shell command -v $(PYTHON)))
WHEELS := target/wheels
SMOKE_TESTS := $(shell cat tests/smoke.txt)
SMOKE_DEPS := pytest pytest-timeout numpy cryptography
# maturin finds zig as `python3 -m ziglang`, so the venv's python must come first on PATH.
ZIG_BUILD := PATH="$(BIN):$$PATH" $(BIN)/maturin build --quiet --release --zig --compatibility manylinux2014

.PHONY: wheels
wheels: venv ## Release wheels (manylinux2014, one per CPython found) into target/wheels
	rm -rf $(WHEELS)
	$(ZIG_BUILD) --out $(WHEELS) \
		$(addprefix -i ,$(WHEEL_PYTHONS))
	for w in $(WHEELS)/*.whl; do $(BIN)/auditwheel show $$w | tr '\n' ' ' | \
		grep -q '"manylinux_2_17_x86_64"' || { echo "$$w: not manylinux_2_17"; exit 1; }; done
	ls -l $(WHEELS)

.PHONY: wheel-smoke
wheel-smoke: ## Install each wheel of target/wheels in a clean venv per Python; run the smoke tests
	for py in $(WHEEL_PYTHONS); do \
		env=$$(mktemp -d)/venv && $$py -m venv $$env && \
		$$env/bin/python -m pip install --quiet --disable-pip-version-check $(SMOKE_DEPS) && \
		$$env/bin/python -m pip install --quiet --no-index --find-links $(WHEELS) fixwire && \
		(cd $$env && bin/python -c "import fixwire, sys; print(sys.version.split()[0], fixwire.__file__)" && \
		 bin/python -m pytest -q -p no:cacheprovider $(addprefix $(CURDIR)/tests/,$(SMOKE_TESTS))) && \
		rm -rf $$(dirname $$env) || exit 1; \
	done

# abi3 against per-version wheels (docs/packaging.md has the figures and the decision): both
# built, one venv per wheel and Python, then benches/wheel_abi.py times and counts (valgrind)
# parse, encode, the send path and columns. About 16 minutes on this machine.
ABI_DIR := target/abi-compare
.PHONY: wheel-abi-compare
wheel-abi-compare: venv ## Measure abi3 against per-version wheels on every CPython found
	rm -rf $(ABI_DIR)
	$(ZIG_BUILD) --out $(ABI_DIR)/version \
		$(addprefix -i ,$(WHEEL_PYTHONS))
	$(ZIG_BUILD) --out $(ABI_DIR)/abi3 \
		--features pyo3/abi3-py311 -i $(firstword $(WHEEL_PYTHONS))
	for py in $(WHEEL_PYTHONS); do for kind in abi3 version; do \
		env=$(ABI_DIR)/venv-$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$$kind && \
		$$py -m venv $$env && $$env/bin/python -m pip install --quiet --disable-pip-version-check numpy && \
		$$env/bin/python -m pip install --quiet --no-index --find-links $(ABI_DIR)/$$kind fixwire || exit 1; \
	done; done
	$(BIN)/python benches/wheel_abi.py --rounds 15 --instructions 2000 \
		$$(for env in $(ABI_DIR)/venv-*; do echo "$${env##*/venv-}=$(CURDIR)/$$env/bin/python"; done)

.PHONY: sdist
sdist: venv ## Source distribution into target/sdist, then a wheel built from it in a clean venv
	rm -rf target/sdist
	$(BIN)/maturin sdist --out target/sdist
	env=$$(mktemp -d) && $(PYTHON) -m venv $$env/venv && \
		$$env/venv/bin/python -m pip wheel --quiet --no-deps -w $$env target/sdist/fixwire-*.tar.gz && \
		ls -l $$env/*.whl && rm -rf $$env

.PHONY: clean
clean: ## Remove build products and the venv
	cargo clean
	rm -rf $(VENV) $(DEMO_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

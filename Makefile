# sms-relay — every target installs what it needs first (pinned, from crates.io and npm only).
#   make dev          serve the worker locally (wrangler dev, local Queue + KV, .dev.vars)
#   make send-sample  sign and post Huawei's sample callbacks to the local worker
#   make sample-backend  a local HTTP delivery backend that verifies and prints each event
#   make test         cargo test + end-to-end tests of the built worker in Miniflare
#   make build        release build into build/ (wrangler.toml's build command)
#   make bench        native benches, worker load test and bundle size, one summary table
#   make size         raw and gzip size of the built worker against its budget
#   make fuzz         every fuzz target for FUZZ_SECONDS each (nightly toolchain, cargo-fuzz)

SHELL := /bin/bash
.SHELLFLAGS := -e -o pipefail -c
.DEFAULT_GOAL := help

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

# The wasm-bindgen CLI must match the crate exactly; read the version from Cargo.lock so the
# two can never drift.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)

WASM_OPT := node_modules/.bin/wasm-opt

WRANGLER := node_modules/.bin/wrangler

.PHONY: help tools rust-tools node-tools build test test-rust test-e2e dev sample-backend send-sample bench size fuzz clean

help:
	@sed -n '2,10p' Makefile | sed 's/^# *//'

## Provisioning ---------------------------------------------------------------

tools: rust-tools node-tools

rust-tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@# Not --locked: its lock file names a webpki-roots version crates.io no longer serves.
	@cargo install --list | grep -qx 'wasm-bindgen-cli v$(WASM_BINDGEN_VERSION):' || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

node-tools: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## Build and test ---------------------------------------------------------------

# The worker is three files in build/: worker.js (the entry module, src/edge/worker.js), and
# wasm-bindgen's relay.js and relay_bg.wasm. The wasm name section is dropped (about a quarter
# of the file); KEEP_WASM_NAMES=1 keeps it for readable profiles and stack traces.
WASM_FEATURES := mutable-globals sign-ext nontrapping-float-to-int bulk-memory multivalue reference-types
WASM := $(or $(CARGO_TARGET_DIR),target)/wasm32-unknown-unknown/release/sms_relay.wasm
# Binaryen's -O3 without its inlining (LLVM has inlined already; binaryen's inlining grows the
# gzip size): about 4.5 KB gzip less wasm, same behaviour.
WASM_OPT_PASSES := -O3 --always-inline-max-function-size 0 --flexible-inline-max-function-size 0 --one-caller-inline-max-function-size 0

build: tools
	cargo build --locked --release --lib --target wasm32-unknown-unknown
	rm -rf build && mkdir -p build
	wasm-bindgen --target web --no-typescript --experimental-reset-state-function --out-dir build --out-name relay $(WASM)
ifndef KEEP_WASM_NAMES
	$(WASM_OPT) build/relay_bg.wasm --strip-debug $(WASM_OPT_PASSES) $(addprefix --enable-,$(WASM_FEATURES)) -o build/relay_bg.wasm
endif
	cp src/edge/worker.js build/worker.js

test: test-rust test-e2e

test-rust: rust-tools
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --lib --target wasm32-unknown-unknown -- -D warnings
	cargo test --locked
	@# The bench code must keep working; its times are never judged in tests. Each Criterion
	@# bench runs once, and the wasm timing program runs natively in its quick mode.
	cargo test --locked --benches
	cargo run --locked --quiet --release --example wasm_ratio -- --quick

test-e2e: build
	node --test e2e/

## Local development ------------------------------------------------------------

.dev.vars:
	cp .dev.vars.example .dev.vars
	@echo "Created .dev.vars with development keys (see README)."

# Serves the relay on http://localhost:8787 with a local queue (printed by a tail consumer)
# and local KV under .wrangler/. wrangler runs `make build` itself and rebuilds on changes.
# When .dev.vars puts `http` in FORWARD, the relay consumes its own queue and delivers to
# FORWARD_URL (dev/http/wrangler.toml), and the tail prints the dead-letter queue instead.
DEV_HTTP := $(shell grep -Es '^FORWARD *=' .dev.vars | tail -n 1 | grep -q http && echo 1)
dev: tools .dev.vars
ifeq ($(DEV_HTTP),1)
	@# wrangler reads .dev.vars beside the configuration it runs.
	cp .dev.vars dev/http/.dev.vars
	$(WRANGLER) dev -c dev/http/wrangler.toml -c dev/queue-tail/wrangler.dlq.toml
else
	$(WRANGLER) dev -c wrangler.toml -c dev/queue-tail/wrangler.toml
endif

# The backend end of HTTP delivery, on http://127.0.0.1:8788: verifies each delivery with the
# standardwebhooks library, parses it with the CloudEvents SDK, prints it.
sample-backend: node-tools .dev.vars
	node scripts/sample-backend.mjs

send-sample: node-tools .dev.vars
	node scripts/send-sample.mjs

bench: build
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	node bench/run.mjs

size: build
	@node bench/size.mjs

FUZZ_SECONDS ?= 60
# Every target in fuzz/fuzz_targets: a new one is fuzzed without a list to keep.
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard fuzz/fuzz_targets/*.rs))))
CARGO_FUZZ_VERSION := 0.13.2

# Each target starts from the committed seeds (fuzz/seeds/<target>) and keeps what it learns
# in fuzz/corpus (not committed). A crash stops the run and leaves its input in fuzz/artifacts.
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo install --list | grep -qx 'cargo-fuzz v$(CARGO_FUZZ_VERSION):' || cargo +nightly install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$target; \
		echo "== $$target ($(FUZZ_SECONDS) s)"; \
		(cd fuzz && cargo +nightly fuzz run $$target corpus/$$target seeds/$$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536) || exit 1; \
	done

clean:
	cargo clean
	rm -rf build node_modules .wrangler

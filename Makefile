# httpx for Rust and WebAssembly: set-up, lint, tests on every host, demo.
# `make test` is what CI runs (.ci/run). Each part can run alone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

WASM_WEB := wasm32-unknown-unknown
WASM_WASI := wasm32-wasip2

.PHONY: setup lint test test-native test-browser test-wasi test-npm demo bench size

setup:
	@bash tools/setup.sh

lint: setup
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy --all-targets --target $(WASM_WEB) -- -D warnings
	cargo clippy --all-targets --target $(WASM_WASI) -- -D warnings
	cargo build --lib --no-default-features
	cargo build --lib --no-default-features --target $(WASM_WEB)
	cargo build --lib --no-default-features --target $(WASM_WASI)
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

test: setup lint test-native test-browser test-wasi test-npm

# Unit, integration and doc tests natively, with every feature.
test-native: setup
	cargo test --workspace --all-features

# The core in Node, a headless Chromium page and a Chromium dedicated worker.
test-browser: setup
	cargo test --target $(WASM_WEB) --test core_everywhere
	WASM_BINDGEN_USE_BROWSER=1 cargo test --target $(WASM_WEB) --test core_everywhere
	WASM_BINDGEN_USE_DEDICATED_WORKER=1 cargo test --target $(WASM_WEB) --test core_everywhere
	@echo "test-browser: the fetch transport is not built yet"

# The core's unit tests and the cross-target tests in wasmtime (panic=abort: --nocapture
# shows the message of a failing test).
test-wasi: setup
	cargo test --target $(WASM_WASI) --lib -- --nocapture --quiet
	cargo test --target $(WASM_WASI) --test core_everywhere -- --nocapture
	@echo "test-wasi: the wasi:http transport is not built yet"

test-npm: setup
	@echo "test-npm: the npm package (bindings/js) is not built yet"

demo: setup
	cargo run --example mock
	cargo run --example app_transport --features tower
	cargo run --example token_refresh
	cargo run --example test_server_inprocess --features tower
	tools/with-test-server.sh -- cargo run --example native

bench:
	bash tools/bench.sh

size:
	@echo "size: the size report comes with the fetch transport"

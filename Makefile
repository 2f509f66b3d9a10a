# httpx for Rust and WebAssembly: set-up, lint, tests on every host, demo.
# `make test` is what CI runs (.ci/run). Each part can run alone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

WASM_WEB := wasm32-unknown-unknown
WASM_WASI := wasm32-wasip2

.PHONY: setup lint test test-fuzz fuzz test-fresh-lock test-native test-native-minimal test-interop test-browser test-wasi test-npm npm-package demo bench bench-wasi size

setup:
	@bash tools/setup.sh

lint: setup
	python3 tools/check-layers.py
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy --all-targets --target $(WASM_WEB) -- -D warnings
	cargo clippy --all-targets --target $(WASM_WASI) -- -D warnings
	cargo build --lib --no-default-features
	cargo build --lib --no-default-features --target $(WASM_WEB)
	cargo build --lib --no-default-features --target $(WASM_WASI)
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features
	cargo fmt --manifest-path bindings/js/Cargo.toml --check
	cargo clippy --manifest-path bindings/js/Cargo.toml --target $(WASM_WEB) -- -D warnings

test: setup lint test-fresh-lock test-native test-fuzz test-interop test-browser test-wasi test-npm

# What users build: the latest semver-compatible dependencies, not Cargo.lock's. The
# working tree is copied to a scratch directory, `cargo update` rewrites the copy's
# lockfile, and clippy runs as in `lint` (native with every feature, then the two wasm
# targets), so a new deprecation or a break in a dependency's release fails here before
# users meet it. It shares the target directory: dependencies whose version did not
# change are not rebuilt (the crates of this workspace are, once).
test-fresh-lock: setup
	@target_dir=$$(tools/target-dir.sh); scratch=$$(mktemp -d); \
	trap 'rm -rf "$$scratch"' EXIT; \
	git ls-files -z --cached --others --exclude-standard | \
	  tar --null --files-from=- -cf - | tar -xf - -C "$$scratch"; \
	cd "$$scratch"; export CARGO_TARGET_DIR="$$target_dir"; \
	cargo update; \
	cargo clippy --workspace --all-targets --all-features -- -D warnings; \
	cargo clippy --all-targets --target $(WASM_WEB) -- -D warnings; \
	cargo clippy --all-targets --target $(WASM_WASI) -- -D warnings

# Unit, integration and doc tests natively, with every feature; then a build without
# the default features (test-native-minimal).
test-native: setup test-native-minimal
	cargo test --workspace --all-features

# The code paths that only builds without default features take: Latin-1 text and the
# UTF-8 fallback without `charset` (encoding_rs), https without `rustls` and SOCKS
# without `socks` (errors that name the feature); then suites that assume no optional
# decoder (the others expect brotli, zstd or encoding_rs's windows-1252).
MINIMAL_FEATURES := hyper,json,multipart,gzip,cookies
test-native-minimal: setup
	cargo test --no-default-features --features $(MINIMAL_FEATURES) --test test_minimal_features --test test_content --test test_multipart --test test_redirects

# The native clients against Debian's nginx (keep-alive, HTTP/2, connection churn,
# streamed uploads), squid (forward proxy, CONNECT, basic proxy auth) and dante (SOCKS5),
# each started by the test on 127.0.0.1 and stopped by it (tests/interop.rs, configs in
# tests/interop/; the tests are #[ignore]d in plain `cargo test`).
test-interop: setup
	cargo test --all-features --test interop -- --ignored --test-threads=4

# Fuzzing (fuzz/, cargo-fuzz and libFuzzer, on the pinned nightly of
# fuzz/rust-toolchain.toml that tools/setup.sh installs): every target is built in one
# `cargo fuzz build`, then each runs for FUZZ_SECONDS from its committed seeds
# (fuzz/corpus/<target>/); what it finds goes to a scratch corpus under the fuzz
# target directory, kept between runs, and a crash stops the run with its input in
# fuzz/artifacts/<target>/. `make test-fuzz` is the 20 s smoke that `make test` runs.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(sort $(filter-out common,$(patsubst fuzz/fuzz_targets/%.rs,%,$(wildcard fuzz/fuzz_targets/*.rs))))
fuzz: setup
	@cd fuzz; cargo fuzz build; \
	scratch=$$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/fuzz-corpus; \
	for target in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$target ($(FUZZ_SECONDS) s)"; mkdir -p "$$scratch/$$target"; \
	  log="$$scratch/$$target.log"; \
	  if ! cargo fuzz run "$$target" "$$scratch/$$target" "corpus/$$target" -- \
	      -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$$log" 2>&1; then \
	    tail -n 60 "$$log"; exit 1; \
	  fi; \
	  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$$log"; \
	done

test-fuzz:
	$(MAKE) fuzz FUZZ_SECONDS=20

# The core and the Url model (whose parser there is the host's URL class), then the
# fetch transport against the test server (tests/browser_*.rs), each
# in Node, a headless Chromium page and a Chromium dedicated worker. The test server runs
# on 127.0.0.1:$(TEST_SERVER_PORT), by default a free port that tools/with-test-server.sh
# exports as HTTPX_TEST_SERVER; the tests read that address when compiled
# (option_env!), and cargo recompiles them (not the library) when it changes, so two
# runs on one machine do not collide.
TEST_SERVER_PORT ?= 0
BROWSER_SUITES := $(patsubst tests/%.rs,--test %,$(wildcard tests/browser_*.rs))
test-browser: setup
	cargo test --target $(WASM_WEB) --test core_everywhere --test url_everywhere
	WASM_BINDGEN_USE_BROWSER=1 cargo test --target $(WASM_WEB) --test core_everywhere --test url_everywhere
	WASM_BINDGEN_USE_DEDICATED_WORKER=1 cargo test --target $(WASM_WEB) --test core_everywhere --test url_everywhere
	HTTPX_TEST_SERVER_PORT=$(TEST_SERVER_PORT) WASM_BINDGEN_TEST_TIMEOUT=180 tools/with-test-server.sh -- bash -euc '\
	  echo "== fetch transport in Node"; cargo test --target $(WASM_WEB) $(BROWSER_SUITES); \
	  echo "== fetch transport in a Chromium page"; WASM_BINDGEN_USE_BROWSER=1 cargo test --target $(WASM_WEB) $(BROWSER_SUITES); \
	  echo "== fetch transport in a Chromium dedicated worker"; WASM_BINDGEN_USE_DEDICATED_WORKER=1 cargo test --target $(WASM_WEB) $(BROWSER_SUITES)'

# The core's unit tests and the cross-target tests in wasmtime (panic=abort: --nocapture
# shows the message of a failing test); then, with the test server up, the wasi:http
# suites in wasmtime, the examples (wasi_get; wasi_proxy through `wasmtime serve`) and
# the suites again under jco (tools/wasi-tests.sh).
test-wasi: setup
	cargo test --target $(WASM_WASI) --lib -- --nocapture --quiet
	cargo test --target $(WASM_WASI) --test core_everywhere --test url_everywhere -- --nocapture
	HTTPX_TEST_SERVER_PORT=$(TEST_SERVER_PORT) tools/with-test-server.sh -- tools/wasi-tests.sh

# wasi:http: 2,000 sequential GETs through Client against the bare wasi crate in one
# wasmtime run, and release component sizes (tools/wasi-bench/; not part of `make test`).
bench-wasi: setup
	HTTPX_TEST_SERVER_PORT=$(TEST_SERVER_PORT) tools/with-test-server.sh -- tools/wasi-bench/run.sh

# The npm package httpx-wasm: built (bindings/js/build.sh), then its suite in Node, in
# Chromium (page, worker, cross-origin page; bindings/js served under /static/), the
# TypeScript declarations (tsc --noEmit) and an `npm pack` tarball installed in a clean
# folder; then the www/ playground driven in Chromium (screenshot in target/www/).
test-npm: setup npm-package
	tools/with-test-server.sh --static bindings/js -- bash -c 'cd bindings/js && npm test'
	bash tools/www/serve.sh --check

npm-package: setup
	bash bindings/js/build.sh

# The examples, the native client against the test server, a WASI command component in
# wasmtime (a redirect to a gzip body), then the www/ playground on the npm package:
# driven once in headless Chromium (screenshot in target/www/), then, from a terminal,
# served until Ctrl-C for you to try (a run without a terminal ends there).
demo: setup npm-package
	cargo run --example mock
	cargo run --example app_transport --features tower
	cargo run --example token_refresh
	cargo run --example test_server_inprocess --features tower
	tools/with-test-server.sh -- cargo run --example native
	cargo build -q --example wasi_get --target $(WASM_WASI)
	tools/with-test-server.sh -- bash -c 'wasmtime run -S http "$$(tools/target-dir.sh)/$(WASM_WASI)/debug/examples/wasi_get.wasm" "$$HTTPX_TEST_SERVER/redirect-to?url=/gzip"'
	bash tools/www/serve.sh --check
	@if [ -t 0 ]; then bash tools/www/serve.sh; else echo "demo: not a terminal, so the playground is not left running (bash tools/www/serve.sh serves it)"; fi

bench:
	bash tools/bench.sh

# Size of a minimal browser module (one GET + text()) with this crate, raw web-sys fetch
# and reqwest; then 1,000 sequential GETs in headless Chromium, ours against raw fetch;
# then the npm package's size next to ky and axios.
size: setup npm-package
	bash tools/size/size.sh
	cd bindings/js && node size.mjs

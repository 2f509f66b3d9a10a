#!/usr/bin/env bash
# The WASI transport's tests, with the test server up ($HTTPX_TEST_SERVER, from
# tools/with-test-server.sh): the wasm32-wasip2 suites in wasmtime, the examples as tests
# (the wasi_get command, the wasi_proxy component through `wasmtime serve`), then the
# command-component suites again under jco, a second WASI runtime.
#   HTTPX_TEST_SERVER_PORT=8765 tools/with-test-server.sh -- tools/wasi-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${HTTPX_TEST_SERVER:?run through tools/with-test-server.sh}"
TARGET=wasm32-wasip2
SUITES=(wasi_client wasi_async wasi_timeouts)
JCO_RUNNER="npx --prefix tools/js jco run"

# A loopback listener whose accept queue is full, so that connecting to it hangs: the
# connect-timeout test's target (an unroutable address is not reliably unroutable).
stall_log=$(mktemp)
python3 - >"$stall_log" 2>&1 <<'EOF' &
import socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
filler = socket.socket()
filler.connect(listener.getsockname())
print("LISTENING %s:%d" % listener.getsockname(), flush=True)
time.sleep(3600)
EOF
stall_pid=$!
trap 'kill "$stall_pid" 2>/dev/null; wait "$stall_pid" 2>/dev/null || true; rm -f "$stall_log"' EXIT
for _ in $(seq 1 50); do
  grep -q '^LISTENING ' "$stall_log" && break
  sleep 0.1
done
line=$(grep -m1 '^LISTENING ' "$stall_log") || { cat "$stall_log" >&2; exit 1; }
export HTTPX_STALL_ADDR=${line#LISTENING }

step() { printf '\n== %s\n' "$*"; }

# wasmtime (the cargo runner of .cargo/config.toml: `wasmtime run -S http`).
for suite in "${SUITES[@]}"; do
  step "wasmtime: $suite"
  cargo test --target "$TARGET" --test "$suite" -- --nocapture
done

step "wasmtime: examples/wasi_get.rs"
cargo build -q --example wasi_get --target "$TARGET"
target_dir=$(tools/target-dir.sh)
wasi_get="$target_dir/$TARGET/debug/examples/wasi_get.wasm"
out=$(wasmtime run -S http "$wasi_get" "$HTTPX_TEST_SERVER/redirect-to?url=/gzip")
grep -q '^HTTP/1.1 200 OK$' <<<"$out" || { echo "$out" >&2; exit 1; }
grep -q '"gzip": true' <<<"$out" || { echo "$out" >&2; exit 1; }
echo "ok: status line, headers and the decoded body after a redirect"
if wasmtime run -S http "$wasi_get" "http://127.0.0.1:9/" 2>"$stall_log.err"; then
  echo "wasi_get to a closed port succeeded" >&2
  exit 1
fi
grep -q 'connection-refused' "$stall_log.err" || { cat "$stall_log.err" >&2; exit 1; }
rm -f "$stall_log.err"
echo "ok: a refused connection fails with the error-code named"

step "wasmtime serve: examples/wasi_proxy.rs"
tools/wasi-proxy-e2e.sh

# jco: the same command-component suites on Node's preview2-shim. The suites skip what
# jco does not enforce (its first-byte timeout) and say why.
export HTTPX_WASI_RUNTIME=jco
for suite in "${SUITES[@]}"; do
  step "jco: $suite"
  CARGO_TARGET_WASM32_WASIP2_RUNNER="$JCO_RUNNER" cargo test --target "$TARGET" --test "$suite" -- --nocapture
done
step "jco: examples/wasi_get.rs"
out=$($JCO_RUNNER "$wasi_get" "$HTTPX_TEST_SERVER/brotli" 2>/dev/null)
grep -q '"brotli": true' <<<"$out" || { echo "$out" >&2; exit 1; }
echo "ok: decoded brotli under jco"

printf '\nwasi-tests: all passed\n'

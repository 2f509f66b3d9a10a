#!/usr/bin/env bash
# End-to-end test of examples/wasi_proxy.rs: builds the wasi:http/proxy component, serves
# it with `wasmtime serve -S cli`, and checks with curl that each answer came from the
# test server ($HTTPX_TEST_SERVER) through httpx's client in the component: redirects
# followed, Basic and Digest auth answered, gzip/br/zstd decoded, bodies streamed both
# ways, with the blocking Client and with AsyncClient.
#   HTTPX_TEST_SERVER=http://127.0.0.1:8765 tools/wasi-proxy-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${HTTPX_TEST_SERVER:?run through tools/with-test-server.sh}"
WASMTIME=${WASMTIME:-wasmtime}

cargo build -q --example wasi_proxy --target wasm32-wasip2
target_dir=$(tools/target-dir.sh)
component="$target_dir/wasm32-wasip2/debug/examples/wasi_proxy.wasm"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$WASMTIME" serve -S cli --addr "127.0.0.1:$port" --env "HTTPX_UPSTREAM=$HTTPX_TEST_SERVER" "$component" >"$log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "^Serving HTTP" "$log" && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q "^Serving HTTP" "$log" || { echo "wasmtime serve did not start" >&2; cat "$log" >&2; exit 1; }
base="http://127.0.0.1:$port"
echo "proxy component: $base -> $HTTPX_TEST_SERVER"

failures=0
# check NAME PYTHON-EXPR CURL-ARGS...: runs curl, then evaluates the expression with
# `status`, `headers` (lowercase dict), `body` (bytes) and `j` (the body as JSON, or None).
check() {
  local name=$1 expr=$2
  shift 2
  local out
  out=$(mktemp -d)
  if ! curl -sS -o "$out/body" -D "$out/head" "$@"; then
    echo "FAIL $name: curl failed"
    failures=$((failures + 1))
  elif python3 - "$out" "$expr" <<'EOF'; then
import json, sys
out, expr = sys.argv[1], sys.argv[2]
lines = open(out + "/head", "rb").read().decode("latin-1").split("\r\n")
status = int(lines[0].split()[1])
headers = {}
for line in lines[1:]:
    if ":" in line:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
body = open(out + "/body", "rb").read()
try:
    j = json.loads(body)
except Exception:
    j = None
ok = eval(expr)
if not ok:
    print(f"  status={status} headers={headers} body={body[:300]!r}")
sys.exit(0 if ok else 1)
EOF
    echo "ok   $name"
  else
    echo "FAIL $name: $expr"
    failures=$((failures + 1))
  fi
  rm -rf "$out"
}

for client in sync async; do
  h=(-H "x-client: $client")
  check "$client: GET with query" \
    'status == 200 and j["args"]["x"] == "1" and headers["x-client"] == "'$client'" and "host" in j["headers"]' \
    "${h[@]}" "$base/get?x=1"
  check "$client: redirects with history" \
    'status == 200 and headers["x-upstream-history"] == "3" and headers["x-upstream-url"].endswith("/get")' \
    "${h[@]}" "$base/redirect/3"
  for coding in gzip brotli zstd deflate; do
    check "$client: $coding decoded by the client" \
      'status == 200 and j is not None and "content-encoding" not in headers' \
      "${h[@]}" "$base/$coding"
  done
  check "$client: stacked codings" \
    'status == 200 and body == b"abc" * 50' \
    "${h[@]}" "$base/compressed/gzip,br,zstd?body=abc&repeat=50"
  check "$client: basic auth" \
    'status == 200 and j["authenticated"] is True' \
    "${h[@]}" -H "x-upstream-auth: basic user:pass" "$base/basic-auth/user/pass"
  check "$client: digest auth (challenge answered in the component)" \
    'status == 200 and j["authenticated"] is True and headers["x-upstream-history"] == "1"' \
    "${h[@]}" -H "x-upstream-auth: digest user:pass" "$base/digest-auth/auth/user/pass/SHA-256"
  check "$client: no credentials, no entry" \
    'status == 401' \
    "${h[@]}" "$base/digest-auth/auth/user/pass"
  check "$client: cookies kept across the redirect" \
    'status == 200 and j["cookies"]["flavour"] == "oat"' \
    "${h[@]}" "$base/cookies/set?flavour=oat"
  check "$client: POST body forwarded" \
    'status == 200 and j["data"] == "hello from curl" and j["method"] == "POST"' \
    "${h[@]}" --data-binary "hello from curl" "$base/post"
  check "$client: large streamed body" \
    'status == 200 and len(body) == 3_000_000' \
    "${h[@]}" "$base/stream-bytes/3000000?chunk_size=65536"
  check "$client: upstream status passed through" \
    'status == 418' \
    "${h[@]}" "$base/status/418"
  check "$client: an upstream protocol error is a 502 naming it" \
    'status == 502 and b"RemoteProtocolError" in body' \
    "${h[@]}" "$base/fault/garbage"
done

if ((failures)); then
  echo "wasi-proxy-e2e: $failures check(s) failed" >&2
  echo "--- wasmtime serve log ---" >&2
  cat "$log" >&2
  exit 1
fi
echo "wasi-proxy-e2e: all checks passed"

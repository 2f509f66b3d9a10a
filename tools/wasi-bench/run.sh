#!/usr/bin/env bash
# The wasi:http benchmark (`make bench-wasi`), with the test server up ($HTTPX_TEST_SERVER):
#   1. in one wasmtime run, N sequential GETs (default 2000) per side: httpx's Client and
#      AsyncClient against a bare loop on the `wasi` crate's outgoing-handler;
#   2. the release component sizes of a minimal GET command: httpx (default features,
#      and `wasi` alone), the bare `wasi` crate, and waki 0.5 if it builds.
# Prints Markdown tables. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")"

: "${HTTPX_TEST_SERVER:?run through tools/with-test-server.sh}"
N=${BENCH_WASI_N:-2000}
TARGET=wasm32-wasip2
out=target/$TARGET/release

echo "== building (release: lto, codegen-units=1, strip, panic=abort)" >&2
cargo build -q --release --target "$TARGET" --bins
cp "$out/get_ours.wasm" target/get_ours_full.wasm
cargo build -q --release --target "$TARGET" --bin get_ours --no-default-features
cp "$out/get_ours.wasm" target/get_ours_lean.wasm
cp "$out/get_bare.wasm" target/get_bare.wasm

waki_note=""
if (cd waki && cargo build -q --release --target "$TARGET") >target/waki-build.log 2>&1; then
  cp "waki/target/$TARGET/release/get_waki.wasm" target/get_waki.wasm
else
  waki_note="waki 0.5 did not build: $(grep -m1 '^error' target/waki-build.log || tail -n1 target/waki-build.log)"
fi

# Each component must work before it is measured.
for name in get_ours_full get_ours_lean get_bare get_waki; do
  [[ -f target/$name.wasm ]] || continue
  answer=$(wasmtime run -S http "target/$name.wasm" "$HTTPX_TEST_SERVER/get")
  [[ $answer == "200 "* ]] || { echo "$name answered: $answer" >&2; exit 1; }
done

echo
wasmtime run -S http --env "HTTPX_TEST_SERVER=$HTTPX_TEST_SERVER" "$out/bench.wasm" "$N"

size() { stat -c %s "$1"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }
bare=$(size target/get_bare.wasm)
row() {
  local label=$1 file=$2
  local bytes
  bytes=$(size "$file")
  printf '| %s | %s | %s | %.1f× |\n' "$label" "$bytes" "$(kib "$bytes")" "$(awk -v a="$bytes" -v b="$bare" 'BEGIN { print a / b }')"
}
echo
echo "Release component size of a minimal GET command (print status and body length):"
echo
echo "| component | bytes | size | / bare |"
echo "|---|---:|---:|---:|"
row "bare \`wasi\` 0.14 bindings" target/get_bare.wasm
row "httpx, default features (\`httpx::get\`)" target/get_ours_full.wasm
row "httpx, \`default-features = false, features = [\"wasi\"]\`" target/get_ours_lean.wasm
if [[ -f target/get_waki.wasm ]]; then
  row "waki 0.5 (\`Client::new().get(url).send()\`)" target/get_waki.wasm
else
  echo "| waki 0.5 | — | — | — |"
  echo
  echo "$waki_note"
fi

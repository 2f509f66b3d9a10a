#!/usr/bin/env bash
# The browser size benchmark (`make size`):
#   1. builds a minimal "one GET + text()" cdylib with this crate (tools/size/ours), with raw
#      web-sys fetch (raw) and with reqwest's wasm backend (reqwest, and reqwest-idna-stub:
#      the same without IDNA tables), each in release (opt-level "z", LTO, one codegen unit,
#      panic=abort) from its own Cargo.lock;
#   2. runs wasm-bindgen --target web and wasm-opt -Oz (npm binaryen 132: Debian's breaks
#      wasm-bindgen output) and prints the .wasm and JS glue sizes, raw and gzip -9;
#   3. prints what is big in ours (code per crate and the largest functions);
#   4. times 1,000 sequential GETs in headless Chromium, ours against raw fetch, with the
#      page served by the test server (--static), and checks the IDNA fallback there.
# SIZE_SKIP_BENCH=1 skips step 4.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

wasm_opt=$root/tools/js/node_modules/.bin/wasm-opt
if ! "$wasm_opt" --version 2>/dev/null | grep -q "version 132"; then
  echo "size: $wasm_opt is not binaryen 132 (run make setup); Debian's wasm-opt corrupts wasm-bindgen output" >&2
  exit 1
fi
export CARGO_TARGET_DIR=$root/target/size
out=$CARGO_TARGET_DIR/pkg
rm -rf "$out"
mkdir -p "$out"

crates=(ours raw reqwest reqwest-idna-stub)
declare -A label=(
  [ours]="httpx (this crate), fetch only"
  [raw]="raw web-sys fetch"
  [reqwest]="reqwest 0.13 wasm, default IDNA"
  [reqwest-idna-stub]="reqwest 0.13 wasm, idna_adapter 1.0.0"
)

for crate in "${crates[@]}"; do
  echo "size: building $crate" >&2
  # ours follows this repository's crate, whose dependencies may change: its lockfile may
  # gain entries (existing pins stay); the others are built exactly as locked.
  locked=--locked
  [[ $crate == ours ]] && locked=
  (cd "tools/size/$crate" && cargo build --quiet --release --target wasm32-unknown-unknown $locked)
  lib=size_${crate//-/_}
  wasm-bindgen --target web --out-dir "$out/$crate" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$lib.wasm"
  # Keep a copy with the name section for the analysis below.
  "$wasm_opt" -Oz -g "$out/$crate/${lib}_bg.wasm" -o "$out/$crate/${lib}_named.wasm"
  "$wasm_opt" -Oz "$out/$crate/${lib}_bg.wasm" -o "$out/$crate/${lib}_bg.wasm"
done

for crate in ours reqwest-idna-stub; do
  if ! grep -A1 '^name = "idna_adapter"$' "tools/size/$crate/Cargo.lock" | grep -q '^version = "1.0.0"$'; then
    echo "size: tools/size/$crate/Cargo.lock lost its idna_adapter 1.0.0 pin:" \
      "cd tools/size/$crate && cargo update -p idna_adapter --precise 1.0.0" >&2
    exit 1
  fi
done

gz() { gzip -9 -c "$1" | wc -c; }
echo
echo "Minimal \"one GET + text()\" module, wasm-bindgen --target web, wasm-opt -Oz (bytes):"
echo
echo "| module | .wasm | .wasm gzip -9 | JS glue | JS gzip -9 | total gzip -9 |"
echo "|---|---:|---:|---:|---:|---:|"
for crate in "${crates[@]}"; do
  lib=size_${crate//-/_}
  wasm=$out/$crate/${lib}_bg.wasm
  js=$out/$crate/$lib.js
  w=$(wc -c <"$wasm"); wg=$(gz "$wasm"); j=$(wc -c <"$js"); jg=$(gz "$js")
  echo "| ${label[$crate]} | $w | $wg | $j | $jg | $((wg + jg)) |"
  [[ $crate == ours ]] && ours_total=$((wg + jg))
done
echo
if ((ours_total <= 35 * 1024)); then
  echo "ours: $ours_total bytes gzip, target ≤ 35 KB (35840 bytes): met"
else
  echo "ours: $ours_total bytes gzip, target ≤ 35 KB (35840 bytes): missed (what is big follows)"
fi
echo
python3 tools/size/wasm_sizes.py "$out/ours/size_ours_named.wasm" --top 15

if [[ ${SIZE_SKIP_BENCH:-} == 1 ]]; then
  exit 0
fi
www=$CARGO_TARGET_DIR/www
rm -rf "$www"
mkdir -p "$www"
cp tools/size/www/* "$www/"
for crate in ours raw; do
  mkdir -p "$www/$crate"
  cp "$out/$crate"/size_*.js "$out/$crate"/size_*_bg.wasm "$www/$crate/"
done
HTTPX_TEST_SERVER_PORT=${HTTPX_TEST_SERVER_PORT:-0} tools/with-test-server.sh --static "$www" -- \
  bash -c 'node tools/size/bench.mjs "$HTTPX_TEST_SERVER/static/index.html"'

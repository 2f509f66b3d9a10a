#!/usr/bin/env bash
# Builds the npm package httpx-wasm into bindings/js/dist:
#   1. the cdylib in release (opt-level "z", LTO, one codegen unit, panic=abort) for
#      wasm32-unknown-unknown, from this directory's own Cargo.lock;
#   2. wasm-bindgen --target web (the CLI must equal the locked wasm-bindgen crate);
#      one build serves browsers (web.js fetches the .wasm) and Node (node.js reads it);
#   3. wasm-opt -Oz from tools/js (npm binaryen 132: Debian's wasm-opt corrupts
#      wasm-bindgen output);
#   4. the hand-written JS layer and entries from js/ and the glue, minified (terser);
#      the types from js/index.d.ts;
#   5. prints the sizes, raw and gzip -9.
# `npm pack` (in this directory) then makes the tarball.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

wasm_opt=$root/tools/js/node_modules/.bin/wasm-opt
if ! "$wasm_opt" --version 2>/dev/null | grep -q "version 132"; then
  echo "build.sh: $wasm_opt is not binaryen 132 (run make setup); Debian's wasm-opt corrupts wasm-bindgen output" >&2
  exit 1
fi
locked=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if ! wasm-bindgen --version | grep -qx "wasm-bindgen $locked"; then
  echo "build.sh: wasm-bindgen CLI $(wasm-bindgen --version) does not match the locked crate $locked (run make setup)" >&2
  exit 1
fi

cargo build --quiet --release --locked --target wasm32-unknown-unknown
# Where cargo put it: CARGO_TARGET_DIR or build.target-dir when set, else ./target.
target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

rm -rf dist
mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist "$target_dir/wasm32-unknown-unknown/release/httpx_wasm.wasm"
"$wasm_opt" -Oz dist/httpx_wasm_bg.wasm -o dist/httpx_wasm_bg.wasm
cp js/index.d.ts dist/
# The JavaScript (the hand-written layer and wasm-bindgen's glue) minified with terser,
# pinned in package-lock.json; class names are kept for stack traces and `instanceof`
# readers (error names are set explicitly).
terser=node_modules/.bin/terser
for f in js/httpx.js js/web.js js/node.js dist/httpx_wasm.js; do
  "$terser" "$f" --module --compress passes=2 --mangle --keep-classnames --ecma 2022 \
    --output "dist/$(basename "$f")"
done
cp "$root/LICENSE" dist/

gz() { gzip -9 -c "$1" | wc -c; }
total=0
printf '%-22s %9s %9s\n' file bytes gzip-9
for f in httpx_wasm_bg.wasm httpx_wasm.js httpx.js web.js; do
  printf '%-22s %9d %9d\n' "$f" "$(wc -c <"dist/$f")" "$(gz "dist/$f")"
  total=$((total + $(gz "dist/$f")))
done
echo "httpx-wasm (browser entry: .wasm + JS) gzip -9 total: $total bytes"

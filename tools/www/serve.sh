#!/usr/bin/env bash
# The HTTP playground (www/) on the test server, with the built npm package.
#   tools/www/serve.sh          serve until Ctrl-C; prints the page's URL
#   tools/www/serve.sh --check  serve, run tools/www/playground.test.mjs in headless
#                               Chromium (screenshot: <target>/www/playground.png), exit
# Assembles <cargo target dir>/www = www/* plus bindings/js/dist as pkg/, then runs
# tools/with-test-server.sh --static on it. The page lives at /static/index.html (`/`
# answers with the same file, which moves itself there: its neighbours are under /static/).
# Environment: HTTPX_TEST_SERVER_PORT (default 8765 to serve, any free port for --check),
# CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
mode=serve
case ${1:-} in
  "") ;;
  --check | --test) mode=check ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

dist=bindings/js/dist
for f in web.js httpx.js httpx_wasm.js httpx_wasm_bg.wasm; do
  if [[ ! -f $dist/$f ]]; then
    echo "www: $dist/$f is missing: build the npm package first (bindings/js/build.sh)" >&2
    exit 1
  fi
done

target_dir=$(tools/target-dir.sh)
www=$target_dir/www
rm -rf "$www"
mkdir -p "$www/pkg"
cp -R www/. "$www/"
cp -R "$dist"/. "$www/pkg/"
echo "www: assembled $www"

if [[ $mode == check ]]; then
  export HTTPX_TEST_SERVER_PORT=${HTTPX_TEST_SERVER_PORT:-0}
  exec tools/with-test-server.sh --static "$www" -- \
    bash -c 'node tools/www/playground.test.mjs "$HTTPX_TEST_SERVER/static/index.html" "$1"' _ "$www/playground.png"
fi

export HTTPX_TEST_SERVER_PORT=${HTTPX_TEST_SERVER_PORT:-8765}
exec tools/with-test-server.sh --static "$www" -- \
  bash -c 'echo; echo "Open $HTTPX_TEST_SERVER/static/index.html (Ctrl-C stops the server)"; exec sleep infinity'

#!/usr/bin/env bash
# Runs a command with the test server listening: starts tests/server's binary on
# 127.0.0.1 (port $HTTPX_TEST_SERVER_PORT, default 0 = any free port), waits for its
# LISTENING line, exports HTTPX_TEST_SERVER=http://127.0.0.1:PORT, runs "$@", and stops
# the server however the command ends.
#   tools/with-test-server.sh [--tls] -- command args...
set -euo pipefail
cd "$(dirname "$0")/.."

server_args=(--port "${HTTPX_TEST_SERVER_PORT:-0}")
while [[ $# -gt 0 && $1 != "--" ]]; do
  server_args+=("$1")
  shift
done
[[ ${1:-} == "--" ]] && shift

cargo build -q -p httpx-test-server
target_dir=$(tools/target-dir.sh)
log=$(mktemp)
"$target_dir/debug/httpx-test-server" "${server_args[@]}" >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  if line=$(grep -m1 '^LISTENING ' "$log" 2>/dev/null); then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "with-test-server: the server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z ${line:-} ]]; then
  echo "with-test-server: no LISTENING line after 10 s" >&2
  exit 1
fi
export HTTPX_TEST_SERVER=${line#LISTENING }
echo "test server: $HTTPX_TEST_SERVER"
"$@"

#!/usr/bin/env bash
# The transport benchmark (benches/transport.rs, issue 4): builds it in release mode,
# runs it with the clients pinned to one core and its hyper server to another, and
# prints the Markdown table (also saved to target/bench/transport.md).
#
#   tools/bench.sh                 # what `make bench` runs
#   BENCH_QUICK=1 tools/bench.sh   # every scenario at a tenth of its size (smoke test)
#   BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1 tools/bench.sh   # the default cores
#
# Pinning: this script runs the bench under `taskset -c $BENCH_CLIENT_CPU` (the clients,
# and the child processes of the streaming and cold-start scenarios, inherit it); the
# bench starts its server as a child process under `taskset -c $BENCH_SERVER_CPU`.
# The machine should otherwise be idle: other work on either core skews the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

export BENCH_SERVER_CPU=${BENCH_SERVER_CPU:-0}
export BENCH_CLIENT_CPU=${BENCH_CLIENT_CPU:-1}

cargo bench --bench transport --no-run

mkdir -p target/bench
out=target/bench/transport.md
if command -v taskset >/dev/null 2>&1 && [ "$(nproc --all)" -ge 2 ]; then
  echo "bench: clients on CPU $BENCH_CLIENT_CPU (taskset), server on CPU $BENCH_SERVER_CPU (taskset)" >&2
  taskset -c "$BENCH_CLIENT_CPU" cargo bench --bench transport | tee "$out"
else
  echo "bench: taskset or a second core is missing: running unpinned" >&2
  BENCH_NO_PIN=1 cargo bench --bench transport | tee "$out"
fi
echo "bench: table saved to $out" >&2

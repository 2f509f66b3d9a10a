#!/usr/bin/env bash
# Prints the workspace's cargo target directory (CARGO_TARGET_DIR, build.target-dir or
# ./target), as cargo itself resolves it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'

#!/usr/bin/env bash
# Installs what the test suites need, idempotently: each step is skipped when the right
# version is already there, so a second run takes about a second.
#   - rustup targets wasm32-unknown-unknown and wasm32-wasip2
#   - Debian's chromium and chromium-driver (browser tests)
#   - wasm-bindgen-cli, the same version as the wasm-bindgen crate in Cargo.lock
#   - wasmtime-cli, pinned (the newest that builds with this toolchain)
#   - for fuzz/ only: the dated nightly of fuzz/rust-toolchain.toml and cargo-fuzz, pinned
#   - the pinned npm tools of tools/js (jco, preview2-shim, binaryen's wasm-opt, playwright-core)
#     and bindings/js's dev dependencies (terser for the build; typescript, playwright-core,
#     hono and itty-router for its tests; rolldown, ky and axios for its size comparison)
#   - Debian's nginx, squid and dante-server (danted) for `make test-interop`: the tests
#     start each one themselves on 127.0.0.1 with their own configs (tests/interop/), so
#     the services the packages would start on :80, :3128 and :1080 are kept from
#     starting (policy-rc.d) and stopped if they run anyway
# Debian's binaryen is deliberately not used: its old wasm-opt corrupts wasm-bindgen output.
set -euo pipefail
cd "$(dirname "$0")/.."

WASMTIME_VERSION=48.0.8
CARGO_FUZZ_VERSION=0.13.1
FUZZ_TOOLCHAIN=$(sed -n 's/^channel = "\(.*\)"$/\1/p' fuzz/rust-toolchain.toml)
JS_DIR=tools/js

log() { printf '[setup %s] %s\n' "$(date +%T)" "$*"; }
# has_exact CMD "NAME VERSION": the first line of `CMD --version` starts with exactly that.
has_exact() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | head -n1 | grep -Eq "^$2( |$)"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Rust targets
installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32-wasip2; do
  grep -qx "$target" <<<"$installed_targets" || { log "rustup target add $target"; rustup target add "$target"; }
done

# 2. Chromium and ChromeDriver from Debian
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 3. nginx, squid and danted from Debian (tests/interop.rs). Their packages start system
#    services on install (nginx on :80, squid on :3128) which would hold ports and run
#    forever; the tests want none of them. Debian's maintainer scripts ask
#    /usr/sbin/policy-rc.d whether to start a service, and exit code 101 means "no", so
#    one is put there for the install if the machine has none (container images usually
#    ship one already), then removed. If a service runs anyway (a machine without
#    policy-rc.d support or with systemd), it is stopped, and disabled where systemd runs.
missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v squid >/dev/null 2>&1 || missing+=(squid)
command -v danted >/dev/null 2>&1 || missing+=(dante-server)
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]} (services not started)"
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
    own_policy=1
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { [ -z "$own_policy" ] || as_root rm -f "$policy"; exit 1; }
  [ -z "$own_policy" ] || as_root rm -f "$policy"
  for service in nginx squid danted; do
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      as_root systemctl disable --now "$service" >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
      as_root service "$service" stop >/dev/null 2>&1 || true
    fi
  done
  # Without an init system to ask, a daemon still running from the packages' own
  # start-up is ended by its pid file (never by name: test servers may be running).
  for pidfile in /run/nginx.pid /run/squid.pid /run/danted.pid; do
    if [ -s "$pidfile" ]; then as_root kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
fi

# 4. wasm-bindgen-cli == the wasm-bindgen crate in Cargo.lock (Cargo.toml pins it with "=")
wbg_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if [ -z "$wbg_version" ]; then
  echo "setup: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! has_exact wasm-bindgen "wasm-bindgen $wbg_version"; then
  log "cargo install wasm-bindgen-cli $wbg_version"
  # Its packaged lockfile may name a crate version this registry lacks: then resolve anew.
  cargo install wasm-bindgen-cli --version "$wbg_version" --locked \
    || cargo install wasm-bindgen-cli --version "$wbg_version"
fi

# 5. wasmtime, pinned; only the features the tests use (run, serve, wasi-http).
if ! has_exact wasmtime "wasmtime $WASMTIME_VERSION"; then
  log "cargo install wasmtime-cli $WASMTIME_VERSION (takes several minutes)"
  cargo install wasmtime-cli --version "$WASMTIME_VERSION" --locked --no-default-features \
    --features run,serve,wasi-http,cranelift,component-model,component-model-async,parallel-compilation,wat,pooling-allocator
fi

# 6. fuzz/: its pinned nightly (cargo-fuzz needs nightly's sanitizer flags; the library
#    itself builds on stable) and cargo-fuzz, pinned
if ! rustup toolchain list | grep -q "^$FUZZ_TOOLCHAIN-"; then
  log "rustup toolchain install $FUZZ_TOOLCHAIN (fuzz/ only)"
  rustup toolchain install "$FUZZ_TOOLCHAIN" --profile minimal
fi
if ! has_exact cargo-fuzz "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# 7. npm packages (the tools, and the npm package's dev dependencies), each reinstalled
#    only when its package-lock.json changes
for dir in "$JS_DIR" bindings/js; do
  stamp="$dir/node_modules/.lock.sha256"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
done

log "ready: $(rustc --version | cut -d' ' -f1-2), $(wasm-bindgen --version), $(wasmtime --version | cut -d' ' -f1-2), $(chromium --version 2>/dev/null | cut -d' ' -f1-2), $(chromedriver --version | cut -d' ' -f1-2), $(nginx -v 2>&1 | cut -d' ' -f3), squid $(squid -v | head -n1 | awk '{print $4}')"

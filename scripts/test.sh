#!/usr/bin/env bash
# Everything CI checks, in order, stopping at the first failure: formatting, the UI's checks and
# unit tests, the app build with the UI embedded, clippy, all Rust tests, then the real-window
# WebDriver tests (last, under a timeout, so a hung session cannot stall the run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$SECONDS

"$ROOT/scripts/setup.sh"

step "cargo fmt --check"
cargo fmt --all --check

step "ui: svelte-check"
(cd ui && npm run --silent check)
step "ui: lint"
(cd ui && npm run --silent lint)
step "ui: unit tests"
(cd ui && npm run --silent test)

# tauri.conf.json's beforeBuildCommand builds the UI (npm run build in ui/) first; the result is
# target/debug/tokenscope-app with ui/dist embedded, which the WebDriver tests launch. (A plain
# `cargo build` binary would load the dev server URL instead.)
step "build UI + app (tauri build --debug --no-bundle)"
tauri_cli build --debug --no-bundle --ci

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --quiet

step "end-to-end tests (WebDriver, Xvfb)"
mkdir -p target/e2e-artifacts
timeout --kill-after=10 300 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  npm --prefix tests/e2e run --silent test

step "all checks passed in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"

#!/usr/bin/env bash
# Development loop: Vite with hot reload (ui/, port 5173) inside the app window; Rust changes
# rebuild and restart the app. tauri.conf.json's beforeDevCommand starts Vite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
step "tauri dev"
tauri_cli dev "$@"

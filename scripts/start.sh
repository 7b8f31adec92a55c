#!/usr/bin/env bash
# Installs what is missing, builds the release app with the UI embedded, and starts it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# Setup first: it installs xvfb among the rest, so the advice below works on a fresh machine.
"$ROOT/scripts/setup.sh"

# Checked before the release build, so a headless machine learns it before the ten minutes of it.
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  die "no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open.
       On a headless machine run it under a virtual X server (scripts/setup.sh just installed it):
           xvfb-run -a -s '-screen 0 1280x800x24' scripts/start.sh"
fi

# Release build, no installers: bundling downloads tools and fails offline. The UI is built by
# tauri.conf.json's beforeBuildCommand.
step "build UI + app (tauri build --no-bundle, release)"
tauri_cli build --no-bundle

step "starting Tokenscope"
exec "$ROOT/target/release/tokenscope-app" "$@"

#!/usr/bin/env bash
# Regenerates the desktop icons in icons/ from icons/icon.svg with the Tauri CLI (works offline).
# Only the files tauri.conf.json's bundle.icon lists are kept; the CLI's mobile and Windows Store
# variants are discarded. Run after editing the SVG, then commit the results.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tauri="$root/ui/node_modules/.bin/tauri"
[[ -x "$tauri" ]] || { echo "error: $tauri not found; run scripts/setup.sh first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$tauri" icon "$root/icons/icon.svg" --output "$work" >/dev/null
for f in 32x32.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns; do
  cp "$work/$f" "$root/icons/$f"
done
echo "icons: regenerated $(ls "$root/icons" | tr '\n' ' ')"

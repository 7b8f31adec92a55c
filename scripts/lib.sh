# Shared helpers for scripts/*.sh; source it, do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# rustup installs into ~/.cargo/bin, which a fresh login shell may not have on PATH yet.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf '\033[31merror:\033[0m %s\n' "$*" >&2
  exit 1
}

# Runs the Tauri CLI from ui/node_modules with both project paths pinned, so it never has to
# guess them from the current directory (it would otherwise search for package.json files).
tauri_cli() {
  local cli="$ROOT/ui/node_modules/.bin/tauri"
  [[ -x "$cli" ]] || die "$cli not found; run scripts/setup.sh"
  TAURI_APP_PATH="$ROOT/src-tauri" TAURI_FRONTEND_PATH="$ROOT/ui" "$cli" "$@"
}

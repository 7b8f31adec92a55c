#!/usr/bin/env bash
# Installs what Tokenscope needs to build and test, skipping whatever is already there.
# Debian 12 (bookworm); run as root or as a user with sudo. Safe to run repeatedly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(
  # Tauri 2 / WebKitGTK build dependencies
  build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev
  libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
  # A display and the WebDriver server for the end-to-end tests
  xvfb xauth webkit2gtk-driver
  # A session bus and keychain for headless keychain tests
  gnome-keyring dbus-daemon libsecret-tools
  curl
)
# Vite 8 needs Node.js 20.19 or newer (or 22.12+).
MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

step "setup: system packages"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  info "all ${#APT_PACKAGES[@]} apt packages present"
else
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo; as root run: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  info "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "setup: toolchains"
command -v cargo >/dev/null ||
  die "cargo not found: install Rust from https://rustup.rs (e.g. curl https://sh.rustup.rs -sSf | sh -s -- -y), then open a new shell"
command -v node >/dev/null && command -v npm >/dev/null ||
  die "node/npm not found: install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer (Debian 12's own nodejs is 18: use NodeSource or https://nodejs.org)"
read -r node_major node_minor < <(node -p 'process.versions.node.split(".").slice(0, 2).join(" ")')
((node_major > MIN_NODE_MAJOR || (node_major == MIN_NODE_MAJOR && node_minor >= MIN_NODE_MINOR))) ||
  die "Node.js $(node --version) is too old; ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer is required (Vite 8)"
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || die "cargo $component missing and no rustup to add it"
    info "adding rustup component $component"
    rustup component add "$component" >/dev/null
  fi
done
info "$(cargo --version), node $(node --version)"

step "setup: tauri-driver"
if command -v tauri-driver >/dev/null; then
  info "present at $(command -v tauri-driver)"
else
  info "cargo install tauri-driver --locked (about a minute)"
  cargo install tauri-driver --locked --quiet
fi

# npm install (not npm ci: ci rejects lockfiles written where a mirror lacks other platforms'
# optional packages) when node_modules is missing or older than the manifests.
npm_install() {
  local dir="$1" stamp="$1/node_modules/.tokenscope-installed"
  [[ -f "$dir/package.json" ]] || { info "$dir/package.json missing, skipped"; return; }
  if [[ -f "$stamp" && ! "$dir/package.json" -nt "$stamp" &&
        ! ( -f "$dir/package-lock.json" && "$dir/package-lock.json" -nt "$stamp" ) ]]; then
    info "${dir#"$ROOT"/}: node_modules up to date"
    return
  fi
  info "${dir#"$ROOT"/}: npm install"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$stamp"
}

step "setup: npm packages"
npm_install "$ROOT/ui"
npm_install "$ROOT/tests/e2e"
npm_install "$ROOT/tests/idp"
npm_install "$ROOT/tests/interop"
npm_install "$ROOT/tests/interop-rp"

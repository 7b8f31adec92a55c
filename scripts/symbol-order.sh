#!/usr/bin/env bash
# Writes src/bin/tokenscope/symbol-order.txt: the functions of the release CLI that the local
# commands run (decode, verify with a secret, a PEM key and a JWK Set file, diff, encode), in the
# order they first run. build.rs hands the list to lld, which places those functions side by side,
# so a short run maps a few windows of code instead of dozens (README, Performance).
#
#   scripts/symbol-order.sh
#
# The names are Rust's mangled ones, which change with the toolchain and the dependencies'
# versions (and a few with a refactor that LTO inlines differently): run this again after an
# update, or when benches/compare.sh says some of the listed names are gone. Needs valgrind (callgrind records every function a run
# enters, by name); installed if missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

out="src/bin/tokenscope/symbol-order.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v valgrind >/dev/null; then
  step "symbol order: valgrind"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

step "symbol order: tokenscope (release)"
cargo build --release --quiet --bin tokenscope
ts="${CARGO_TARGET_DIR:-$ROOT/target}/release/tokenscope"

step "symbol order: inputs"
"$ts" keygen --kty RSA --size 2048 --out-dir "$work/rsa" >/dev/null
"$ts" keygen --kty EC --crv P-256 --out-dir "$work/ec" >/dev/null
claims='{"iss":"https://login.example.com/","sub":"248289761001","aud":"s6BhdRkqt3","nonce":"n-0S6_WzA2Mj","iat":1700000000,"exp":4000000000,"name":"Jane Doe","email":"janedoe@example.com","roles":["reader","writer"]}'
"$ts" encode --alg RS256 --key "$work/rsa/private.pem" --payload "$claims" >"$work/rs.jwt"
"$ts" encode --alg ES256 --key "$work/ec/private.pem" --payload "$claims" >"$work/es.jwt"
"$ts" encode --alg HS256 --secret "practice-secret-of-32-bytes-long" --payload "$claims" >"$work/hs.jwt"

# One callgrind run per command line; a failing command still lists what it ran, which is fine.
profile() {
  local name="$1"
  shift
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.cg" \
    "$ts" "$@" >/dev/null 2>&1 || true
  echo "$work/$name.cg" >>"$work/runs"
}
step "symbol order: profiling the local commands"
rs="$(cat "$work/rs.jwt")"
profile decode decode "$rs"
profile decode-json decode --json "$rs"
profile verify-pem verify --json --key "$work/rsa/public.pem" "$rs"
profile verify-pem-text verify --key "$work/rsa/public.pem" "$rs"
profile verify-jwks verify --json --key "$work/ec/public.jwks.json" "$(cat "$work/es.jwt")"
profile verify-secret verify --json --secret "practice-secret-of-32-bytes-long" "$(cat "$work/hs.jwt")"
profile diff diff --json "$rs" "$(cat "$work/es.jwt")"
profile encode encode --alg ES256 --key "$work/ec/private.pem" --payload "$claims"

python3 - "$work" "$ts" "$out" <<'EOF'
import re, subprocess, sys
work, binary, out = sys.argv[1:]
# The binary's own functions (callgrind also names those of libc and the loader).
nm = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
functions = {parts[2] for parts in map(str.split, nm.splitlines())
             if len(parts) == 3 and parts[1] in "tTwW"}
order, seen = [], set()
for path in open(f"{work}/runs").read().split():
    for line in open(path):
        # fn=(id) name / cfn=(id) name: a function's first mention, in the order of the run.
        match = re.match(r"c?fn=\(\d+\) (\S+)", line)
        if match and match[1] in functions and match[1] not in seen:
            seen.add(match[1])
            order.append(match[1])
with open(out, "w") as f:
    f.write("# Written by scripts/symbol-order.sh, read by build.rs: lld links these functions of\n"
            "# the release CLI side by side, in this order. Regenerate after a toolchain or\n"
            "# dependency update.\n")
    f.write("\n".join(order) + "\n")
print(f"    {len(order)} functions -> {out}")
EOF

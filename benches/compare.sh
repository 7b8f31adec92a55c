#!/usr/bin/env bash
# Whole-process comparison with jwt-cli (https://crates.io/crates/jwt-cli) on the same tokens and
# keys, timed with hyperfine: a 1 KB RS256 token decoded, the same token verified against a PEM
# public key, and a 2.8 MB token decoded. Prints each median and the ratio tokenscope / jwt-cli
# (goal: at most 1.0 on all three; the README's performance section quotes the last run).
#
#   benches/compare.sh [--runs N]        (default 20 runs per command, after 3 warm-ups)
#
# A run of a millisecond is at the mercy of the scheduler, so the runs are split into five rounds
# that alternate which tool goes first, and the medians of all runs are compared (one slow
# stretch of the machine then touches both tools alike, and a few outliers neither).
#
# jwt-cli is installed from crates.io into a temporary root that is removed afterwards (set
# JWT_CLI=/path/to/jwt to reuse a binary); hyperfine is Debian's package, installed if missing.
# Both tools print JSON (--json / jwt's --json) so they do comparable work; the big token goes
# through standard input for both, since one argument may not exceed 128 KiB on Linux.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

runs=20
if [[ "${1:-}" == "--runs" ]]; then
  runs="${2:?--runs needs a number}"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "compare: hyperfine"
if ! command -v hyperfine >/dev/null; then
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
info "$(hyperfine --version)"

step "compare: jwt-cli"
jwt="${JWT_CLI:-}"
if [[ -z "$jwt" ]]; then
  info "cargo install jwt-cli --locked into a temporary root (a minute or two)"
  cargo install jwt-cli --locked --quiet --root "$work/jwt-cli"
  jwt="$work/jwt-cli/bin/jwt"
fi
info "$("$jwt" --version)"

step "compare: tokenscope (release)"
cargo build --release --quiet --bin tokenscope
ts="${CARGO_TARGET_DIR:-$ROOT/target}/release/tokenscope"
# How much of the code layout build.rs asked lld for still applies (names change with the
# toolchain and the dependencies; scripts/symbol-order.sh writes the list again).
order="$ROOT/src/bin/tokenscope/symbol-order.txt"
present="$(comm -12 <(grep -v '^#' "$order" | sort -u) <(nm "$ts" | awk '{print $NF}' | sort -u) | wc -l)"
info "symbol order: $present of $(grep -vc '^#' "$order") listed functions are in the binary"

step "compare: tokens"
"$ts" keygen --kty RSA --size 2048 --out-dir "$work/keys" >/dev/null
# About 1 KB: a realistic ID token's claims.
small_claims='{"iss":"https://login.example.com/","sub":"248289761001","aud":["s6BhdRkqt3","https://api.example.com"],"azp":"s6BhdRkqt3","nonce":"n-0S6_WzA2Mj","iat":1700000000,"exp":4000000000,"auth_time":1699999990,"name":"Jane Doe","given_name":"Jane","family_name":"Doe","email":"janedoe@example.com","email_verified":true,"locale":"en-US","scope":"openid profile email offline_access","roles":["reader","writer"],"amr":["pwd","mfa"],"acr":"urn:mace:incommon:iap:silver","sid":"08a5019c-17e1-4977-8f42-65a12843ea02","jti":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","org":{"id":"org_42","name":"Example Corp"}}'
"$ts" encode --alg RS256 --key "$work/keys/private.pem" --payload "$small_claims" >"$work/small.jwt"
# About 2.8 MB: a 2.1 MB claim, base64url-encoded.
python3 -c 'import json; print(json.dumps({"sub": "big", "exp": 4000000000, "blob": "x" * 2_100_000}))' >"$work/big.json"
"$ts" encode --alg RS256 --key "$work/keys/private.pem" --payload "@$work/big.json" >"$work/big.jwt"
info "small token $(wc -c <"$work/small.jwt") bytes, big token $(wc -c <"$work/big.jwt") bytes"
small="$(cat "$work/small.jwt")"
pem="$work/keys/public.pem"

# Both must succeed on these inputs, or the timings compare failures.
"$ts" verify "$small" --key "$pem" --json >/dev/null
"$jwt" decode --json --alg RS256 --secret "@$pem" "$small" >/dev/null

rounds=5
bench() { # name, tokenscope command, jwt-cli command, extra hyperfine flags...
  local name="$1" ts_cmd="$2" jwt_cmd="$3" round
  shift 3
  for ((round = 0; round < rounds; round++)); do
    local first=(-n tokenscope "$ts_cmd") second=(-n jwt-cli "$jwt_cmd")
    if ((round % 2)); then
      first=(-n jwt-cli "$jwt_cmd")
      second=(-n tokenscope "$ts_cmd")
    fi
    hyperfine --style basic --warmup 3 --runs "$(((runs + rounds - 1) / rounds))" "$@" \
      --export-json "$work/$name.$round.json" "${first[@]}" "${second[@]}" >/dev/null
  done
}

step "compare: $runs runs each"
bench decode-1kb "$ts decode --json $small" "$jwt decode --json $small" -N
bench verify-1kb-pem "$ts verify --json --key $pem $small" \
  "$jwt decode --json --alg RS256 --secret @$pem $small" -N
bench decode-2.8mb "$ts decode --json < $work/big.jwt" "$jwt decode --json - < $work/big.jwt" \
  --shell bash

python3 - "$work" <<'EOF'
import glob, json, statistics, sys
work = sys.argv[1]
# Wall-clock medians, and the CPU time (user + system, mean) each process itself used.
print(f"\n{'case':<16} {'tokenscope':>12} {'jwt-cli':>12} {'ratio':>7}   {'CPU ratio':>9}")
for name in ["decode-1kb", "verify-1kb-pem", "decode-2.8mb"]:
    times = {"tokenscope": [], "jwt-cli": []}
    cpu = {"tokenscope": [], "jwt-cli": []}
    for path in sorted(glob.glob(f"{work}/{name}.*.json")):
        for result in json.load(open(path))["results"]:
            times[result["command"]] += result["times"]
            cpu[result["command"]].append(result["user"] + result["system"])
    ts, jwt = statistics.median(times["tokenscope"]), statistics.median(times["jwt-cli"])
    cpu_ratio = statistics.mean(cpu["tokenscope"]) / statistics.mean(cpu["jwt-cli"])
    print(f"{name:<16} {ts * 1000:>9.2f} ms {jwt * 1000:>9.2f} ms {ts / jwt:>6.2f}x   {cpu_ratio:>8.2f}x")
EOF

#!/usr/bin/env bash
# The seam demo: a CLI and a gateway share a device token. Runs in a fresh temp directory with
# the real seamctl; every step says what it does. Usage: tools/demo.sh PATH/TO/seamctl
set -euo pipefail
seamctl=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/seam-demo-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# Runs a command that is expected to exit non-zero, and shows its exit code.
run_expect() { local want=$1; shift; printf '$ %s\n' "$*"; set +e; "$@"; local rc=$?; set -e
  printf '(exit %d)\n' "$rc"; [ "$rc" -eq "$want" ] || { echo "demo: expected exit $want" >&2; exit 1; }; }

step "A CLI keeps its device token in cli/paired.json; the gateway keeps the token's SHA-256 in gateway/state.json"
mkdir -p cli gateway
cat > cli/paired.json <<'JSON'
{ "device_id": "device-42", "gateway_url": "http://127.0.0.1:8080" }
JSON
cat > gateway/state.json <<'JSON'
{ "listen": "127.0.0.1:8080", "devices": {} }
JSON
cat > seam.toml <<'TOML'
[store]
path = ".seam/events.db"

[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
repair = "auto"
authority = "log"
order = ["gateway", "cli"]

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/devices/device-42/token"
transform = "sha256-hex"
TOML
run cat seam.toml

step "init: state directory, key file (0600) and the hash-chained event log"
run "$seamctl" init

step "issue: the token is recorded in the log (sealed), then written to the gateway, then the CLI"
run "$seamctl" token issue device-token
# Show the files with the token masked: the demo prints no secret either.
show() { printf '$ cat %s   # token masked\n' "$1"; sed -E 's/("token": ")[^"]{12}[^"]*"/\1…(masked)"/' "$1"; }
show cli/paired.json
show gateway/state.json
echo "(the CLI holds the token, the gateway its SHA-256; seamctl shows only keyed fingerprints, fp:…)"

step "keep a copy of the gateway's state, as a backup job would"
run cp gateway/state.json gateway/state.json.bak

step "rotate: a new token, recorded, then written to both sides"
run "$seamctl" token rotate device-token
run "$seamctl" check

step "a careless restart restores the gateway from the stale backup: the gateway now lags"
run cp gateway/state.json.bak gateway/state.json
run_expect 1 "$seamctl" check

step "the same, as JSON for scripts"
run_expect 1 "$seamctl" check --json

step "repair --dry-run says what it would do and writes nothing"
run_expect 1 "$seamctl" repair --dry-run

step "repair: the gateway is brought to the log's latest version, atomically, and the repair recorded"
run "$seamctl" repair
run "$seamctl" check

step "someone hand-edits the CLI's token to a value the log never had: foreign"
sed -i -E 's/("token": ")[^"]*"/\1hand-edited-value"/' cli/paired.json
run_expect 1 "$seamctl" check
run "$seamctl" repair

step "the log: every operation and repair, secrets as fingerprints"
run "$seamctl" log

step "verify: recompute the hash chain"
run "$seamctl" verify

step "the plaintext token appears nowhere in the database"
token=$(sed -nE 's/.*"token": "([^"]+)".*/\1/p' cli/paired.json)
[ ${#token} -eq 43 ] || { echo "demo: could not read the CLI's token" >&2; exit 1; }
for f in .seam/events.db .seam/events.db-wal; do
  if [ -f "$f" ] && grep -qF -- "$token" "$f"; then
    echo "demo: the token was found in $f" >&2; exit 1
  fi
done
echo "not found in .seam/events.db or its WAL"
printf '\ndemo finished: the drift was detected on the lagging side and repaired.\n'

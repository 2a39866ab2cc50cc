#!/usr/bin/env bash
# The seam demo: a CLI and a real HTTP gateway share a device pairing (device id and token). The
# gateway restarts from a stale backup; the client is refused with 403 while every component reports healthy; seam names
# the lagging side and repairs it. Runs in a fresh temp directory with the real binaries.
# Usage: tools/demo.sh BUILD_DIR   (the directory holding tools/seamctl, tools/demo_gateway, ...)
set -euo pipefail
build=$(realpath "$1")
seamctl=$build/tools/seamctl/seamctl
gateway_bin=$build/tools/demo_gateway/demo-gateway
client=$build/tools/demo_client/demo-client
work=$(mktemp -d "${TMPDIR:-/tmp}/seam-demo-XXXXXX")
gateway_pid=
cleanup() {
  [ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# Runs a command expected to exit `want` with output matching the extended regex `pattern`
# (so the demo, which also runs as a test, fails when the story changes), and shows both.
run_check() { local want=$1 pattern=$2; shift 2; printf '$ %s\n' "$*"; set +e; local out
  out=$("$@" 2>&1); local rc=$?; set -e; printf '%s\n' "$out"; [ "$rc" -eq 0 ] || printf '(exit %d)\n' "$rc"
  [ "$rc" -eq "$want" ] || { echo "demo: expected exit $want, got $rc" >&2; exit 1; }
  grep -qE -- "$pattern" <<<"$out" || { echo "demo: expected output matching: $pattern" >&2; exit 1; }; }

# Starts the gateway (extra arguments passed on) and waits, with a deadline, until it listens.
start_gateway() {
  rm -f gateway/port
  "$gateway_bin" --listen "127.0.0.1:${port:-0}" --db gateway/gateway.db --port-file gateway/port \
    --quiet "$@" > gateway/stdout.log 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 500); do [ -s gateway/port ] && break; sleep 0.01; done
  [ -s gateway/port ] || { echo "demo: the gateway did not start" >&2; cat gateway/stdout.log >&2; exit 1; }
  port=$(cat gateway/port)
}
stop_gateway() { kill "$gateway_pid"; wait "$gateway_pid" || true; gateway_pid=; }
# GET /healthz over bash's /dev/tcp (no curl needed); prints the body, checks it says ok.
healthz() { printf '$ GET http://127.0.0.1:%s/healthz\n' "$port"
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  local body; body=$(tail -n 1 <&3); exec 3>&-; printf '%s\n' "$body"
  grep -q '"status":"ok"' <<<"$body" || { echo "demo: the gateway did not report healthy" >&2; exit 1; }; }

step "A gateway (a real HTTP server on 127.0.0.1) keeps each device's token as a SHA-256 in its own SQLite database"
mkdir -p cli gateway
start_gateway
echo "demo-gateway listening on 127.0.0.1:$port"

step "The CLI keeps its pairing in cli/paired.json; seam.toml declares the seam between the two"
cat > seam.toml <<TOML
[store]
path = ".seam/events.db"

[[seam]]
name = "device-42"
kind = "pairing"
entity = "device-42"
repair = "auto"
authority = "log"
order = ["gateway", "cli"]

[seam.sides.gateway]
plugin = "http-json"
url = "http://127.0.0.1:$port/pairings/device-42"
transform = "sha256-hex"            # the gateway keeps only the token's SHA-256
[seam.sides.gateway.fields]
device_id = "/device_id"
token = "/token_sha256"

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
[seam.sides.cli.fields]
device_id = "/device_id"
token = "/token"
gateway_url = "/gateway_url"
TOML
run cat seam.toml

step "init: state directory, key file (0600) and the hash-chained event log"
run "$seamctl" init

step "pair: the pairing is recorded in the log (token sealed), then written to the gateway (PUT), then the CLI"
run_check 0 'pair recorded as rev 1' "$seamctl" pair device-42 --device device-42 --gateway-url "http://127.0.0.1:$port"
run cat cli/paired.json | sed -E 's/("token": ")[^"]+/\1<43 characters, not shown>/'
run_check 0 '^200 OK' "$client" --paired cli/paired.json

step "a backup job copies the gateway's database"
run cp gateway/gateway.db gateway/backup.db

step "rotate: a new token, recorded, then written to both sides; the client still gets through"
run_check 0 'rotate recorded as rev 2 \(log version 4\)' "$seamctl" token rotate device-42
run_check 0 '^200 OK' "$client" --paired cli/paired.json

step "a careless restart: the gateway comes back from the stale backup"
stop_gateway
start_gateway --restore gateway/backup.db
echo "demo-gateway restarted on 127.0.0.1:$port from gateway/backup.db"

step "the client is refused, yet every component reports healthy"
run_check 1 '^403 Forbidden' "$client" --paired cli/paired.json
healthz
echo "(cli/paired.json is valid JSON with a well-formed token: nothing looks wrong on its own)"

step "seam sees the disagreement: the gateway lags, holding the previous version"
run_check 1 'gateway +lagging +holds rev 1; rev 2 is intended' "$seamctl" check
run_check 1 '"verdict": "lagging"' "$seamctl" check --json

step "repair --dry-run says what it would do and writes nothing"
run_check 1 'gateway +lagging .*\[would repair\]' "$seamctl" repair --dry-run

step "repair: the gateway gets the log's latest version (compare-and-swap on its ETag), recorded in the log"
run_check 0 'gateway +in_sync .*\[repaired\]' "$seamctl" repair
run_check 0 '^200 OK' "$client" --paired cli/paired.json
run_check 0 'cli +in_sync' "$seamctl" check

step "drift: when it began, on which side, which operation the gateway lost, how it ended"
run_check 0 '^gateway has held rev 1 since at least .*repaired at ' "$seamctl" drift device-42
run_check 0 'wrote timeline.html' "$seamctl" audit device-42 --html timeline.html
echo "(timeline.html: one self-contained page, a band per side; open it in a browser)"

step "the log: every operation, the drift (found, repaired, closed), secrets only as fingerprints"
run_check 0 'v7 DriftOpened .*side=gateway verdict=lagging holds_version=1' "$seamctl" log
run_check 0 'v8 SideRepaired .*side=gateway version_written=4' "$seamctl" log
run_check 0 'v9 DriftClosed .*side=gateway how=repaired' "$seamctl" log

step "verify: recompute the hash chain"
run_check 0 '^log intact: 9 events' "$seamctl" verify

step "the plaintext token appears nowhere in the event log or the gateway's database"
token=$(sed -nE 's/.*"token": "([^"]+)".*/\1/p' cli/paired.json)
[ ${#token} -eq 43 ] || { echo "demo: could not read the CLI's token" >&2; exit 1; }
for f in .seam/events.db .seam/events.db-wal gateway/gateway.db gateway/stdout.log; do
  if [ -f "$f" ] && grep -qF -- "$token" "$f"; then
    echo "demo: the token was found in $f" >&2; exit 1
  fi
done
echo "not found in .seam/events.db, its WAL, the gateway's database or its output"
printf '\ndemo finished: a 403 with every component healthy, traced to the lagging side and repaired.\n'

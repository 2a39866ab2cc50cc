#!/usr/bin/env bash
# README's "Finding seams" walk-through, run as written on a copy of docs/discover-sample with
# this build's seamctl: the output `seamctl discover .` prints must be the one README shows
# (fingerprints and the time masked: the key is new each run), the --toml it prints must make a
# config that `init`, the adopts and `check` accept, and no sample value may appear in any output.
# Usage: readme_discover_test.sh README SAMPLE_DIR BUILD_DIR
set -euo pipefail
readme=$1
sample=$(cd "$2" && pwd)
build=$(cd "$3" && pwd)
fail() { echo "readme_discover: $*" >&2; exit 1; }
section=$(awk '/^## Finding seams/{f=1;next} f&&/^## /{exit} f' "$readme")
[ -n "$section" ] || fail "no '## Finding seams' section in $readme"
block=$(awk '/^```sh$/{c++;if(c==1){f=1;next}} f&&/^```$/{exit} f' <<<"$section")
shown=$(awk '/^```text$/{c++;if(c==1){f=1;next}} f&&/^```$/{exit} f' <<<"$section")
steps=$(awk '/^```sh$/{c++;if(c==2){f=1;next}} f&&/^```$/{exit} f' <<<"$section")
[ -n "$block" ] && [ -n "$shown" ] && [ -n "$steps" ] || fail "the section needs two sh blocks and a text block"
dir=$(mktemp -d "${TMPDIR:-/tmp}/seam-discover-XXXXXX")
trap 'rm -rf "$dir"' EXIT
export PATH="$build/tools/seamctl:$PATH"
unset SEAM_CONFIG
mask() { sed -E 's/fp:[0-9a-f]{12}/fp:…/g; s/, [0-9]+\.[0-9]+ s\)/, T s)/'; }
block=${block//docs\/discover-sample/$sample}
set +e
out=$(cd "$dir" && bash -c "$block" 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "the first block exited $code, not 1:
$out"
diff <(mask <<<"$shown") <(mask <<<"$out") || fail "README's output is not what seamctl discover prints (diff above)"
set +e
out2=$(cd "$dir/sample" && bash -c "$steps" 2>&1)
code=$?
set -e
# Its last discover exits 1: the near miss is left to a person.
[ "$code" = 1 ] || fail "the second block exited $code, not 1:
$out2"
for want in "created event log" "gateway-token (token/gateway-token): in_sync" "database-password (value/database-password): in_sync" \
            "keyed by the state's key" "already declared in the config: 2 groups"; do
  grep -qF -- "$want" <<<"$out2" || fail "missing \"$want\" in:
$out2"
done
# No value of the sample in any output: every string value of its files, and the token's digest.
values=$(grep -rhoE '[A-Za-z0-9_-]{20,}' "$sample" --include='*.json' --include='*.toml' --include='*.yaml' --include='.env')
[ "$(wc -l <<<"$values")" -ge 4 ] || fail "fewer sample values than the sample holds: $(wc -l <<<"$values")"
for v in $values; do
  grep -qF -- "$v" <<<"$out$out2" && fail "a sample value appears in the output"
done
digest=$(sqlite3 "$sample/gateway/gateway.db" "SELECT token_sha256 FROM pairings")
grep -qF -- "$digest" <<<"$out$out2" && fail "the gateway's digest appears in the output"
echo "readme_discover: ok"

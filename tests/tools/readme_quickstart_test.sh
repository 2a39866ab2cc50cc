#!/usr/bin/env bash
# README's "Five minutes" block, run as written (its `export PATH` pointed at this build's
# binaries instead of an installed prefix), so the quickstart never drifts from what seamctl does.
# Usage: readme_quickstart_test.sh README BUILD_DIR
set -euo pipefail
readme=$1
build=$2
fail() { echo "readme_quickstart: $*" >&2; exit 1; }
block=$(awk '/^## Five minutes/{f=1} f&&/^```sh$/{c=1;next} c&&/^```$/{exit} c' "$readme")
[ -n "$block" ] || fail "no sh block under '## Five minutes' in $readme"
grep -q '^export PATH=' <<<"$block" || fail "the block no longer sets PATH"
block=$(sed "s|^export PATH=.*|export PATH=\"$build/tools/seamctl:$build/tools/seamd:\$PATH\"|" <<<"$block")
dir=$(mktemp -d "${TMPDIR:-/tmp}/seam-quickstart-XXXXXX")
trap 'rm -rf "$dir"' EXIT
out=$(cd "$dir" && bash -c "$block" 2>&1) || true
for want in "created event log" "app: written and confirmed" "worker: written and confirmed" \
            "app     foreign     holds a value the log never had (app holds fp:" "[repaired]" "repaired at "; do
  grep -qF -- "$want" <<<"$out" || fail "missing \"$want\" in:
$out"
done
env_pw=$(sed -n 's/^DATABASE_PASSWORD=//p' "$dir/quick/app/.env")
yaml_pw=$(sed -n 's/^  password: \([^ ]*\) .*/\1/p' "$dir/quick/worker/config.yaml")
[ -n "$env_pw" ] && [ "$env_pw" = "$yaml_pw" ] || fail "the .env and the YAML file do not hold the same password"
grep -qF "  password: $yaml_pw   # kept by seam" "$dir/quick/worker/config.yaml" || fail "the YAML comment was not kept"
grep -qF -- "$env_pw" <<<"$out" && fail "the password appears in the output"
echo "readme_quickstart: ok"

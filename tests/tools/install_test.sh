#!/usr/bin/env bash
# `cmake --install` into a temp prefix: the binaries, the README (its docs/ beside it, the alert
# rules) and the systemd unit, whose ExecStart names the installed seamd.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d "${TMPDIR:-/tmp}/seam-install-XXXXXX")
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log"; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
fail() { echo "install_test: $*" >&2; exit 1; }
for f in bin/seamctl bin/seamd; do [ -x "$prefix/$f" ] || fail "$f not installed"; done
unit=$prefix/lib/systemd/system/seamd.service
[ -f "$unit" ] || fail "the systemd unit was not installed"
grep -qx "ExecStart=$prefix/bin/seamd -c /etc/seam/seam.toml" "$unit" || fail "ExecStart does not name $prefix/bin/seamd: $(grep ExecStart= "$unit")"
grep -q "@" "$unit" && fail "unsubstituted @VAR@ left in the unit"
for key in NoNewPrivileges=yes ProtectSystem=strict StateDirectory=seam "ExecReload=/bin/kill -HUP \$MAINPID"; do
  grep -qxF "$key" "$unit" || fail "the unit lacks $key"
done
ls "$prefix"/share/doc/*/README.md > /dev/null || fail "README.md not installed"
ls "$prefix"/share/doc/*/docs/certificates.md > /dev/null || fail "docs/ not installed beside README.md (its links)"
ls "$prefix"/share/doc/*/prometheus/seam-alerts.yml > /dev/null || fail "the alert rules were not installed"
# systemd's own checker, where there is one (not in every container).
if command -v systemd-analyze > /dev/null && systemd-analyze --version > /dev/null 2>&1; then
  out=$(systemd-analyze verify "$unit" 2>&1 || true)
  # The seam user and the config file do not exist on a build machine; anything else is a fault.
  bad=$(grep -v -e "seam.toml" -e "User=" -e "Group=" -e "No such file" -e "Failed to" <<<"$out" | grep -i -e "unknown" -e "invalid" || true)
  [ -z "$bad" ] || fail "systemd-analyze verify: $bad"
fi
echo "install_test: ok ($prefix)"

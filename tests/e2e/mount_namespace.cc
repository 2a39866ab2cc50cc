#include "tests/e2e/mount_namespace.h"

#include "tests/support/temp_dir.h"

namespace seam::e2e {

std::string WhyNoMountNamespace() {
  static const std::string why = [] {
    seam::testing::TempDir probe;
    ProcessResult r = RunProcess({"unshare", "-m", "--propagation", "private", "sh", "-c",
                                  "mount -t tmpfs -o size=64k tmpfs \"$1\" && touch \"$1/probe\"", "sh",
                                  probe.path().string()});
    if (r.exit_code == 0) return std::string();
    std::string err = r.err.substr(0, r.err.find('\n'));
    return "cannot mount in a private mount namespace (`unshare -m` needs root or CAP_SYS_ADMIN): " + err;
  }();
  return why;
}

const char kMountNamespacePrelude[] = R"sh(
set -u
fail() { echo "env-fault setup: $*" >&2; exit 99; }
must() { "$@" || fail "$*"; }
step() {
  n=$1; shift
  "$SEAMCTL" -c "$CONFIG" "$@" >"$SCRATCH/$n.out" 2>"$SCRATCH/$n.err"
  echo $? >"$SCRATCH/$n.rc"
}
ro() {
  must mount --bind "$1" "$1"
  must mount -o remount,bind,ro "$1"
  if touch "$1/.probe" 2>/dev/null; then fail "$1 is still writable"; fi
}
fill() {
  dd if=/dev/zero of="$1" bs=4096 2>/dev/null
  if echo x 2>/dev/null >"$1.probe"; then fail "$1: the filesystem is not full"; fi
  rm -f "$1.probe"
}
state_on_small_tmpfs() {
  T="$SCRATCH/fs"
  must mkdir "$T"
  must mount -t tmpfs -o size=1m,mode=0700 tmpfs "$T"
  must cp -a "$ROOT/.seam" "$T/seam"
  must mount --bind "$T/seam" "$ROOT/.seam"
}
wait_for() {
  i=0
  until grep -qF -- "$1" "$2" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -le 1000 ] || fail "no '$1' in $2 after 20 s"
    sleep 0.02
  done
}
)sh";

ProcessResult RunInMountNamespace(const std::string& body, const ProcessOptions& options) {
  return RunProcess({"unshare", "-m", "--propagation", "private", "sh", "-c", std::string(kMountNamespacePrelude) + body},
                    options);
}

}  // namespace seam::e2e

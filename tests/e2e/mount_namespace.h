#pragma once
// Scripts run in a private mount namespace (`unshare -m`), for tests of a full or read-only
// filesystem: there a small tmpfs gives ENOSPC and a bind mount remounted read-only gives EROFS,
// even for root, and every mount vanishes when the script's shell exits. Shared by the
// environment-fault suites of seamctl (e2e_env_faults_test.cc) and seamd
// (e2e_seamd_full_disk_test.cc).

#include <string>

#include "tests/e2e/process.h"

namespace seam::e2e {

// Why mount namespaces cannot be used here, or "" when they can: a probe mounts a small tmpfs
// in a namespace of its own, as the tests do. Computed once.
std::string WhyNoMountNamespace();

// Shell functions every script may use (prepended by RunInMountNamespace):
//   fail MSG        exit 99 with "env-fault setup: MSG" on stderr;
//   must CMD...     run CMD, fail if it fails;
//   step NAME ARGS  run "$SEAMCTL" -c "$CONFIG" ARGS, keeping stdout, stderr and the exit code
//                   in $SCRATCH/NAME.out, .err, .rc;
//   ro DIR          DIR becomes a read-only bind mount of itself;
//   fill FILE       zeros into FILE until its filesystem is full (checked);
//   wait_for TEXT FILE   until FILE contains TEXT (grep -F), for at most 20 s;
//   state_on_small_tmpfs  $ROOT/.seam (the state directory) copied onto a 1 MiB tmpfs at
//                   $T=$SCRATCH/fs and bind-mounted in its place; `fill "$T/fill"` fills it.
extern const char kMountNamespacePrelude[];

// Runs kMountNamespacePrelude + `body` with sh in a private mount namespace.
ProcessResult RunInMountNamespace(const std::string& body, const ProcessOptions& options);

}  // namespace seam::e2e

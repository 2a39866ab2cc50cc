#pragma once
// Named fault-injection points for crash tests. Compiled into every build and inert unless the
// environment variable SEAM_FAULT names the point: then the process kills itself with SIGKILL
// right there, the harshest crash (no destructors, no flush, no atexit), as a power cut or the
// OOM killer would leave it. The e2e suites and `tools/dev stress` use them to prove that every
// step of an operation is finished by the next run.
//
// Names: "after-intent", "before-side-write:<side>", "after-side-write:<side>",
// "after-side-applied:<side>", "before-repair:<side>", "before-success" (docs/operations.md lists
// them all). SEAM_FAULT=stop:<name> stops the process there instead (SIGSTOP, as a pause or a
// debugger would): it carries on from that point when it gets SIGCONT.

#include <string_view>

namespace seam {

void FaultPoint(std::string_view name);

}  // namespace seam

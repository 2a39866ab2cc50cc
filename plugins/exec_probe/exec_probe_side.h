#pragma once
// exec-probe: a service that cannot be read but can be asked whether a value works, through a
// program: a database login, a vault's `auth` check, an API call with the token.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "exec-probe"):
//   probe = ["prog", "arg", ...]   required; gets one candidate value on stdin (its bytes, no
//                                  newline) and exits 0 (accepted), 1 (rejected) or anything
//                                  else (unknown: the side is unreadable, and no more values
//                                  are tried)
//   write = [...]                  optional; gets the intended value on stdin and exits 0 once
//                                  the service holds it (`ALTER ROLE … PASSWORD` through psql).
//                                  Without it the side is observe-only: its repair is its
//                                  on_repair command, or a person.
//   remove = [...]                 optional; stdin /dev/null; makes the service drop the value
//   probe_history = "3"            optional; how many earlier values may be tried after the
//                                  intended one (0 to 20), newest first
//   field = "token"                optional; the kind's field the programs get (default: the
//                                  kind's primary field)
//   timeout_ms = "5000"            optional; for each run (1 to 600000)
//   cwd = "dir"                    optional; the programs' working directory (default: the
//                                  config file's directory)
// argv lists are executed directly, never through a shell, with the environment of exec sides
// (PATH from `hook_path`, LANG=C.UTF-8, SEAM_SEAM, SEAM_SIDE) and SEAM_VERSION, the stream
// version of the value on stdin (for `probe` and `write`). No I/O happens in the factory.
//
// Observe: plugins/common/probe_loop.h: in_sync when the intended value is accepted, lagging
// (naming the version) when an earlier one is, foreign when every value tried is rejected;
// unreadable with "exec-probe `prog`: exited 3: <stderr's telling line>", "... timed out after
// 5000 ms", ... when an answer is neither. Each observation runs `probe` at most
// 1 + probe_history times: mind the service's lockout after failed logins.
// Change marker: "accepted:version-N" (the version of the value accepted), or "none-accepted".
//
// Write: compare-and-swap as far as a probe allows: the values are tried again first, and a
// different answer refuses with FailedPrecondition; then `write` runs with the primary field and
// the caller probes again to confirm (a verified write). Remove runs `remove`
// (FailedPrecondition when there is none). Failures are IoError with the reason as for Observe.
// Messages never contain a value: a stderr line holding the value, or anything token-like, is
// withheld (plugins/common/stderr_line.h).
//
// CheckWritable: FailedPrecondition when `cwd` is not a directory or `write` / `remove` is not
// an executable program. Describe: "exec-probe <probe argv[0]>".

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "exec-probe". Takes the keys above, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeExecProbeSide(SideOptions& options);

}  // namespace seam

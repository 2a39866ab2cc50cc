#pragma once
// exec: an external program as a side, for stores seam does not know (a vault CLI, a device's
// management tool...).
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "exec"), see exec_options.h:
//   read = ["prog", "arg", ...]    required    write = [...]   required
//   remove = [...]                 optional    timeout_ms = "5000"    cwd = "dir"
//   fields = ["device_id", "token"]  optional; which of the kind's fields the programs exchange
//                                    (default: the primary field alone)
// argv lists are executed directly, never through a shell. No I/O happens in the factory.
//
// Protocol (exec_protocol.h). A side of the kind's primary field alone (every token seam, and
// the default) speaks the value form:
//   `read` gets /dev/null on stdin and prints ONE JSON object on stdout, then exits 0:
//     {"value": "<string>"}  or  {"missing": true}   ({"value": null} is missing too; the
//     fields form below is accepted as well).
//   `write` gets {"value":"<string>"} and a newline on stdin and exits 0 on success.
//   `remove` (or `write` when there is no `remove`) gets {"value":null} on stdin.
// Any other `fields` speaks the fields form:
//   `read` prints {"fields": {"device_id": "...", "token": "..."}} or {"missing": true}; an
//     absent or null member is a field the program does not hold, a member that is not one of
//     `fields` or not a string makes the side unreadable.
//   `write` gets {"fields": {...}} with the mapped fields the record holds (others are to be
//     left as they are); `remove` (or `write`) gets every mapped field as null.
// Each program runs with: the working directory `cwd`; an environment of exactly
// PATH=/usr/local/bin:/usr/bin:/bin, LANG=C.UTF-8, SEAM_SEAM=<seam name>, SEAM_SIDE=<side name>;
// its own process group; no descriptors but stdin/stdout/stderr; `timeout_ms` to finish. When
// it exits, whatever it left running in its process group (`cmd &`) is killed with SIGKILL. A
// bare program name is looked up in that PATH. See subprocess.h.
//
// Observe: unreadable, with a one-line reason that starts "exec `<argv[0]>`: ", when the program
// cannot be started, exits non-zero ("exited 1: <first line of stderr, at most 200 chars>"), is
// killed by a signal, times out ("timed out after 5000 ms"; its whole process group is killed),
// prints more than 1 MiB ("printed more than 1 MiB on stdout"; killed too), or prints anything
// but the shapes above ("printed non-JSON at line L column C; expected ...; stderr: <first line
// of stderr>", "\"value\" is a number, not a string", ...). Reasons never contain a value; a
// stderr line that contains any value read (or, on Write, any value of the new record) is
// replaced by "(stderr withheld: it contains the value)". Other secrets are unknown to seam (a
// failing `read` may print "vault holds <token>"), so a stderr line with a run of 16 or more
// characters from [A-Za-z0-9+/=_-] (what tokens, keys and base64 look like; also long unbroken
// paths) is replaced by "(stderr withheld: it may contain a secret)", on Observe, Write and
// Remove.
// Change marker: SHA-256 of the value read, or of the fields read with their names ("missing"
// when none), so it changes exactly when they do. `changed_at_us` is unknown (0).
//
// Write / Remove: compare-and-swap as far as an external program allows: `read` runs again
// first, and a different marker refuses with FailedPrecondition without running `write`.
// The race window is from that read's end to `write`'s end: a change made there by someone
// else is overwritten. Programs that need more must serialize themselves. Remove of a missing
// side, or Write of a record holding none of the mapped fields, runs nothing after that read
// and succeeds. An unreadable pre-read or a failing `write` is IoError with the reason as for
// Observe; a value that is not UTF-8 is InvalidArgument.
//
// CheckWritable: runs nothing; FailedPrecondition when `cwd` is not a directory or a program
// (`read`, `write`, `remove`) is not found ("exec: program `x` not found") or not executable.
//
// Describe: "exec <read argv[0]>".

#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// SideFactory for "exec". Takes the keys above, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeExecSide(SideOptions& options);

}  // namespace seam

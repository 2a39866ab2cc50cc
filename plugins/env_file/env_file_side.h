#pragma once
// env-file: a side whose fields are variables of an environment file: `DATABASE_URL` in an app's
// `.env`, `API_TOKEN` in a systemd unit's EnvironmentFile, a `--env-file` of docker.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "env-file"):
//   path      required; relative paths are relative to the config file's directory.
//   variable  the variable holding the kind's primary field ("DATABASE_URL").
//   [seam.sides.NAME.fields]  field = "VARIABLE" for any of the kind's fields; `variable` is
//             shorthand for the primary field's entry. At least one of the two is required.
//   dialect   "dotenv" (default), "systemd" or "docker": who reads the file, which decides
//             quoting, escapes, comments and `export ` (plugins/env_file/env_document.h).
// Each variable must be a name the dialect reads; two fields in one variable are refused. Errors
// name the key and its line.
//
// Observe: the file is read once (16 MiB at most) and parsed in its dialect; each mapped field is
// its variable's value as the dialect decodes it (`${VAR}` references are read as written, never
// expanded). No mapped variable defined: missing (answered, when the file exists). Unreadable,
// naming file:line:column and never a value, when the file cannot be read or parsed, a mapped
// variable is defined twice, or (docker) is a bare `KEY` that takes its value from docker's own
// environment.
// Change marker: device, inode, size, mtime and SHA-256 of the bytes read; "absent" for none.
//
// Write / Remove: re-read, refuse (FailedPrecondition, nothing written) what Observe calls
// unreadable or a marker that differs from `expected`; then replace the bytes of each written
// variable's value and nothing else (comments, order, blank lines, `export `, the other
// variables' quoting: every other byte stays), in that value's quoting style when the new value
// allows it; a variable not in the file is appended as `VARIABLE=value` on a line of its own;
// Remove deletes the variables' lines. The result is parsed again and must hold exactly the old
// variables with only the written ones changed, else nothing is written (Internal). A value the
// dialect cannot hold (a line break in a docker or systemd file, a NUL) is refused with
// InvalidArgument, never naming the value. One atomic replace (plugins/common/atomic_file.h):
// mode and owner kept, a new file 0600, a missing directory an error, never through a symlink.
//
// CheckWritable: writes nothing; FailedPrecondition when the directory or target is not
// writable, or the file is one Write would refuse.
//
// Describe: "env-file <path> $VARIABLE" for one field, "env-file <path> (token=$A, id=$B)".

#include <cstddef>
#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

inline constexpr std::size_t kEnvFileMaxBytes = 16 * 1024 * 1024;

// SideFactory for "env-file". Takes `path`, `variable`, `fields` and `dialect`, then rejects
// unknown keys.
Result<std::unique_ptr<Side>> MakeEnvFileSide(SideOptions& options);

}  // namespace seam

#pragma once
// toml-file: a side whose fields are strings of one TOML file (toml++): a database URL in an
// app's config.toml, a token in a Cargo-style manifest, a value in one of many tables.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "toml-file"):
//   path     required; relative paths are relative to the config file's directory.
//   pointer  a JSON pointer over the parsed tree to the string holding the kind's primary field
//            ("/database/url"; "/servers/0/token" for an array of tables).
//   [seam.sides.NAME.fields]  field = "pointer" for any of the kind's fields.
//
// Observe: the file is read once (16 MiB at most) and parsed; each field is the string at its
// pointer. None there (or no file): missing. Unreadable, naming file:line:column for a syntax
// error (never a value), or the pointer and the types on the way when the walk meets something
// that is not a table (or an index of an array of tables), or a value that is not a string.
//
// Write / Remove: re-read, refuse what Observe calls unreadable or a marker that differs from
// `expected`; then replace the bytes of each written string and nothing else (comments, key
// order, indentation, the other values' quoting: every other byte stays), as a literal string
// when the old one was and the new value allows it, else a basic string with escapes. An absent
// key is created only in an existing table: appended after that table's last key, with its
// indentation (the root table: at the start of the file). Remove deletes the key's line, when
// the key and its value are alone on it (one in an inline table is refused). The result is
// parsed again and must equal the old tree with only those values changed, else nothing is
// written. A value that is not UTF-8 is refused, never named. One atomic replace
// (plugins/common/atomic_file.h): mode and owner kept, a new file 0600, never through a symlink.
//
// CheckWritable: writes nothing; FailedPrecondition when the directory or target is not
// writable, or the file is one Write would refuse.
//
// Describe: "toml-file <path>#<pointer>", or "toml-file <path> (token=#/a, id=#/b)".

#include <cstddef>
#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

inline constexpr std::size_t kTomlFileMaxBytes = 16 * 1024 * 1024;

// SideFactory for "toml-file". Takes `path`, `pointer` and `fields`, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeTomlFileSide(SideOptions& options);

}  // namespace seam

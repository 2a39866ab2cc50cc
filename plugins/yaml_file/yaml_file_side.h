#pragma once
// yaml-file: a side whose fields are scalars of one YAML file (yaml-cpp): a database password in
// a worker's config.yaml, an environment variable in a docker-compose.yml, a value in a
// Kubernetes manifest.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "yaml-file"):
//   path      required; relative paths are relative to the config file's directory.
//   pointer   a JSON pointer over the parsed document to the scalar holding the kind's primary
//             field ("/database/password"; "/services/api/environment/0" for a sequence item).
//   document  which document of a multi-document file (`---`), from 0. Required when the file
//             holds more than one, so a pointer never silently walks the first of many.
//   [seam.sides.NAME.fields]  field = "pointer" for any of the kind's fields.
//
// Observe: the file is read once (16 MiB, 262,144 nodes at most) and parsed; each field is the
// scalar at its pointer (any scalar: `port: 5432` reads "5432"). None there, null, or no file:
// missing. Unreadable, naming file:line:column for a syntax error (never a value), or the pointer
// and the kinds on the way when the walk meets a scalar, an index out of range, a key written
// twice, a merge key (<<) it would have to follow, or a mapping or sequence at the place.
// Aliases are followed when reading.
//
// Write / Remove: re-read, refuse what Observe calls unreadable or a marker that differs from
// `expected`; then replace the bytes of each written scalar and nothing else (comments, key
// order, indentation, the other scalars' quoting: every other byte stays). The scalar keeps its
// style (plain, 'single', "double") when the new value reads back the same in it and, plain, as
// the same type; otherwise it is quoted, so `yes`, `0x1`, `*x`, `null` or `12:30` stay strings.
// Refused, never written around: a scalar reached through an alias or under an anchor (other
// places refer to it), a tagged or block (| >) scalar, one spanning lines. An absent key is
// created only in an existing block mapping: after the mapping's last line, with its keys'
// indentation (an empty or missing file: a top-level key). Remove deletes the key's line when
// the key and its scalar are alone on it and the mapping keeps another key. The result is
// parsed again and must equal the old documents with only those values changed, else nothing
// is written. A value that is not UTF-8 is refused, never named. One atomic replace
// (plugins/common/atomic_file.h): mode and owner kept, a new file 0600, never through a symlink.
//
// CheckWritable: writes nothing; FailedPrecondition when the directory or target is not
// writable, or the file is one Write would refuse to read.
//
// Describe: "yaml-file <path>#<pointer>", "yaml-file <path> (document 1)#<pointer>", or
// "yaml-file <path> (token=#/a, id=#/b)".

#include <cstddef>
#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

inline constexpr std::size_t kYamlFileMaxBytes = 16 * 1024 * 1024;

// SideFactory for "yaml-file". Takes `path`, `pointer`, `fields` and `document`, then rejects
// unknown keys.
Result<std::unique_ptr<Side>> MakeYamlFileSide(SideOptions& options);

}  // namespace seam

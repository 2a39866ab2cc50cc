#pragma once
// json-file: a side whose value is one string member of a JSON file, e.g. the device token in
// a CLI's paired.json.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "json-file"):
//   path    required; relative paths are relative to the config file's directory.
//   pointer required; an RFC 6901 JSON pointer to an object member ("/devices/device-42/token").
//           The whole document ("") is refused: the value must be a member we can set/remove.
//
// Observe: the string at the pointer. Missing when the file, the member or any intermediate
// object is absent. Unreadable (one line naming the path, never the content) when the file
// cannot be read, is not a regular file, is over 16 MiB, is not valid JSON (or nests deeper
// than 512 levels, or repeats a key within one object: "<path>: duplicate key \"token\" at
// line L, column C"), when the pointer goes through a non-object (arrays included) or when the
// value is neither a string nor null. A null value is missing (a logged-out client's
// `"token": null`).
// Change marker: device, inode, size, mtime and SHA-256 of the bytes read; "absent" for a
// missing file.
//
// Write / Remove: re-read the file, refuse (FailedPrecondition, nothing written) if it is not
// JSON we can walk, or its marker differs from `expected`; otherwise set or remove the member,
// creating intermediate objects, keeping every other key and its order, and replace the file
// atomically (plugins/common/atomic_file.h), pretty-printed with 2-space indent and a final
// newline. A missing file is created with mode 0600; a missing directory is an error. Only a
// string or null is ever replaced or removed: any other value is refused rather than lost.
//
// CheckWritable: writes nothing; FailedPrecondition when the directory is missing, not a
// directory or not writable, the target is not a regular file (or is owned by another user),
// or the file is one Write/Remove would refuse (unreadable, not JSON we can parse faithfully,
// pointer through a non-object, a non-string value at the pointer).
//
// Plaintext hygiene (best effort, see json_document.h): the bytes read, the parsed tree's
// string values and the serialized output are wiped with OPENSSL_cleanse before being freed.
//
// No I/O happens in the factory; the side holds no state between calls.

#include <cstddef>
#include <memory>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam {

// Files larger than this are refused as unreadable rather than read into memory.
inline constexpr std::size_t kJsonFileMaxBytes = 16 * 1024 * 1024;

// SideFactory for "json-file". Takes `path` and `pointer`, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeJsonFileSide(SideOptions& options);

}  // namespace seam

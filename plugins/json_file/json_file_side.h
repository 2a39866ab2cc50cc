#pragma once
// json-file: a side whose fields are string members of one JSON file, e.g. the device token
// in a CLI's paired.json, or a whole pairing (device id, token, gateway URL) in one file.
//
// Config keys (a `[seam.sides.NAME]` table with plugin = "json-file"):
//   path    required; relative paths are relative to the config file's directory.
//   pointer an RFC 6901 JSON pointer to the object member holding the kind's primary field
//           ("/devices/device-42/token").
//   [seam.sides.NAME.fields]  field = "pointer" for any of the kind's fields
//           (`device_id = "/device_id"`); `pointer` is shorthand for the primary field's entry.
//           At least one of the two is required (core/side_options.h TakeFieldMap).
// Every pointer must be well-formed; the whole document ("") is refused: each field must be a
// member we can set/remove. Two fields at the same member, or one inside another's ("/a" and
// "/a/b"), are refused: one write sets them all. Errors name the key (`pointer` or
// `fields.device_id`) and its line.
//
// Observe: the file is read once; each mapped field is the string at its pointer. A field is
// absent when the member or any intermediate object is absent or the value is null (a
// logged-out client's `"token": null`). No field present (or no file) is missing; otherwise a
// value holding the fields present. Unreadable (one line naming the path, never the content)
// when the file cannot be read, is not a regular file, is over 16 MiB, is not valid JSON (or
// nests deeper than 512 levels, or repeats a key within one object: "<path>: duplicate key
// \"token\" at line L, column C"), or when any mapped pointer goes through a non-object
// (arrays included) or holds a value that is neither a string nor null; the reason names that
// pointer.
// Change marker: device, inode, size, mtime and SHA-256 of the bytes read; "absent" for a
// missing file.
//
// Write / Remove: re-read the file, refuse (FailedPrecondition, nothing written) if it is not
// JSON we can walk at every mapped pointer, or its marker differs from `expected`; otherwise
// set every mapped field present in the record (Write) or remove every mapped member (Remove),
// creating intermediate objects, and replace the file once, atomically
// (plugins/common/atomic_file.h). Only those members' bytes change (json_text_edit.h): the
// layout, key order and every other byte stay, and the edited text must parse to the intended
// document; a new file, or one the in-place edit could not reproduce, is written whole with a
// 2-space indent and a final newline. Mapped fields absent from the record are left as they are; when nothing
// changes (no mapped field in the record, nothing to remove) nothing is written. A missing
// file is created with mode 0600; a missing directory is an error. Only a string or null is
// ever replaced or removed: any other value is refused rather than lost. A symlink at `path` is
// read through but never written through (FailedPrecondition; plugins/common/link_policy.h).
//
// CheckWritable: writes nothing; FailedPrecondition when the directory is missing, not a
// directory or not writable, the target is not a regular file (or is owned by another user),
// or the file is one Write/Remove would refuse (unreadable, not JSON we can parse faithfully,
// any mapped pointer through a non-object or at a non-string value).
//
// Describe: "json-file <path>#<pointer>" for one field, "json-file <path> (device_id=#/d,
// token=#/t)" for several.
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

// SideFactory for "json-file". Takes `path`, `pointer` and `fields`, then rejects unknown keys.
Result<std::unique_ptr<Side>> MakeJsonFileSide(SideOptions& options);

}  // namespace seam

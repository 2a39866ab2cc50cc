#pragma once
// Atomic replacement of a whole file, for side plugins that write files (json-file, pem-file).
//
// Readers of the target see either the old bytes or the new bytes, never a mix, and a crash at
// any point leaves one of the two on disk:
//   1. a temp file ".<name>.XXXXXX" is created in the target's directory (same filesystem, so
//      the rename is atomic), written fully and fsynced;
//   2. it takes the mode and owner of the existing target, or `create_mode` for a new file
//      (applied with fchmod, so the umask does not widen or narrow it);
//   3. it is renamed over the target, then the directory is fsynced so the rename is durable.
// A symlink at `path` is followed: the file it points to is replaced and the link stays.
// A missing directory is an error; directories are never created.
//
// Thread-safety: none needed (no shared state); concurrent writers to one path race and the
// last rename wins, so callers do their own compare-and-swap first.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace seam {

// Replaces the file at `path` with `content`. On failure nothing is left behind (the temp file
// is unlinked) and the target is untouched; the IoError names the path and strerror.
// The content is never part of a message.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           mode_t create_mode = 0600);

}  // namespace seam

#pragma once
// What a file side does with a symlink at its path: reads through it, never writes through it.
//
// Symlinked files usually belong to another tool's layout: certbot's live/NAME/fullchain.pem
// links into archive/NAME/fullchain3.pem, its numbered history. Writing through the link would
// rewrite that history behind the tool's back; replacing the link with a file would detach the
// path from the tool's next renewal. Both lose what another tool did on purpose, so a write,
// a removal and CheckWritable refuse a symlink (FailedPrecondition naming the link, its target
// and the way out: make that side the seam's authority, so seam adopts what the tool writes,
// or point the side at a file of seam's own). The same policy for every file side.
// This check names the link for `check`; the write itself (plugins/common/atomic_file.h
// ReplaceReadFile) refuses a link planted after it, at the rename.

#include <filesystem>

#include "core/status.h"

namespace seam {

// Ok when `path` is not a symlink (absent, or any other file type: other checks judge those).
Status RefuseSymlink(const std::filesystem::path& path);

// A file with a second hard link is refused too: a write replaces the path with a new file
// (plugins/common/atomic_file.h), and every other name of the old one would keep the old value.
// Ok when `path` is absent or has one link; FailedPrecondition HardLinkRefusal otherwise.
Status RefuseHardLinks(const std::filesystem::path& path);
// "<path> has N hard links: replacing it ... would leave the other names holding the old
// content; seam does not write it: make this side the seam's `authority`, or ...".
std::string HardLinkRefusal(const std::string& path, unsigned long links);

}  // namespace seam

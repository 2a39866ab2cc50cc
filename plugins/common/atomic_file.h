#pragma once
// Atomic replacement of a whole file, for side plugins that write files (json-file, pem-file).
//
// Readers of the target see either the old bytes or the new bytes, never a mix, and a crash at
// any point leaves one of the two on disk:
//   1. the new content goes into an unnamed temp file (open(dir, O_TMPFILE)) in the target's
//      directory (same filesystem, so the rename is atomic), written fully;
//   2. it takes the mode and owner of the existing target, or `create_mode` for a new file
//      (applied with fchmod, so the umask does not widen or narrow it), and is fsynced;
//   3. only then is it given a name, ".<name>.XXXXXX" (linkat through /proc/self/fd), which is
//      renamed over the target at once; then the directory is fsynced so the rename is durable.
// The content is usually a secret: a crash (even SIGKILL) while it is written leaves nothing
// behind, because an unnamed inode is freed with its last fd. Only a crash in the two syscalls
// between the linkat and the rename can leave a named temp file.
// Fallback: where O_TMPFILE is unsupported (old kernels, some filesystems: EOPNOTSUPP, EISDIR,
// EINVAL) or the unnamed file cannot be linked (no /proc and no CAP_DAC_READ_SEARCH), the temp
// file is created named with mkostemp, so a crash while writing leaves ".<name>.XXXXXX" there.
//
// WriteFileAtomically follows a symlink at `path`: the file it points to is replaced and the
// link stays (seam's own output files, where a link is the user's choice). File sides write with
// ReplaceReadFile instead, which replaces only the file they read (below).
// A missing directory is an error; directories are never created.
//
// Thread-safety: none needed (no shared state); concurrent writers to one path race and the
// last rename wins for WriteFileAtomically; ReplaceReadFile refuses what it did not read.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string_view>

#include "core/status.h"
#include "plugins/common/file_identity.h"

namespace seam {

// Replaces the file at `path` with `content`. Every error is an IoError whose message names
// the path and strerror, never the content. What an error means for the target:
//   - "<path>: replaced, but fsync of directory <dir> failed: ...": the rename happened. The
//     target holds the NEW content now (readers see it), but the replacement may not survive a
//     power loss or kernel crash: after one, the target may hold the old content again.
//   - any other error: the rename did not happen. The target is untouched (still the old
//     content, or still absent), and the temp file is gone (never named, or unlinked).
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           mode_t create_mode = 0600);

// A file side's write: replaces the file at `path` that the side read just before (`read`, from
// its FileSnapshot), as WriteFileAtomically does, but only that file, so that another program's
// files and links are never overwritten or written through:
//   - the directory is opened once and must be the one the file was read in (by device and
//     inode): a directory swapped for another, or for a symlink to one, between the read and the
//     write is refused; every later step names entries relative to that open directory;
//   - the entry must still be the file read (device and inode; or still absent), a regular file
//     with one link: a symlink there is refused, never followed; a file with other hard links is
//     refused too, since a replacement would leave the other names holding the old content;
//   - the rename itself is conditional (RENAME_EXCHANGE, then the file taken out is checked: the
//     same inode, one link, the same bytes as read, else it is put back; RENAME_NOREPLACE for a
//     name that was free), so what another program puts there, or writes in place, between the
//     checks and the rename is not lost either (put back, it was out of place for a few system
//     calls: a reader of the path in that instant sees seam's content, never nothing).
// What no rename can cover: a program that opened the file before and writes through that
// descriptor after the rename writes into the old file, which is gone; only a lock both programs
// take could prevent it, and the programs seam shares files with take none.
// Refusals are FailedPrecondition "<path> <what changed>; not writing", with nothing written;
// other errors as WriteFileAtomically's. The new file keeps the old one's owner and mode, or
// gets `create_mode`.
Status ReplaceReadFile(const std::filesystem::path& path, std::string_view content, const FileIdentity& read,
                       mode_t create_mode = 0600);

// A file side's removal, with ReplaceReadFile's guards: the entry is moved aside under a fresh
// name, checked to be the file read (put back if not), then unlinked; the directory is fsynced.
// Absent, as read: Ok. FailedPrecondition "...; not removing" when something changed.
Status RemoveReadFile(const std::filesystem::path& path, const FileIdentity& read);

// Checks, without writing anything, what WriteFileAtomically needs to succeed now: `path`
// (after following a symlink) is absent or a regular file; its directory exists, is a
// directory and is writable and searchable by us; and an existing file is owned by us (or we
// are root), since the replacement keeps its owner. Returns FailedPrecondition naming the path
// and the reason:
//   "<path>: directory <dir> does not exist", "<path>: <dir> is not a directory",
//   "<path>: directory <dir> is not writable: <strerror>", "<path> is a directory",
//   "<path> is not a regular file", "<path>: owned by uid N, cannot keep its owner".
// File sides also call RefuseSymlink and RefuseHardLinks (plugins/common/link_policy.h).
Status CheckReplaceable(const std::filesystem::path& path);

// fsyncs the directory `dir`, so that entries created, renamed or removed in it survive a
// crash. IoError "<dir>: cannot open directory: ..." or "<dir>: fsync failed: ...".
Status FsyncDirectory(const std::filesystem::path& dir);

namespace atomic_file_internal {
// WriteFileAtomically forced onto the fallback path (named temp via mkostemp), for tests: the
// O_TMPFILE-unsupported condition cannot be produced on demand on tmpfs/ext4.
Status WriteFileAtomicallyViaNamedTemp(const std::filesystem::path& path,
                                       std::string_view content, mode_t create_mode = 0600);

// Called with the step's name at ReplaceReadFile's and RemoveReadFile's fault points
// ("before-checks": after the side's read, before the directory is opened again;
// "before-rename": the temp file written, the entry checked; "after-exchange": the old file is
// under the temp name, not checked yet), so tests can change the directory in each window. Also fault points "replace-file:<step>:<path as given>"
// (core/fault_point.h), for tests of real processes.
// Not thread-safe: set it before the writes it watches; an empty function removes it.
void SetStepHook(std::function<void(std::string_view step)> hook);
}  // namespace atomic_file_internal

}  // namespace seam

#pragma once
// One file read whole through one fd, with the change marker describing what was read. Shared
// by the file sides: json-file (the document), pem-file (a chain and its key, one file each).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "plugins/common/file_identity.h"

namespace seam {

// Wipes its bytes on destruction: a key file's content is a secret.
struct FileSnapshot {
  FileSnapshot() = default;
  FileSnapshot(const FileSnapshot&) = delete;
  FileSnapshot& operator=(const FileSnapshot&) = delete;
  ~FileSnapshot();

  bool exists = false;
  std::string bytes;
  // "absent", or "file:<dev>:<ino>:<size>:<mtime ns>:<sha256 of the bytes>". Never printed.
  std::string marker;
  std::int64_t mtime_us = 0;  // 0 when absent
  // The directory and the file the bytes came from: what a write may replace.
  FileIdentity identity;
  // Both kept open while the snapshot lives, so that the inode numbers in `identity` cannot be
  // reused by another file (a file removed and a symlink created at once often gets the freed
  // inode) before a write compares them. -1 when not open.
  int held_dir_fd = -1;
  int held_file_fd = -1;
};

// Reads `path` into `out`. A missing file is not an error (exists = false). Errors are one
// line naming the path, never the content: IoError when the OS refuses ("<path>: Permission
// denied"), FailedPrecondition for a file we will not read ("<path> is a directory", "<path>
// is not a regular file", "<path> is N bytes, over the 1 MiB limit"). A FIFO never blocks us:
// the open is O_NONBLOCK and anything but a regular file is refused before reading.
// The directory is opened first and the file inside it (openat), so `identity` names the
// directory the file was found in, not one a swap put there between two lookups; both stay open
// in `out` (a write's identity check is sound only while `out` lives).
Status ReadFileSnapshot(const std::filesystem::path& path, std::size_t max_bytes, FileSnapshot* out);

}  // namespace seam

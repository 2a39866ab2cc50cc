#pragma once
// Which directory entry a file side read, so that its write replaces that entry and nothing else
// (plugins/common/atomic_file.h ReplaceReadFile). Filled by ReadFileSnapshot, whose snapshot
// keeps both open: the numbers identify the same inodes only while that snapshot lives.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace seam {

struct FileIdentity {
  // The directory holding the path's last name, as opened for the read (by device and inode):
  // a directory swapped, or a symlink on the way repointed, between the read and the write is
  // another directory.
  bool dir_found = false;
  dev_t dir_dev = 0;
  ino_t dir_ino = 0;
  // The file read (through a symlink at the path: reads follow one, writes refuse it); absent
  // when `exists` is false.
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  // What it held: a file rewritten in place (the same inode) since the read is another file.
  std::uint64_t size = 0;
  std::string sha256;  // hex
};

// The directory holding `path`'s last name: its parent, or "." for a bare name.
inline std::filesystem::path DirectoryOf(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

}  // namespace seam

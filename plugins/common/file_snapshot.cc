#include "plugins/common/file_snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/crypto.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/format_bytes.h"
#include "plugins/common/wipe.h"

namespace seam {

FileSnapshot::~FileSnapshot() {
  WipeString(bytes);
  if (held_file_fd >= 0) ::close(held_file_fd);
  if (held_dir_fd >= 0) ::close(held_dir_fd);
}

Status ReadFileSnapshot(const std::filesystem::path& path, std::size_t max_bytes, FileSnapshot* out) {
  const std::string shown = path.string();
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
  };
  for (int* held : {&out->held_file_fd, &out->held_dir_fd}) {
    if (*held >= 0) ::close(std::exchange(*held, -1));
  }
  out->identity = FileIdentity{};
  // O_PATH: the lookup needs search permission on the directory, as open(path) did, not read.
  const std::filesystem::path name = path.filename();
  const bool plain_name = !name.empty() && name != "." && name != "..";
  Closer dir{plain_name ? ::open(DirectoryOf(path).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC) : AT_FDCWD};
  if (plain_name && dir.fd < 0) {
    if (errno == ENOENT) {
      out->marker = "absent";
      return Status::Ok();
    }
    return Status::IoError(shown + ": " + ErrnoText(errno));
  }
  struct stat dst {};
  if (plain_name) {
    if (::fstat(dir.fd, &dst) != 0) return Status::IoError(shown + ": " + ErrnoText(errno));
    out->identity.dir_found = true;
    out->identity.dir_dev = dst.st_dev;
    out->identity.dir_ino = dst.st_ino;
  }
  Closer file{::openat(dir.fd, plain_name ? name.c_str() : path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) {
    if (errno == ENOENT) {
      out->marker = "absent";
      if (dir.fd >= 0) out->held_dir_fd = dir.release();
      return Status::Ok();
    }
    return Status::IoError(shown + ": " + ErrnoText(errno));
  }
  const int fd = file.fd;

  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IoError(shown + ": " + ErrnoText(errno));
  if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition(shown + " is a directory");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(shown + " is not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes) {
    return Status::FailedPrecondition(shown + " is " + std::to_string(size) + " bytes, over the " +
                                      FormatBytes(max_bytes) + " limit");
  }
  // One byte of room past the size fstat saw, so growth shows up without a reallocation in the
  // common case; a reallocation wipes the buffer it leaves (it may hold a private key). The
  // read never goes past the limit + 1.
  std::string& buf = out->bytes;
  ResizeWiping(buf, static_cast<std::size_t>(size) + 1);
  std::size_t len = 0;
  while (true) {
    if (len == buf.size()) {
      if (len > max_bytes) break;
      ResizeWiping(buf, std::min(buf.size() * 2, max_bytes + 1));
    }
    const std::size_t want = buf.size() - len;
    ssize_t n = ::read(fd, buf.data() + len, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(shown + ": read failed: " + ErrnoText(errno));
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
    // A short read of a regular file that gave at least the size fstat saw is its end: no
    // second read to hear EOF (two fewer system calls per pass of a two-file seam). Files that
    // report no size (/proc) may read short before their end, so they read on to EOF.
    if (static_cast<std::size_t>(n) < want && size > 0 && len >= size) break;
  }
  if (len > max_bytes) {
    return Status::FailedPrecondition(shown + " grew past the " + FormatBytes(max_bytes) +
                                      " limit while being read");
  }
  buf.resize(len);

  const std::int64_t mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  out->exists = true;
  const std::string sha256 = Sha256Hex(buf);
  out->identity.exists = true;
  out->identity.dev = st.st_dev;
  out->identity.ino = st.st_ino;
  out->identity.size = len;
  out->identity.sha256 = sha256;
  if (dir.fd >= 0) out->held_dir_fd = dir.release();
  out->held_file_fd = file.release();
  // The content digest catches rewrites that keep size and mtime (same-tick edits).
  out->marker = "file:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                std::to_string(len) + ":" + std::to_string(mtime_ns) + ":" + sha256;
  out->mtime_us = mtime_ns / 1000;
  return Status::Ok();
}

}  // namespace seam

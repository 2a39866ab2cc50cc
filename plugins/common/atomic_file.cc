#include "plugins/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

namespace seam {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Closes on scope exit; close errors that matter (the temp file's) are checked explicitly.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(ErrnoText(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

// Renaming over a symlink would replace the link with a regular file and silently detach
// whoever else reads through it, so the write goes to the file the link points to.
Result<fs::path> ResolveTarget(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  std::error_code ec;
  fs::path target = fs::weakly_canonical(path, ec);
  if (ec) return Status::IoError(path.string() + ": cannot resolve symlink: " + ec.message());
  return target;
}

}  // namespace

Status WriteFileAtomically(const fs::path& path, std::string_view content, mode_t create_mode) {
  SEAM_ASSIGN_OR_RETURN(fs::path target, ResolveTarget(path));
  const std::string shown = path.string();
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";

  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return Status::IoError(shown + ": directory " + dir.string() + " does not exist");
    return Status::IoError(shown + ": cannot open directory " + dir.string() + ": " + ErrnoText(err));
  }

  struct stat old {};
  bool exists = ::stat(target.c_str(), &old) == 0;
  if (!exists && errno != ENOENT) return Status::IoError(shown + ": " + ErrnoText(errno));
  if (exists && !S_ISREG(old.st_mode)) return Status::IoError(shown + ": not a regular file");

  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) {
    return Status::IoError(shown + ": cannot create a temp file in " + dir.string() + ": " +
                           ErrnoText(errno));
  }
  // Every failure from here on leaves the target untouched and removes the temp file.
  auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return Status::IoError(shown + ": " + what + ": " + ErrnoText(err));
  };

  Status written = WriteAll(fd.get(), content);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return Status::IoError(shown + ": cannot write temp file: " + written.message());
  }
  struct stat mine {};
  if (::fstat(fd.get(), &mine) != 0) return fail("cannot stat temp file", errno);
  // chown before chmod: changing the owner clears set-id bits that chmod then restores. An
  // owner we may not give away is an error, not a silent change of who can read the file.
  if (exists && (mine.st_uid != old.st_uid || mine.st_gid != old.st_gid) &&
      ::fchown(fd.get(), old.st_uid, old.st_gid) != 0) {
    return fail("cannot keep the owner " + std::to_string(old.st_uid) + ":" +
                    std::to_string(old.st_gid),
                errno);
  }
  mode_t mode = exists ? (old.st_mode & 07777) : create_mode;
  if (::fchmod(fd.get(), mode) != 0) return fail("cannot set the file mode", errno);
  if (::fsync(fd.get()) != 0) return fail("fsync of temp file failed", errno);
  if (::close(fd.release()) != 0) return fail("close of temp file failed", errno);
  if (::rename(tmp.c_str(), target.c_str()) != 0) return fail("cannot rename temp file", errno);

  // The new content is in place; without this the rename itself may not survive a crash.
  if (::fsync(dir_fd.get()) != 0) {
    return Status::IoError(shown + ": replaced, but fsync of directory " + dir.string() +
                           " failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace seam

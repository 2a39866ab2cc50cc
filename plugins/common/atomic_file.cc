#include "plugins/common/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <system_error>

#include "plugins/common/errno_text.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

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
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
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
// whoever else reads through it, so the write goes to the file the link points to. Followed
// link by link (not fs::weakly_canonical, which leaves a dangling link unresolved), so that a
// link to a file not created yet creates that file and keeps the link.
Result<fs::path> ResolveTarget(const fs::path& path) {
  fs::path cur = path;
  for (int hops = 0; hops < 40; ++hops) {  // Linux's own limit (ELOOP)
    struct stat st {};
    if (::lstat(cur.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
    std::error_code ec;
    fs::path next = fs::read_symlink(cur, ec);
    if (ec) return Status::IoError(path.string() + ": cannot resolve symlink: " + ec.message());
    cur = next.is_absolute() ? next : cur.parent_path() / next;
  }
  return Status::IoError(path.string() + ": cannot resolve symlink: " + ErrnoText(ELOOP));
}

fs::path DirOf(const fs::path& target) {
  fs::path dir = target.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// ".<name>.XXXXXX" with six random characters, like mkstemp's.
std::string TempName(const fs::path& target) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[6] = {};
  if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bytes)) {
    // Uniqueness only, not secrecy: linkat refuses an existing name and we retry.
    auto seed = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    for (unsigned char& b : bytes) {
      b = static_cast<unsigned char>(seed);
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    }
  }
  std::string name = "." + target.filename().string() + ".";
  for (unsigned char b : bytes) name.push_back(kChars[b % (sizeof kChars - 1)]);
  return (DirOf(target) / name).string();
}

// What the target was before the write: the owner and mode the new file keeps.
struct OldTarget {
  bool exists = false;
  struct stat st {};
};

// Writes `content` to the temp file, gives it the old owner and mode, and fsyncs it. On
// failure the error says what failed (the caller adds the path and removes the temp file).
Status FillTemp(int fd, std::string_view content, const OldTarget& old, mode_t create_mode) {
  Status written = WriteAll(fd, content);
  if (!written.ok()) return Status::IoError("cannot write temp file: " + written.message());
  struct stat mine {};
  if (::fstat(fd, &mine) != 0) return Status::IoError("cannot stat temp file: " + ErrnoText(errno));
  // chown before chmod: changing the owner clears set-id bits that chmod then restores. An
  // owner we may not give away is an error, not a silent change of who can read the file.
  if (old.exists && (mine.st_uid != old.st.st_uid || mine.st_gid != old.st.st_gid) &&
      ::fchown(fd, old.st.st_uid, old.st.st_gid) != 0) {
    return Status::IoError("cannot keep the owner " + std::to_string(old.st.st_uid) + ":" +
                           std::to_string(old.st.st_gid) + ": " + ErrnoText(errno));
  }
  mode_t mode = old.exists ? (old.st.st_mode & 07777) : create_mode;
  if (::fchmod(fd, mode) != 0) return Status::IoError("cannot set the file mode: " + ErrnoText(errno));
  if (::fsync(fd) != 0) return Status::IoError("fsync of temp file failed: " + ErrnoText(errno));
  return Status::Ok();
}

// Gives the unnamed (O_TMPFILE) file `fd` a fresh temp name. Returns the name, "" when this
// system cannot link an unnamed file (the caller falls back to a named temp), or an error.
Result<std::string> LinkUnnamed(int fd, const fs::path& target) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = TempName(target);
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno == EEXIST) continue;
    if (errno != ENOENT) return Status::IoError("cannot name temp file: " + ErrnoText(errno));
    // No /proc: AT_EMPTY_PATH links the fd itself, but needs CAP_DAC_READ_SEARCH.
    if (::linkat(fd, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0) return name;
    if (errno == EEXIST) continue;
    return std::string();
  }
  return Status::IoError("cannot name temp file: no free temp name");
}

enum class TempKind { kUnnamedFirst, kNamedOnly };

Status WriteImpl(const fs::path& path, std::string_view content, mode_t create_mode, TempKind kind) {
  SEAM_ASSIGN_OR_RETURN(fs::path target, ResolveTarget(path));
  const std::string shown = path.string();
  const fs::path dir = DirOf(target);

  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return Status::IoError(shown + ": directory " + dir.string() + " does not exist");
    return Status::IoError(shown + ": cannot open directory " + dir.string() + ": " + ErrnoText(err));
  }

  OldTarget old;
  old.exists = ::stat(target.c_str(), &old.st) == 0;
  if (!old.exists && errno != ENOENT) return Status::IoError(shown + ": " + ErrnoText(errno));
  if (old.exists && !S_ISREG(old.st.st_mode)) return Status::IoError(shown + ": not a regular file");

  std::string tmp;  // the temp file's name, once it has one
  auto fail = [&](const std::string& what) {
    if (!tmp.empty()) ::unlink(tmp.c_str());
    return Status::IoError(shown + ": " + what);
  };

  UniqueFd fd(-1);
  if (kind == TempKind::kUnnamedFirst) {
    UniqueFd unnamed(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (unnamed.get() >= 0) {
      // Nothing to clean up on failure: the inode goes away with the fd.
      if (Status s = FillTemp(unnamed.get(), content, old, create_mode); !s.ok()) return fail(s.message());
      Result<std::string> name = LinkUnnamed(unnamed.get(), target);
      if (!name.ok()) return fail(name.status().message());
      if (!name->empty()) {
        tmp = *name;
        fd.reset(unnamed.release());
      }
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return fail("cannot create a temp file in " + dir.string() + ": " + ErrnoText(errno));
    }
  }
  if (tmp.empty()) {  // fallback: a named temp file from the start
    tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    fd.reset(::mkostemp(tmp.data(), O_CLOEXEC));
    if (fd.get() < 0) {
      int err = errno;
      tmp.clear();
      return fail("cannot create a temp file in " + dir.string() + ": " + ErrnoText(err));
    }
    // Every failure from here on leaves the target untouched and removes the temp file.
    if (Status s = FillTemp(fd.get(), content, old, create_mode); !s.ok()) return fail(s.message());
  }
  if (::close(fd.release()) != 0) return fail("close of temp file failed: " + ErrnoText(errno));
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    return fail("cannot rename temp file: " + ErrnoText(errno));
  }

  // The new content is in place; without this the rename itself may not survive a crash.
  if (::fsync(dir_fd.get()) != 0) {
    return Status::IoError(shown + ": replaced, but fsync of directory " + dir.string() +
                           " failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const fs::path& path, std::string_view content, mode_t create_mode) {
  return WriteImpl(path, content, create_mode, TempKind::kUnnamedFirst);
}

Status atomic_file_internal::WriteFileAtomicallyViaNamedTemp(const fs::path& path,
                                                             std::string_view content,
                                                             mode_t create_mode) {
  return WriteImpl(path, content, create_mode, TempKind::kNamedOnly);
}

Status CheckReplaceable(const fs::path& path) {
  const std::string shown = path.string();
  Result<fs::path> resolved = ResolveTarget(path);
  if (!resolved.ok()) return Status::FailedPrecondition(resolved.status().message());
  const fs::path& target = *resolved;
  const fs::path dir = DirOf(target);

  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    int err = errno;
    if (err == ENOENT) {
      return Status::FailedPrecondition(shown + ": directory " + dir.string() + " does not exist");
    }
    return Status::FailedPrecondition(shown + ": directory " + dir.string() + ": " + ErrnoText(err));
  }
  if (!S_ISDIR(dst.st_mode)) {
    return Status::FailedPrecondition(shown + ": " + dir.string() + " is not a directory");
  }
  // Creating the temp file and renaming it need write and search permission on the directory.
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return Status::FailedPrecondition(shown + ": directory " + dir.string() +
                                      " is not writable: " + ErrnoText(errno));
  }

  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FailedPrecondition(shown + ": " + ErrnoText(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::FailedPrecondition(shown + " is a directory");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(shown + " is not a regular file");
  // The replacement keeps the owner (fchown), which only root may give away. (A non-root
  // process with CAP_CHOWN is refused here although the write would work; none is expected.)
  if (::geteuid() != 0 && st.st_uid != ::geteuid()) {
    return Status::FailedPrecondition(shown + ": owned by uid " + std::to_string(st.st_uid) +
                                      ", cannot keep its owner");
  }
  return Status::Ok();
}

Status FsyncDirectory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Status::IoError(dir.string() + ": cannot open directory: " + ErrnoText(errno));
  if (::fsync(fd.get()) != 0) return Status::IoError(dir.string() + ": fsync failed: " + ErrnoText(errno));
  return Status::Ok();
}

}  // namespace seam

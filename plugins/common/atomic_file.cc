#include "plugins/common/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <system_error>

#include "core/crypto.h"
#include "core/fault_point.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/link_policy.h"
#include "plugins/common/wipe.h"

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
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&&) = delete;
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

// ".<name>.XXXXXX" with six random characters, like mkstemp's: a name in the target's directory.
std::string TempName(const std::string& name) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[6] = {};
  if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bytes)) {
    // Uniqueness only, not secrecy: linkat and O_EXCL refuse an existing name and we retry.
    auto seed = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    for (unsigned char& b : bytes) {
      b = static_cast<unsigned char>(seed);
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    }
  }
  std::string temp = "." + name + ".";
  for (unsigned char b : bytes) temp.push_back(kChars[b % (sizeof kChars - 1)]);
  return temp;
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

// Gives the unnamed (O_TMPFILE) file `fd` a fresh temp name in `dir_fd`. Returns the name, ""
// when this system cannot link an unnamed file (the caller falls back to a named temp), or an
// error.
Result<std::string> LinkUnnamed(int fd, int dir_fd, const std::string& name) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = TempName(name);
    if (::linkat(AT_FDCWD, proc.c_str(), dir_fd, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) return temp;
    if (errno == EEXIST) continue;
    if (errno != ENOENT) return Status::IoError("cannot name temp file: " + ErrnoText(errno));
    // No /proc: AT_EMPTY_PATH links the fd itself, but needs CAP_DAC_READ_SEARCH.
    if (::linkat(fd, "", dir_fd, temp.c_str(), AT_EMPTY_PATH) == 0) return temp;
    if (errno == EEXIST) continue;
    return std::string();
  }
  return Status::IoError("cannot name temp file: no free temp name");
}

// A named temp file from the start (the fallback): O_EXCL on a fresh name, as mkostemp does,
// but inside `dir_fd`.
Result<std::string> CreateNamedTemp(int dir_fd, const std::string& name, UniqueFd& fd) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = TempName(name);
    fd.reset(::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() >= 0) return temp;
    if (errno != EEXIST) return Status::IoError("cannot create a temp file: " + ErrnoText(errno));
  }
  return Status::IoError("cannot create a temp file: no free temp name");
}

enum class TempKind { kUnnamedFirst, kNamedOnly };

std::function<void(std::string_view)>& StepHook() {
  static std::function<void(std::string_view)> hook;
  return hook;
}

// A fault point (core/fault_point.h) "replace-file:<step>:<path>" and the tests' hook, at the
// steps between which another program may change the directory.
void Step(std::string_view step, const std::string& shown) {
  FaultPoint("replace-file:" + std::string(step) + ":" + shown);
  if (StepHook()) StepHook()(step);
}

// Why the entry `name` in the directory is not the file `read` saw, or "" when it is: a
// regular file with one link, the same device and inode (or absent, as it was).
std::string NotAsRead(const std::string& shown, const FileIdentity& read, bool exists, const struct stat& st) {
  if (exists && S_ISLNK(st.st_mode)) {
    return shown + " is a symlink now; seam does not write through one (part of another tool's layout)";
  }
  if (read.exists && !exists) return shown + " was removed since it was read";
  if (!read.exists && exists) return shown + " was created since it was read";
  if (!exists) return "";
  if (st.st_dev != read.dev || st.st_ino != read.ino) return shown + " was replaced by another file since it was read";
  if (!S_ISREG(st.st_mode)) return shown + " is not a regular file";
  if (st.st_nlink > 1) return HardLinkRefusal(shown, st.st_nlink);
  return "";
}

// lstat of `name` in `dir_fd`: false when absent, an error for anything else that fails.
Result<bool> StatEntry(int dir_fd, const std::string& name, struct stat* st, int flags) {
  if (::fstatat(dir_fd, name.c_str(), st, flags) == 0) return true;
  if (errno == ENOENT) return false;
  return Status::IoError(ErrnoText(errno));
}

// Whether the file now named `taken` in `dir_fd` (just moved there from the side's path) is the
// one `read` saw, as it was: a regular file, the same device and inode, one link (a link made
// since would keep the old value under its other name), and the same bytes (a program that
// rewrote it in place since the read, same inode, made it another file).
bool TakenIsAsRead(int dir_fd, const std::string& taken, const FileIdentity& read, struct stat* st) {
  Result<bool> there = StatEntry(dir_fd, taken, st, AT_SYMLINK_NOFOLLOW);
  if (!there.ok() || !*there || !S_ISREG(st->st_mode) || st->st_dev != read.dev || st->st_ino != read.ino ||
      st->st_nlink != 1 || static_cast<std::uint64_t>(st->st_size) != read.size) {
    return false;
  }
  UniqueFd fd(::openat(dir_fd, taken.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return false;
  std::string bytes(read.size + 1, '\0');  // one byte more: growth since the fstat shows
  std::size_t len = 0;
  while (len < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + len, bytes.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += static_cast<std::size_t>(n);
  }
  bytes.resize(len);
  const bool same = len == read.size && Sha256Hex(bytes) == read.sha256;
  WipeString(bytes);  // the old value
  return same;
}

// Removes the temp name `temp` only while it still names seam's own temp file (`ours`): after a
// refused exchange another program's file may be there instead. The message to add: "" when
// removed or gone, else where the other file was left.
std::string RemoveIfOurs(int dir_fd, const std::string& temp, const struct stat& ours) {
  struct stat st {};
  Result<bool> there = StatEntry(dir_fd, temp, &st, AT_SYMLINK_NOFOLLOW);
  if (!there.ok() || !*there) return "";
  if (st.st_dev == ours.st_dev && st.st_ino == ours.st_ino) {
    ::unlinkat(dir_fd, temp.c_str(), 0);
    return "";
  }
  return " (another program's file, put there meanwhile, is left beside it as " + temp + ")";
}

// The last step of a guarded replacement: the temp file `temp` takes the place of `name` only if
// `name` is still what was read, decided by the kernel in the rename itself, so that nothing put
// there in between is lost. A file that was there is exchanged (RENAME_EXCHANGE) and the one
// taken out is checked: another file goes back at once. A name that was free is taken only while
// it still is (RENAME_NOREPLACE). Where a filesystem lacks these, the entry is checked just
// before a plain rename, which leaves a window of two system calls.
Status RenameIfAsRead(int dir_fd, const std::string& temp, const struct stat& ours, const std::string& name,
                      const std::string& shown, const FileIdentity& read) {
  auto refuse = [&](const std::string& why) {
    const std::string left = RemoveIfOurs(dir_fd, temp, ours);
    return Status::FailedPrecondition(why + "; not writing" + left);
  };
  const unsigned flag = read.exists ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), flag) != 0) {
    const int err = errno;
    if (err == ENOENT && read.exists) return refuse(shown + " was removed while it was being written");
    if (err == EEXIST) return refuse(shown + " was created while it was being written");
    if (err != EINVAL && err != ENOSYS && err != EOPNOTSUPP) {
      ::unlinkat(dir_fd, temp.c_str(), 0);
      return Status::IoError(shown + ": cannot rename temp file: " + ErrnoText(err));
    }
    struct stat st {};
    Result<bool> now = StatEntry(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW);
    if (!now.ok()) return refuse(shown + ": " + now.status().message());
    if (std::string why = NotAsRead(shown, read, *now, st); !why.empty()) return refuse(why);
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
      const int rename_err = errno;
      ::unlinkat(dir_fd, temp.c_str(), 0);
      return Status::IoError(shown + ": cannot rename temp file: " + ErrnoText(rename_err));
    }
    return Status::Ok();
  }
  if (!read.exists) return Status::Ok();
  Step("after-exchange", shown);
  // The old file is under the temp name now: it must be the one read, as it was.
  struct stat st {};
  if (TakenIsAsRead(dir_fd, temp, read, &st)) {
    if (::unlinkat(dir_fd, temp.c_str(), 0) != 0) {
      return Status::IoError(shown + ": replaced, but the old file, now " + temp + ", could not be removed: " +
                             ErrnoText(errno));
    }
    return Status::Ok();
  }
  // Something else was put there, or the file changed, between the read and the rename: it goes
  // back. (What is at the path now may not be seam's file any more: whatever it is goes to the
  // temp name, removed only if it is seam's.)
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_EXCHANGE) != 0) {
    return Status::IoError(shown + " changed while it was being written, and putting that file back failed (" +
                           ErrnoText(errno) + "): it is " + temp + " beside it, and " + shown +
                           " may hold seam's value");
  }
  const bool linked = st.st_dev == read.dev && st.st_ino == read.ino && st.st_nlink > 1;
  if (linked) {
    return refuse(HardLinkRefusal(shown, st.st_nlink) + " (a link made while it was being written; the file is put back)");
  }
  return refuse(shown + " was replaced or rewritten while it was being written; it is put back");
}

// Replaces `name` in the open directory `dir_fd` with `content`. With `read`, only the file a
// side read (or a free name, as it was) is replaced; without, whatever regular file is there.
Status WriteInDirectory(int dir_fd, const fs::path& dir, const std::string& name, const std::string& shown,
                        std::string_view content, mode_t create_mode, TempKind kind, const FileIdentity* read) {
  OldTarget old;
  Result<bool> exists = StatEntry(dir_fd, name, &old.st, read != nullptr ? AT_SYMLINK_NOFOLLOW : 0);
  if (!exists.ok()) return Status::IoError(shown + ": " + exists.status().message());
  old.exists = *exists;
  if (read != nullptr) {
    if (std::string why = NotAsRead(shown, *read, old.exists, old.st); !why.empty()) {
      return Status::FailedPrecondition(why + "; not writing");
    }
  }
  if (old.exists && !S_ISREG(old.st.st_mode)) return Status::IoError(shown + ": not a regular file");

  std::string tmp;  // the temp file's name in the directory, once it has one
  auto fail = [&](const std::string& what) {
    if (!tmp.empty()) ::unlinkat(dir_fd, tmp.c_str(), 0);
    return Status::IoError(shown + ": " + what);
  };

  UniqueFd fd(-1);
  if (kind == TempKind::kUnnamedFirst) {
    UniqueFd unnamed(::openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (unnamed.get() >= 0) {
      // Nothing to clean up on failure: the inode goes away with the fd.
      if (Status s = FillTemp(unnamed.get(), content, old, create_mode); !s.ok()) return fail(s.message());
      Result<std::string> temp = LinkUnnamed(unnamed.get(), dir_fd, name);
      if (!temp.ok()) return fail(temp.status().message());
      if (!temp->empty()) {
        tmp = *temp;
        fd.reset(unnamed.release());
      }
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return fail("cannot create a temp file in " + dir.string() + ": " + ErrnoText(errno));
    }
  }
  if (tmp.empty()) {  // fallback: a named temp file from the start
    Result<std::string> temp = CreateNamedTemp(dir_fd, name, fd);
    if (!temp.ok()) return fail(temp.status().message() + " (in " + dir.string() + ")");
    tmp = *temp;
    // Every failure from here on leaves the target untouched and removes the temp file.
    if (Status s = FillTemp(fd.get(), content, old, create_mode); !s.ok()) return fail(s.message());
  }
  struct stat ours {};  // seam's temp file: only it is ever removed by name
  if (::fstat(fd.get(), &ours) != 0) return fail("cannot stat temp file: " + ErrnoText(errno));
  if (::close(fd.release()) != 0) return fail("close of temp file failed: " + ErrnoText(errno));

  Step("before-rename", shown);
  if (read != nullptr) {
    SEAM_RETURN_IF_ERROR(RenameIfAsRead(dir_fd, tmp, ours, name, shown, *read));
  } else if (::renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) != 0) {
    return fail("cannot rename temp file: " + ErrnoText(errno));
  }

  // The new content is in place; without this the rename itself may not survive a crash.
  if (::fsync(dir_fd) != 0) {
    return Status::IoError(shown + ": replaced, but fsync of directory " + dir.string() +
                           " failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

// The directory to write in, opened once: every later step names entries relative to it.
Result<UniqueFd> OpenDirectory(const fs::path& dir, const std::string& shown) {
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return Status::IoError(shown + ": directory " + dir.string() + " does not exist");
    return Status::IoError(shown + ": cannot open directory " + dir.string() + ": " + ErrnoText(err));
  }
  return dir_fd;
}

Status WriteImpl(const fs::path& path, std::string_view content, mode_t create_mode, TempKind kind) {
  SEAM_ASSIGN_OR_RETURN(fs::path target, ResolveTarget(path));
  const fs::path dir = DirectoryOf(target);
  SEAM_ASSIGN_OR_RETURN(UniqueFd dir_fd, OpenDirectory(dir, path.string()));
  return WriteInDirectory(dir_fd.get(), dir, target.filename().string(), path.string(), content, create_mode, kind,
                          nullptr);
}

// The directory `path` was read in, opened again: FailedPrecondition when it is another one.
Result<UniqueFd> OpenDirectoryAsRead(const fs::path& path, const FileIdentity& read) {
  const std::string shown = path.string();
  const fs::path name = path.filename();
  if (name.empty() || name == "." || name == "..") {
    return Status::FailedPrecondition(shown + ": not a file name; not writing");
  }
  const fs::path dir = DirectoryOf(path);
  SEAM_ASSIGN_OR_RETURN(UniqueFd dir_fd, OpenDirectory(dir, shown));
  struct stat st {};
  if (::fstat(dir_fd.get(), &st) != 0) return Status::IoError(shown + ": directory " + dir.string() + ": " + ErrnoText(errno));
  if (!read.dir_found || st.st_dev != read.dir_dev || st.st_ino != read.dir_ino) {
    return Status::FailedPrecondition(shown + ": directory " + dir.string() + " is not the one " + shown +
                                      " was read in (replaced, or a symlink on the way points elsewhere now); "
                                      "not writing");
  }
  return dir_fd;
}

}  // namespace

Status WriteFileAtomically(const fs::path& path, std::string_view content, mode_t create_mode) {
  return WriteImpl(path, content, create_mode, TempKind::kUnnamedFirst);
}

Status ReplaceReadFile(const fs::path& path, std::string_view content, const FileIdentity& read,
                       mode_t create_mode) {
  Step("before-checks", path.string());
  SEAM_ASSIGN_OR_RETURN(UniqueFd dir_fd, OpenDirectoryAsRead(path, read));
  return WriteInDirectory(dir_fd.get(), DirectoryOf(path), path.filename().string(), path.string(), content,
                          create_mode, TempKind::kUnnamedFirst, &read);
}

Status RemoveReadFile(const fs::path& path, const FileIdentity& read) {
  Step("before-checks", path.string());
  const std::string shown = path.string();
  SEAM_ASSIGN_OR_RETURN(UniqueFd dir_fd, OpenDirectoryAsRead(path, read));
  const std::string name = path.filename().string();
  struct stat st {};
  Result<bool> exists = StatEntry(dir_fd.get(), name, &st, AT_SYMLINK_NOFOLLOW);
  if (!exists.ok()) return Status::IoError(shown + ": " + exists.status().message());
  if (std::string why = NotAsRead(shown, read, *exists, st); !why.empty()) {
    return Status::FailedPrecondition(why + "; not removing");
  }
  if (!*exists) return Status::Ok();
  Step("before-rename", shown);
  // Moved aside under a fresh name first, then checked: what another program put there between
  // the check above and the move goes back instead of being removed.
  std::string aside;
  for (int attempt = 0; attempt < 100 && aside.empty(); ++attempt) {
    std::string temp = TempName(name);
    if (::renameat2(dir_fd.get(), name.c_str(), dir_fd.get(), temp.c_str(), RENAME_NOREPLACE) == 0) {
      aside = temp;
    } else if (errno == ENOENT) {
      return Status::FailedPrecondition(shown + " was removed while it was being removed; not removing");
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
      // No RENAME_NOREPLACE here: the checked entry goes directly (a window of one system call).
      if (::unlinkat(dir_fd.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
        return Status::IoError(shown + ": cannot remove: " + ErrnoText(errno));
      }
      if (::fsync(dir_fd.get()) != 0) {
        return Status::IoError(shown + ": removed, but fsync of its directory failed: " + ErrnoText(errno));
      }
      return Status::Ok();
    } else if (errno != EEXIST) {
      return Status::IoError(shown + ": cannot remove: " + ErrnoText(errno));
    }
  }
  if (aside.empty()) return Status::IoError(shown + ": cannot remove: no free temp name");
  if (!TakenIsAsRead(dir_fd.get(), aside, read, &st)) {
    if (::renameat2(dir_fd.get(), aside.c_str(), dir_fd.get(), name.c_str(), RENAME_NOREPLACE) != 0) {
      return Status::IoError(shown + " was replaced while it was being removed, and putting that file back failed (" +
                             ErrnoText(errno) + "): it is " + aside + " beside it");
    }
    return Status::FailedPrecondition(shown + " was replaced or rewritten while it was being removed; it is put back; "
                                      "not removing");
  }
  if (::unlinkat(dir_fd.get(), aside.c_str(), 0) != 0) {
    return Status::IoError(shown + ": cannot remove " + aside + ": " + ErrnoText(errno));
  }
  if (::fsync(dir_fd.get()) != 0) {
    return Status::IoError(shown + ": removed, but fsync of its directory failed: " + ErrnoText(errno));
  }
  return Status::Ok();
}

Status atomic_file_internal::WriteFileAtomicallyViaNamedTemp(const fs::path& path,
                                                             std::string_view content,
                                                             mode_t create_mode) {
  return WriteImpl(path, content, create_mode, TempKind::kNamedOnly);
}

void atomic_file_internal::SetStepHook(std::function<void(std::string_view step)> hook) {
  StepHook() = std::move(hook);
}

Status CheckReplaceable(const fs::path& path) {
  const std::string shown = path.string();
  Result<fs::path> resolved = ResolveTarget(path);
  if (!resolved.ok()) return Status::FailedPrecondition(resolved.status().message());
  const fs::path& target = *resolved;
  const fs::path dir = DirectoryOf(target);

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

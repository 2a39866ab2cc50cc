#include "store/flock_writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace seam {
namespace {

std::string LockFileName(const std::string& stream) {
  std::string name = stream;
  std::replace(name.begin(), name.end(), '/', '~');  // names are [a-z0-9._-]: '~' cannot clash
  return name + ".lock";
}

// The holder record's size: a name shorter than this is padded with spaces, so each holder's
// write covers the whole of the previous one.
constexpr std::size_t kHolderRecord = 128;

std::string ReadHolder(int fd) {
  char buf[512] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (const std::size_t end = holder.find('\n'); end != std::string::npos) holder.resize(end);
  while (!holder.empty() && (holder.back() == ' ' || holder.back() == '\0')) holder.pop_back();
  return holder.empty() ? "another process" : holder;
}

// The pid holding a flock on `fd`'s file, as /proc/locks lists it; 0 when it cannot be told.
// Lines read "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF" (major:minor in hex, then
// the inode); a waiter's line has "->" after the number.
pid_t FlockHolderPid(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  std::ifstream in("/proc/locks");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string number, type, mode, access, device;
    long pid = 0;
    if (!(fields >> number >> type) || type != "FLOCK") continue;
    if (!(fields >> mode >> access >> pid >> device)) continue;
    unsigned major_id = 0, minor_id = 0;
    unsigned long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%lu", &major_id, &minor_id, &inode) != 3) continue;
    if (inode == st.st_ino && major_id == major(st.st_dev) && minor_id == minor(st.st_dev)) {
      return static_cast<pid_t>(pid);
    }
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<WriterLock>> FlockWriterLock::Acquire(const std::filesystem::path& state_dir,
                                                            const std::string& stream, const std::string& actor,
                                                            std::chrono::milliseconds wait) {
  const std::filesystem::path dir = state_dir / "locks";
  const std::filesystem::path path = dir / LockFileName(stream);
  // The directory is made when it is missing, not tried every time: seamd takes 10,000 of these
  // locks in its start-up pass, and each system call shows.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == ENOENT) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IoError("cannot create lock directory " + dir.string() + ": " + std::strerror(errno));
    }
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  if (fd < 0) return Status::IoError("cannot open lock file " + path.string() + ": " + std::strerror(errno));

  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("cannot lock " + path.string() + ": " + std::strerror(err));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string holder = ReadHolder(fd);
      if (const pid_t pid = FlockHolderPid(fd); pid > 0) holder += " (pid " + std::to_string(pid) + ")";
      ::close(fd);
      return Status::Unavailable("seam stream " + stream + " is busy: " + holder + " holds " +
                                 path.string() + " (waited " + std::to_string(wait.count()) +
                                 " ms); retry when it is done");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Record who holds it, for whoever waits next. Best effort: the lock itself is the flock. One
  // write of a fixed-size record (padded) replaces the previous holder's whole, so it needs no
  // truncation; a waiter reads it only while the flock is held, by the process that wrote it.
  // A record that already names this holder is left as it is: seamd takes the same locks pass
  // after pass (and start after start: the record holds no pid, a waiter finds that in
  // /proc/locks), and rewriting 10,000 of them made 40 MB of dirty pages the kernel flushed 30 s
  // later, in the middle of other passes' fsyncs.
  std::string holder = actor;
  holder.resize(std::max<std::size_t>(holder.size(), kHolderRecord - 1), ' ');
  holder += '\n';
  std::string held(holder.size(), '\0');
  const ssize_t n = ::pread(fd, held.data(), held.size(), 0);
  if (n != static_cast<ssize_t>(held.size()) || held != holder) {
    (void)!::pwrite(fd, holder.data(), holder.size(), 0);
  }
  return std::unique_ptr<WriterLock>(new FlockWriterLock(fd));
}

FlockWriterLock::~FlockWriterLock() {
  if (fd_ < 0) return;
  // The holder's name stays in the file (as after a crash): it is read only while someone holds
  // the flock, and every holder writes its own name first.
  ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace seam

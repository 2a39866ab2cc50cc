#include "tools/seamd/file_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace seam::seamd {
namespace {

namespace fs = std::filesystem;

// Everything that can change what a file in the directory holds, or the directory itself.
// IN_ATTRIB: a chmod can make a side unreadable (or readable again).
constexpr std::uint32_t kDirMask = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE |
                                   IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                   IN_ONLYDIR;

std::string DirOf(const fs::path& file) {
  fs::path dir = file.parent_path().lexically_normal();
  if (dir.empty()) dir = ".";
  std::string text = dir.string();
  // "cli/" (lexically normal form of "cli/.") and "cli" are one directory.
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

}  // namespace

fs::path WatchedFileKey(const fs::path& file) { return fs::path(DirOf(file)) / file.filename(); }

Result<std::shared_ptr<FileWatcher>> FileWatcher::Create(boost::asio::io_context& io, Handlers handlers) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    return Status::IoError(std::string("cannot watch files: inotify_init1: ") + std::strerror(errno) +
                           " (see /proc/sys/fs/inotify/max_user_instances)");
  }
  return std::make_shared<FileWatcher>(io, fd, std::move(handlers));
}

FileWatcher::FileWatcher(boost::asio::io_context& io, int fd, Handlers handlers)
    : descriptor_(io, fd), handlers_(std::move(handlers)) {}

std::size_t FileWatcher::files() const {
  std::size_t n = 0;
  for (const auto& [dir, d] : dirs_) n += d.names.size();
  return n;
}

void FileWatcher::Watch(const fs::path& file) {
  const std::string dir = DirOf(file);
  Dir& d = dirs_[dir];
  d.names.insert(file.filename().string());
  if (d.wd < 0) Arm(dir);
}

bool FileWatcher::Arm(const std::string& dir) {
  Dir& d = dirs_[dir];
  const int wd = ::inotify_add_watch(descriptor_.native_handle(), dir.c_str(), kDirMask);
  if (wd < 0) {
    const int err = errno;
    // A missing directory is ordinary (a side not deployed yet, a directory being replaced):
    // debug. Anything else (permissions, the watch limit) is worth one warning.
    if (!d.warned) {
      if (err == ENOENT || err == ENOTDIR) {
        spdlog::debug("directory {} does not exist; watching for it", dir);
      } else {
        spdlog::warn("cannot watch directory {}: {}{}; its files are checked by the periodic pass", dir,
                     std::strerror(err),
                     err == ENOSPC ? " (see /proc/sys/fs/inotify/max_user_watches)" : "");
      }
      d.warned = true;
    }
    return false;
  }
  d.wd = wd;
  d.warned = false;
  std::vector<std::string>& dirs = by_wd_[wd];
  if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  return true;
}

void FileWatcher::Disarm(int wd) {
  auto it = by_wd_.find(wd);
  if (it == by_wd_.end()) return;
  for (const std::string& dir : it->second) {
    Dir& d = dirs_[dir];
    if (d.wd == wd) d.wd = -1;
  }
  by_wd_.erase(it);
  // Gone already for IN_DELETE_SELF / IN_IGNORED (EINVAL then); needed for IN_MOVE_SELF, whose
  // watch would otherwise follow the directory to its new name.
  ::inotify_rm_watch(descriptor_.native_handle(), wd);
}

void FileWatcher::RetryMissing() {
  for (auto& [dir, d] : dirs_) {
    if (d.wd >= 0 || closed_) continue;
    if (Arm(dir)) {
      spdlog::info("directory {} is back; watching it again", dir);
      handlers_.directory_changed(dir);
    }
  }
}

void FileWatcher::Start() { Read(); }

void FileWatcher::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  descriptor_.close(ignored);  // the pending read completes with operation_aborted
}

void FileWatcher::Read() {
  descriptor_.async_read_some(boost::asio::buffer(buffer_),
                              [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                if (self->closed_) return;
                                if (ec) {
                                  spdlog::error("reading inotify events failed: {}; files are now only "
                                                "checked by the periodic pass",
                                                ec.message());
                                  return;
                                }
                                self->Dispatch(n);
                                if (!self->closed_) self->Read();
                              });
}

void FileWatcher::Dispatch(std::size_t bytes) {
  std::size_t offset = 0;
  while (offset + sizeof(inotify_event) <= bytes && !closed_) {
    inotify_event ev{};
    std::memcpy(&ev, buffer_.data() + offset, sizeof ev);  // the buffer gives no alignment guarantee
    const char* name_start = buffer_.data() + offset + sizeof ev;
    offset += sizeof ev + ev.len;
    if (offset > bytes) break;  // the kernel never splits an event; defensive

    if ((ev.mask & IN_Q_OVERFLOW) != 0) {
      spdlog::warn("inotify queue overflowed: events were lost; reconciling every seam");
      handlers_.overflow();
      continue;
    }
    auto it = by_wd_.find(ev.wd);
    if (it == by_wd_.end()) continue;  // a watch we already dropped
    const std::vector<std::string> dirs = it->second;  // a copy: Disarm erases the entry

    if ((ev.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
      // The directory was removed, moved away or unmounted. Watch whatever directory is at its
      // path now, if any (a directory replaced by rename); else RetryMissing finds it later.
      Disarm(ev.wd);
      for (const std::string& dir : dirs) {
        spdlog::info("directory {} was removed or moved; re-arming its watch", dir);
        Arm(dir);
        handlers_.directory_changed(dir);
      }
      continue;
    }
    if (ev.len == 0) continue;  // the directory itself (e.g. its mode): not a side's file
    const std::string name(name_start, ::strnlen(name_start, ev.len));
    for (const std::string& dir : dirs) {
      if (dirs_[dir].names.count(name) != 0) handlers_.file_changed(fs::path(dir) / name);
    }
  }
}

}  // namespace seam::seamd

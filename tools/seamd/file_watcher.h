#pragma once
// FileWatcher: inotify through a Boost.Asio descriptor, for the sides that are files.
//
// It watches the DIRECTORY of each file and filters events by file name, because editors and
// seam itself replace files by rename (a watch on the file's inode would follow the old,
// replaced file). A directory that is removed (or moved away) is re-armed as soon as a
// directory exists at its path again: at once when one does, else on RetryMissing(), which the
// daemon calls every second. An overflowed event queue means events were lost: the daemon
// reconciles everything.
//
// Single-threaded: every handler runs on the io_context's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam::seamd {

// The name a watched file is known by in callbacks: its directory (lexically normal, "." when
// it has none) joined with its file name.
std::filesystem::path WatchedFileKey(const std::filesystem::path& file);

class FileWatcher : public std::enable_shared_from_this<FileWatcher> {
 public:
  struct Handlers {
    // Something happened to the file (`WatchedFileKey` form): written, replaced, deleted,
    // created, its mode changed.
    std::function<void(const std::filesystem::path& file)> file_changed;
    // The directory vanished or was (re-)armed: every watched file in it may have changed.
    std::function<void(const std::filesystem::path& dir)> directory_changed;
    // The kernel's queue overflowed: events were lost.
    std::function<void()> overflow;
  };

  // Opens the inotify instance; IoError naming the reason (e.g. too many instances).
  static Result<std::shared_ptr<FileWatcher>> Create(boost::asio::io_context& io, Handlers handlers);

  // Watches `file` (through its directory). A missing directory is retried by RetryMissing().
  void Watch(const std::filesystem::path& file);
  // Tries again to watch the directories that could not be watched; each that now can be gets
  // directory_changed.
  void RetryMissing();
  // Starts reading events.
  void Start();
  // Stops: no handler is called after this returns.
  void Close();

  std::size_t directories() const { return dirs_.size(); }
  std::size_t files() const;

  // Public for make_shared; use Create.
  FileWatcher(boost::asio::io_context& io, int fd, Handlers handlers);

 private:
  struct Dir {
    int wd = -1;  // -1: not watched now (missing, or could not be watched)
    std::set<std::string> names;
    bool warned = false;  // the reason it cannot be watched was logged
  };

  // Adds the inotify watch for `dir`; false when it cannot be watched now.
  bool Arm(const std::string& dir);
  void Disarm(int wd);
  void Read();
  void Dispatch(std::size_t bytes);

  boost::asio::posix::stream_descriptor descriptor_;
  Handlers handlers_;
  std::map<std::string, Dir> dirs_;      // lexically normal directory path -> what is watched
  // Watch descriptor -> directory paths: two spellings of one directory (a symlink) share it.
  std::map<int, std::vector<std::string>> by_wd_;
  bool closed_ = false;
  alignas(8) std::array<char, 64 * 1024> buffer_{};
};

}  // namespace seam::seamd

#pragma once
// <state_dir>/notify-cursors.db (tools/seamd/notifier.h): one row per [[notify]] target, the seq
// of the log it has been given everything up to. SQLite, WAL, synchronous=FULL: a Set that
// returned is on disk. One object per thread (each notifier thread opens its own).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

struct sqlite3;

namespace seam::seamd {

class NotifyCursors {
 public:
  // Creates the file and its table when missing. IoError naming the file otherwise.
  static Result<std::unique_ptr<NotifyCursors>> Open(const std::filesystem::path& file);
  ~NotifyCursors();
  NotifyCursors(const NotifyCursors&) = delete;
  NotifyCursors& operator=(const NotifyCursors&) = delete;

  // The target's cursor; nullopt for a target never seen.
  Result<std::optional<std::int64_t>> Get(const std::string& target);
  // Durable when it returns.
  Status Set(const std::string& target, std::int64_t seq);

 private:
  NotifyCursors() = default;
  Status Exec(const char* sql);
  Status Error(const char* doing) const;

  std::string file_;
  sqlite3* db_ = nullptr;
};

}  // namespace seam::seamd
